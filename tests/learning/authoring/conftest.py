"""Accounts for the authoring tests; services are called directly inside one app context."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from learning.accounts.models import Role, User
from learning.db import db

ROLES = {"author": Role.AUTHOR, "author2": Role.AUTHOR, "reviewer": Role.REVIEWER, "reviewer2": Role.REVIEWER,
         "admin": Role.ADMIN, "patient": Role.PATIENT}  # fmt: skip


@pytest.fixture
def actx(app: Flask, make_user: Callable[..., object]) -> Iterator[Callable[[str], User]]:
    """An app context, and `who(name)` giving that person's User in it (made on first use: hashing passwords for
    people a test never needs made the round trip slow)."""
    ids: dict[str, int] = {}
    with app.app_context():

        def who(name: str) -> User:
            if name not in ids:
                ids[name] = make_user(ROLES[name]).id  # type: ignore[attr-defined]
            user = db.session.get(User, ids[name])
            assert user is not None
            return user

        yield who
        db.session.remove()
