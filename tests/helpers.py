"""Helpers tests import directly (fixtures live in conftest.py)."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from learning.accounts.models import User
from learning.db import Base, db
from lrs.store.tables import metadata as lrs_metadata

PASSWORD = "correct-horse-battery"
CSRF_INPUT = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """Return the CSRF token a real browser would have from a page."""
    match = CSRF_INPUT.search(client.get(path).get_data(as_text=True))
    assert match, f"no csrf token on {path}"
    return match.group(1)


def empty_all_tables(url: str) -> None:
    """Delete every row of the LMS and LRS tables (TRUNCATE on PostgreSQL), keeping the migrated schema."""
    engine = create_engine(url)
    tables = [*reversed(Base.metadata.sorted_tables), *reversed(lrs_metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())
    engine.dispose()


def learner_home(app: Flask, user_id: int) -> str:
    """The xAPI account homePage the platform gives this user: their organisation's ({base}/org/<pseudonym>)."""
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        assert user.organisation is not None
        return f"{app.config['XAPI_BASE_IRI']}/org/{user.organisation.pseudonym}"
