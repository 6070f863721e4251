"""Fixtures of the access-log tests: entries appended through the service, and raw SQL to tamper with them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from audit_helpers import fields
from flask import Flask
from sqlalchemy import text

from learning.audit.service import append
from learning.db import db


@pytest.fixture
def appended(app: Flask) -> Callable[[int], list[int]]:
    """Append n entries with the real service; return their ids."""

    def make(n: int) -> list[int]:
        with app.app_context():
            return [append(fields(i)) for i in range(1, n + 1)]

    return make


@pytest.fixture
def raw_sql(app: Flask) -> Callable[..., None]:
    """Run SQL straight on the database, as someone with database access would, around the application."""

    def run(statement: str, **params: object) -> None:
        with app.app_context(), db.engine.begin() as conn:
            conn.execute(text(statement), params)

    return run
