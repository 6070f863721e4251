"""Fixtures of the dashboard tests: a small real region with stored metric values, built through the models."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from dashboard_helpers import Region, make_region, store_attention_cells, store_cells
from flask import Flask

from learning.accounts.models import Role, User
from learning.db import db


@pytest.fixture
def region(app: Flask) -> Region:
    with app.app_context():
        return make_region()


@pytest.fixture
def stored_cells(app: Flask, region: Region) -> None:
    with app.app_context():
        store_cells(region)


@pytest.fixture
def manager_of(make_user: Callable[..., Any], app: Flask) -> Callable[[int], Any]:
    """Make a manager of the given organisation (make_user puts users in its own test organisation)."""

    def make(organisation: int) -> Any:
        user = make_user(Role.MANAGER)
        with app.app_context():
            row = db.session.get(User, user.id)
            assert row is not None
            row.organisation_id = organisation
            db.session.commit()
        return user

    return make


@pytest.fixture
def cells(app: Flask, region: Region) -> Region:
    """The ward needs attention on every check; the district team's figures are hidden (dashboard_helpers)."""
    with app.app_context():
        store_attention_cells(region)
    return region
