"""Helpers tests import directly (fixtures live in conftest.py)."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

PASSWORD = "correct-horse-battery"
CSRF_INPUT = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """Return the CSRF token a real browser would have from a page."""
    match = CSRF_INPUT.search(client.get(path).get_data(as_text=True))
    assert match, f"no csrf token on {path}"
    return match.group(1)
