"""The access log's page through the real app: who may read it, what it shows, filters, paging, and the chain's
state; its own reads are logged."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from audit_helpers import entries, fields
from flask import Flask
from flask.testing import FlaskClient

from learning.accounts.models import Role
from learning.audit.service import append

Login = Callable[[Any], FlaskClient]


@pytest.fixture
def officer(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.PRIVACY_OFFICER)


def shown_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<span class="meta">#(\d+)</span>', html)]


@pytest.mark.parametrize("role", [Role.PRIVACY_OFFICER, Role.ADMIN])
def test_privacy_officers_and_admins_read_the_log(
    app: Flask, login: Login, make_user: Callable[..., Any], role: Role
) -> None:
    with app.app_context():
        append(fields(7, subject="environment:42"))
    page = login(make_user(role)).get("/audit/").get_data(as_text=True)
    assert "environment:42" in page
    assert "Het log is intact." in page
    assert "Toegangslog" in page  # the menu links to it


@pytest.mark.parametrize("role", [Role.MANAGER, Role.PATIENT, Role.AUTHOR, Role.PROFESSIONAL])
def test_other_roles_get_403_and_leave_no_entry(
    app: Flask, login: Login, make_user: Callable[..., Any], role: Role
) -> None:
    client = login(make_user(role))
    assert client.get("/audit/").status_code == 403
    assert "Toegangslog" not in client.get("/help").get_data(as_text=True)
    with app.app_context():
        assert entries() == []


def test_anonymous_visitors_are_sent_to_log_in(client: FlaskClient) -> None:
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_the_pages_own_read_is_logged_with_its_filters(app: Flask, login: Login, officer: Any) -> None:
    login(officer).get("/audit/?action=dashboard.read&subject=environment:3&from=2026-11-01")
    with app.app_context():
        subject = "access_log action=dashboard.read subject=environment:3 from=2026-11-01"
        assert entries() == [(f"user:{officer.id}", "audit.read", subject, "/audit/")]


def test_newest_first_with_the_readers_email(app: Flask, login: Login, officer: Any) -> None:
    client = login(officer)
    client.get("/audit/")
    html = client.get("/audit/").get_data(as_text=True)
    assert shown_ids(html) == [2, 1]
    assert officer.email in html  # user:<id> is looked up, the log itself stores no address


def test_filters_by_actor_action_subject_and_dates(app: Flask, login: Login, officer: Any) -> None:
    with app.app_context():
        append(fields(1, actor="user:5", subject="environment:1"))  # 2026-11-03
        append(fields(2, actor="user:6", action="progress.view", subject="user:6"))
        append(fields(3, actor="user:5", subject="region"))
    client = login(officer)

    def ids(query: str) -> list[int]:
        return [n for n in shown_ids(client.get(f"/audit/?{query}").get_data(as_text=True)) if n <= 3]

    assert ids("actor=5") == [3, 1]
    assert ids("actor=user:6") == [2]
    assert ids("action=progress.view") == [2]
    assert ids("subject=environment") == [1]
    assert ids("subject=100%25") == []  # a LIKE wildcard is searched for as text
    assert ids("from=2026-11-03&to=2026-11-03") == [3, 2, 1]
    assert ids("from=2026-11-04") == []
    assert ids("to=2026-11-02") == []


def test_a_bad_date_is_explained_and_ignored(login: Login, officer: Any) -> None:
    response = login(officer).get("/audit/?from=31-12-2026")
    assert response.status_code == 200
    assert "JAAR-MAAND-DAG" in response.get_data(as_text=True)


def test_pages_of_fifty_link_to_older_entries(app: Flask, login: Login, officer: Any) -> None:
    with app.app_context():
        for n in range(1, 61):
            append(fields(n))
    client = login(officer)
    html = client.get("/audit/?action=dashboard.read").get_data(as_text=True)
    assert shown_ids(html) == list(range(60, 10, -1))
    older = re.search(r'rel="next" href="([^"]+)"', html)
    assert older is not None
    assert "before=11" in older.group(1)
    assert "action=dashboard.read" in older.group(1)
    html = client.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert shown_ids(html) == list(range(10, 0, -1))
    assert 'rel="next"' not in html


def test_a_broken_chain_is_shown_with_the_entry(
    app: Flask, login: Login, officer: Any, appended: Callable[[int], list[int]], raw_sql: Callable[..., None]
) -> None:
    appended(3)
    raw_sql("UPDATE access_log SET actor = 'user:999' WHERE id = 2")
    html = login(officer).get("/audit/").get_data(as_text=True)
    assert "Er is met het log geknoeid bij regel 2." in html
    assert "Het log is intact." not in html


def test_a_nul_character_in_a_filter_is_refused(login: Login, officer: Any) -> None:
    assert login(officer).get("/audit/?subject=%00").status_code == 400


def test_a_long_log_is_checked_on_the_page_for_its_newest_entries_only(
    app: Flask, login: Login, officer: Any, appended: Callable[[int], list[int]], raw_sql: Callable[..., None]
) -> None:
    app.config["AUDIT_PAGE_VERIFY_WINDOW"] = 3
    appended(6)
    raw_sql("UPDATE access_log SET actor = 'user:999' WHERE id = 1")
    html = login(officer).get("/audit/").get_data(as_text=True)
    assert "Het log is intact." in html
    assert "De nieuwste 3 regels zijn gecontroleerd; het commando flask audit verify controleert het hele log." in html
