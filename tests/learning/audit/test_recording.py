"""Which reads are logged, through the real app: dashboards and their exports, assessments, a caregiver's view of
a patient's progress (a learner's own progress and result are not), and statements read over /xapi (header and
alternate syntax). Refused requests leave no entry."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from audit_helpers import entries
from dashboard_helpers import Region, make_region, store_cells
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from xapi_helpers import make_statement, post

import lrs
from learning.accounts.models import Role, User
from learning.audit.recording import summarise_query
from learning.content.models import Module
from learning.db import db
from learning.player.models import Attempt
from tests.learning.caregivers.test_sharing import enter_code, make_code

Login = Callable[[Any], FlaskClient]


@pytest.fixture
def region(app: Flask) -> Region:
    with app.app_context():
        region = make_region()
        store_cells(region)
        return region


@pytest.fixture
def manager(app: Flask, make_user: Callable[..., Any], region: Region) -> Any:
    user = make_user(Role.MANAGER)
    with app.app_context():
        row = db.session.get(User, user.id)
        assert row is not None
        row.organisation_id = region.hospital
        db.session.commit()
    return user


def logged(app: Flask) -> list[tuple[str, str, str, str]]:
    with app.app_context():
        return entries()


def test_dashboard_reads_and_exports_are_logged_with_who_and_whose(
    app: Flask, login: Login, manager: Any, region: Region
) -> None:
    client = login(manager)
    base = f"/dashboards/environments/{region.environment}"
    for path in (base, f"{base}/values.csv", "/dashboards/region", "/dashboards/region/values.csv"):
        assert client.get(path).status_code == 200, path
    who = f"user:{manager.id}"
    assert logged(app) == [
        (who, "dashboard.read", f"environment:{region.environment}", base),
        (who, "dashboard.export", f"environment:{region.environment}", f"{base}/values.csv"),
        (who, "dashboard.read", "region", "/dashboards/region"),
        (who, "dashboard.export", "region", "/dashboards/region/values.csv"),
    ]


def test_a_refused_dashboard_read_leaves_no_entry(
    app: Flask, login: Login, make_user: Callable[..., Any], region: Region
) -> None:
    client = login(make_user(Role.PROFESSIONAL))
    assert client.get(f"/dashboards/environments/{region.environment}").status_code == 403
    assert client.get("/dashboards/region/report.pdf").status_code == 403
    assert logged(app) == []


def test_the_list_of_dashboards_and_the_definitions_are_not_personal_data(
    app: Flask, login: Login, manager: Any
) -> None:
    client = login(manager)
    assert client.get("/dashboards/").status_code == 200
    assert client.get("/dashboards/metrics").status_code == 200
    assert logged(app) == []


def test_a_learner_reading_own_progress_and_result_is_not_logged_but_a_caregivers_view_is(
    app: Flask, login: Login, make_user: Callable[..., Any], content: None
) -> None:
    patient = make_user(Role.PATIENT)
    caregiver = make_user(Role.CAREGIVER)
    slug = "elke-dag-wegen-hartfalen"
    with app.app_context():
        module = db.session.scalars(select(Module).where(Module.slug == slug)).one()
        attempt = Attempt(user_id=patient.id, module=module, version=module.current_version, passed=True,
                          finished_at=datetime(2026, 10, 5, tzinfo=UTC), score_scaled=1.0)  # fmt: skip
        db.session.add(attempt)
        db.session.commit()
        attempt_id = attempt.id
    own = login(patient)
    assert own.get("/progress").status_code == 200
    assert own.get(f"/modules/{slug}/result/{attempt_id}").status_code == 200
    assert own.get(f"/modules/{slug}/read-again/{attempt_id}/step/1").status_code == 200
    assert logged(app) == []  # their own record: no entry
    code = make_code(own)
    other = login(caregiver)  # the same test client, now the caregiver's
    assert enter_code(other, code).status_code == 302
    link = re.search(r'href="/caregiving/(\d+)"', other.get("/caregiving").get_data(as_text=True))
    assert link
    assert other.get(f"/caregiving/{link.group(1)}").status_code == 200
    who = f"user:{patient.id}"
    assert (f"user:{caregiver.id}", "caregiver.progress", who, f"/caregiving/{link.group(1)}") in logged(app)


def test_reading_a_programmes_assessments_is_logged(app: Flask, login: Login, manager: Any, region: Region) -> None:
    assert login(manager).get(f"/programmes/{region.programme}/assessments").status_code == 200
    assert logged(app) == [
        (f"user:{manager.id}", "assessments.view", f"programme:{region.programme}",
         f"/programmes/{region.programme}/assessments"),
    ]  # fmt: skip


def _key(headers: dict[str, str]) -> str:
    return base64.b64decode(headers["Authorization"].split()[1]).decode().split(":")[0]


def test_statements_read_over_xapi_are_logged_with_credential_query_and_count(
    app: Flask, client: FlaskClient, lrs_auth: dict[str, str]
) -> None:
    assert post(client, lrs_auth, [make_statement(), make_statement()]).status_code == 200
    assert logged(app) == []  # writing is not reading
    verb = "http://adlnet.gov/expapi/verbs/experienced"
    first = client.get("/xapi/statements", query_string={"verb": verb, "limit": "1"}, headers=lrs_auth)
    assert first.status_code == 200
    more = client.get("/xapi/statements", query_string={"verb": verb, "limit": "1"}, headers=lrs_auth).json["more"]
    assert client.get(more, headers=lrs_auth).status_code == 200
    key = _key(lrs_auth)
    subject = f"1 statement(s); limit=1 verb={verb}"
    assert logged(app) == [(f"lrs:{key}", "xapi.statements.read", subject, "/xapi/statements")] * 3


def test_the_alternate_request_syntax_read_is_logged_too(
    app: Flask, client: FlaskClient, lrs_auth: dict[str, str]
) -> None:
    form = {**lrs_auth, "limit": "5"}
    response = client.post("/xapi/statements?method=GET", data=urlencode(form),
                           content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert response.status_code == 200, response.get_data(as_text=True)
    assert logged(app) == [(f"lrs:{_key(lrs_auth)}", "xapi.statements.read", "0 statement(s); limit=5",
                            "/xapi/statements")]  # fmt: skip


def test_a_refused_xapi_read_leaves_no_entry(
    app: Flask, client: FlaskClient, make_lrs_auth: Callable[..., dict[str, str]]
) -> None:
    writer, reader = make_lrs_auth("statements/write"), make_lrs_auth("statements/read/mine")
    assert client.get("/xapi/statements", headers=writer).status_code == 403
    assert client.get("/xapi/statements", headers={"X-Experience-API-Version": "1.0.3"}).status_code == 401
    assert client.get("/xapi/statements", query_string={"since": "nonsense"}, headers=reader).status_code == 400
    missing = "a5b4a3c2-0000-4000-8000-000000000000"
    assert client.get("/xapi/statements", query_string={"statementId": missing}, headers=reader).status_code == 404
    assert logged(app) == []


def test_an_email_address_in_an_agent_query_is_never_stored(
    app: Flask, client: FlaskClient, lrs_auth: dict[str, str]
) -> None:
    agent = json.dumps({"mbox": "mailto:jan.jansen@example.org", "name": "Jan Jansen"})
    assert client.get("/xapi/statements", query_string={"agent": agent}, headers=lrs_auth).status_code == 200
    ((_, _, subject, _),) = logged(app)
    assert "jan" not in subject.lower()
    assert "agent=mbox_sha1sum:" in subject


@pytest.mark.parametrize(
    ("agent", "summary"),
    [
        ({"account": {"homePage": "https://vtc.test", "name": "p-123"}}, "agent=account:p-123"),
        ({"mbox_sha1sum": "abc"}, "agent=mbox_sha1sum:abc"),
        ({"openid": "https://id.example/jan"}, "agent=openid_sha1sum:"),
        ({"name": "Jan Jansen"}, "agent=(an agent without an identifier)"),
        ([1, 2], "agent=(not an agent)"),
    ],
)
def test_agents_are_summarised_by_pseudonymous_id_only(agent: Any, summary: str) -> None:
    assert summarise_query({"agent": json.dumps(agent)}).startswith(summary)
    assert "Jan" not in summarise_query({"agent": json.dumps(agent)})


def test_the_lms_reading_back_in_process_is_not_logged(app: Flask, runner: Any) -> None:
    platform = {"objectType": "Agent", "account": {"homePage": "https://vtc.test", "name": "vtc-lms"}}
    statement = {
        "actor": {"objectType": "Agent", "account": {"homePage": "https://vtc.test", "name": "learner-1"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": "https://vtc.test/xapi/module/elke-dag-wegen-hartfalen"},
    }
    lrs.local_store(app, platform)([statement])
    result = runner.invoke(args=["xapi", "sync"])
    assert result.exit_code == 0, result.output
    assert "Read 1 statement(s): 1 new training event(s)" in result.output  # the sync read it, in-process
    assert logged(app) == []
