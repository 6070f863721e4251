"""Steps of a log-in through the organisation (single sign-on) that several test files take, against the real
provider of tests/oidc_provider.py; the fixtures `provider` and `sso_org` are in tests/learning/sso/conftest.py."""

from __future__ import annotations

import re

import requests
from flask import Flask
from flask.testing import FlaskClient
from helpers import csrf_token
from oidc_provider import sign_in_at
from sqlalchemy import select

from learning.audit.models import AccessLogEntry
from learning.db import db

DOMAIN = "zorg.test"


def begin(client: FlaskClient, email: str) -> requests.Response | str:
    """Ask our log-in page for the organisation's provider; return the provider's address (or our page)."""
    answer = client.post("/login/sso", data={"email": email, "csrf_token": csrf_token(client, "/login/sso")})
    if answer.status_code != 302:
        return answer.get_data(as_text=True)
    return answer.headers["Location"]


def at_provider(authorize_url: str, login: str) -> str:
    back = sign_in_at(authorize_url, login)
    assert back.startswith("/login/sso/callback?")
    return back


def alert(page: str) -> str:
    match = re.search(r'role="alert"[^>]*>(.*?)</p>', page, re.S)
    assert match, page
    return match.group(1)


def audit_actions(app: Flask) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.execute(select(AccessLogEntry.action, AccessLogEntry.subject, AccessLogEntry.purpose)
                                  .order_by(AccessLogEntry.id)).all()  # fmt: skip
        return [tuple(row) for row in rows]


def form_fields(page: str, action: str) -> dict[str, str]:
    """The hidden fields of the page's form that posts to `action` (the confirm and continue pages)."""
    match = re.search(rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>', page, re.S)
    assert match, page
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', match.group(1)))
