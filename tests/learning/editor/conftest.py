"""A request context for the editor's services: their messages are translated for the reader's language."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask


@pytest.fixture
def rq(app: Flask) -> Iterator[Flask]:
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        yield app
