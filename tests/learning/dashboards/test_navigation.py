"""Every feature a role may use is reachable from the menu, and every link the menu and the dashboards list offer
answers: the RPM upload, the assessments, the region view and the exports are never only a typed-in address."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from dashboard_helpers import Region
from flask import Flask
from flask.testing import FlaskClient

from learning.accounts.models import Role, User
from learning.db import db

Login = Callable[[Any], FlaskClient]
LINK = re.compile(r'<a\s[^>]*href="(/[^"#]*)"')


def _links(html: str, start: str, end: str) -> list[str]:
    part = html[html.index(start) :]
    part = part[: part.index(end)]
    return sorted({link.replace("&amp;", "&") for link in LINK.findall(part)})


def _menu(client: FlaskClient) -> list[str]:
    return _links(client.get("/").get_data(as_text=True), "<nav", "</nav>")


@pytest.fixture
def user_of(make_user: Callable[..., Any], app: Flask, region: Region) -> Callable[[Role], Any]:
    def make(role: Role) -> Any:
        user = make_user(role)
        with app.app_context():
            row = db.session.get(User, user.id)
            assert row is not None
            row.organisation_id = region.hospital if role is Role.MANAGER else row.organisation_id
            db.session.commit()
        return user

    return make


@pytest.mark.parametrize("role", list(Role))
def test_every_menu_link_answers_for_the_role_that_sees_it(
    login: Login, user_of: Callable[[Role], Any], role: Role, stored_cells: None
) -> None:
    client = login(user_of(role))
    menu = _menu(client)
    assert menu, "the menu has links"
    for link in menu:
        assert client.get(link).status_code == 200, (role, link)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
def test_every_manager_feature_is_reachable_from_the_menu(
    login: Login, user_of: Callable[[Role], Any], role: Role, region: Region, stored_cells: None
) -> None:
    client = login(user_of(role))
    menu = _menu(client)
    assert "/dashboards/" in menu
    assert "/rpm/upload" in menu
    hub = _links(client.get("/dashboards/").get_data(as_text=True), "<main", "</main>")
    reachable = set(menu) | set(hub)
    expected = [
        f"/dashboards/environments/{region.environment}",
        "/dashboards/region",
        f"/programmes/{region.programme}/assessments",
        "/dashboards/metrics",
        "/rpm/upload",
    ]
    assert [path for path in expected if path not in reachable] == []
    exports = [link for link in hub if link.split("?")[0].endswith((".csv", ".pdf"))]
    assert {link.split("?")[0] for link in exports} >= {
        f"/dashboards/environments/{region.environment}/values.csv",
        f"/dashboards/environments/{region.environment}/report.pdf",
        "/dashboards/region/values.csv",
        "/dashboards/region/report.pdf",
    }
    for link in hub:
        assert client.get(link).status_code == 200, link


def test_the_menu_offers_no_manager_feature_to_a_nurse(login: Login, user_of: Callable[[Role], Any]) -> None:
    menu = _menu(login(user_of(Role.PROFESSIONAL)))
    assert not [link for link in menu if link.startswith(("/dashboards", "/rpm"))]
