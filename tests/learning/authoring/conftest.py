"""Accounts and drafts for the authoring tests; services are called directly inside one app context."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from learning.accounts.models import Role, User
from learning.db import db


@pytest.fixture
def people(app: Flask, make_user: Callable[..., object]) -> dict[str, int]:
    """Ids of two authors, two reviewers, an admin and a patient."""
    names = {"author": Role.AUTHOR, "author2": Role.AUTHOR, "reviewer": Role.REVIEWER, "reviewer2": Role.REVIEWER,
             "admin": Role.ADMIN, "patient": Role.PATIENT}  # fmt: skip
    return {name: make_user(role).id for name, role in names.items()}  # type: ignore[attr-defined]


@pytest.fixture
def actx(app: Flask, people: dict[str, int]) -> Iterator[Callable[[str], User]]:
    """An app context, and `who(name)` giving that person's User in it."""
    with app.app_context():

        def who(name: str) -> User:
            user = db.session.get(User, people[name])
            assert user is not None
            return user

        yield who
        db.session.remove()
