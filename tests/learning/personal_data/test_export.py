"""Download all my data: the JSON holds the person's account, attempts, answers and every xAPI statement and
document about them, and nothing of anyone else; each download is in the access log; the summary reads it out."""

from __future__ import annotations

import base64
import json
import re
import uuid
from datetime import date

import pytest
from dashboard_helpers import make_region
from helpers import PASSWORD, csrf_token, learner_home
from sqlalchemy import select

from learning.accounts.models import Role
from learning.audit.models import AccessLogEntry
from learning.db import db
from learning.environments.models import PatientLink, Programme, StaffMember, StaffMembership, StaffRole
from learning.tracking.client import RemoteReader

MODULE = "/modules/elke-dag-wegen-hartfalen"


def log_in(client, user) -> None:
    form = {"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)}
    assert client.post("/login", data=form).status_code == 302


def learn(client) -> None:
    """Start the module and answer what the first steps ask: statements, an attempt and answers, for real."""
    assert client.post(f"{MODULE}/start", data={"csrf_token": csrf_token(client, f"{MODULE}/")}).status_code == 302
    for step in range(1, 6):
        page = client.get(f"{MODULE}/step/{step}").get_data(as_text=True)
        for item in re.findall(r'id="item-([a-z0-9-]+)"', page):
            answer = {"choice": ["0"], "csrf_token": csrf_token(client, "/")}
            assert client.post(f"{MODULE}/item/{item}", data=answer).status_code == 302


def agent_of(app, user) -> dict:
    return {"objectType": "Agent", "account": {"homePage": learner_home(app, user.id), "name": user.xapi_pid}}


@pytest.fixture
def two_learners(app, client, make_user, content, lrs_auth):
    """Two patients who both learned, an outside tool's statement and documents about each."""
    me, other = make_user(Role.PATIENT), make_user(Role.PATIENT)
    log_in(client, other)
    learn(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    log_in(client, me)
    learn(client)
    for who in (me, other):
        agent = agent_of(app, who)
        statement = {"id": str(uuid.uuid4()), "actor": {"mbox": "mailto:coach@example.test"},
                     "verb": {"id": "http://id.tincanapi.com/verb/mentored"}, "object": agent}  # fmt: skip
        assert client.post("/xapi/statements", json=statement, headers=lrs_auth).status_code == 200
        module = next(
            s["object"]["id"]
            for s in client.get("/xapi/statements", query_string={"agent": json.dumps(agent)}, headers=lrs_auth).json[
                "statements"
            ]
            if s["object"].get("objectType", "Activity") == "Activity"
        )  # a tool keeps its place in the module the person learns
        where = {"activityId": module, "agent": json.dumps(agent), "stateId": f"bookmark-{who.id}"}
        put = client.put("/xapi/activities/state", query_string=where, json={"page": who.id}, headers=lrs_auth)
        assert put.status_code == 204
        profile = {"agent": json.dumps(agent), "profileId": f"goals-{who.id}"}
        put = client.put("/xapi/agents/profile", query_string=profile, json={"goal": "walk"},
                         headers={**lrs_auth, "If-None-Match": "*"})  # fmt: skip
        assert put.status_code == 204
    return me, other


def statements_about(client, lrs_auth, agent) -> set[str]:
    params = {"agent": json.dumps(agent), "related_agents": "true", "limit": "500"}
    return {s["id"] for s in client.get("/xapi/statements", query_string=params, headers=lrs_auth).json["statements"]}


def test_the_export_holds_my_statements_and_documents_and_nothing_of_another_person(
    app, client, lrs_auth, two_learners
):
    me, other = two_learners
    response = client.get("/account/data/my-data.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    body = response.get_data(as_text=True)
    data = json.loads(body)

    mine = statements_about(client, lrs_auth, agent_of(app, me))
    assert len(mine) > 3  # the module's statements and the coach's
    assert {s["id"] for s in data["xapi"]["statements"]} == mine
    theirs = statements_about(client, lrs_auth, agent_of(app, other))
    assert not theirs & {s["id"] for s in data["xapi"]["statements"]}
    for trace in (other.email, other.xapi_pid, f"bookmark-{other.id}", f"goals-{other.id}"):
        assert trace not in body
    documents = {(d["resource"], d.get("stateId") or d.get("profileId")) for d in data["xapi"]["documents"]}
    assert documents == {("activities/state", f"bookmark-{me.id}"), ("agents/profile", f"goals-{me.id}")}
    assert data["account"]["email"] == me.email
    assert data["account"]["email_confirmed_at"].startswith("20")  # when she confirmed it is hers to see too
    answers = data["attempts"][0]["answers"]
    assert answers
    assert all(a["question"] for a in answers)  # readable: the question, and for a choice its text
    assert any(a["response_text"] for a in answers)
    assert data["progress"][0]["module"] == MODULE.rsplit("/", 1)[1]


def test_every_download_is_in_the_access_log(app, client, two_learners):
    me, _ = two_learners
    assert client.get("/account/data/my-data.json").status_code == 200
    assert client.get("/account/data/summary").status_code == 200
    with app.app_context():
        entries = db.session.scalars(select(AccessLogEntry).where(AccessLogEntry.subject == f"user:{me.id}")).all()
        actions = [(e.action, e.actor) for e in entries]
    assert ("personal_data.export", f"user:{me.id}") in actions
    assert ("personal_data.summary", f"user:{me.id}") in actions


def test_the_summary_reads_out_my_data_in_my_language(app, client, two_learners):
    me, other = two_learners
    page = client.get("/account/data/summary", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "Je account" in page
    assert me.email in page
    assert other.email not in page
    assert "Elke dag wegen" in page  # the module's title, in Dutch
    assert "Wie keek er naar je gegevens" in page


def test_the_settings_page_leads_to_the_download(client, login, make_user):
    login(make_user(Role.CAREGIVER))
    assert 'href="/account/data"' in client.get("/settings").get_data(as_text=True)
    page = client.get("/account/data").get_data(as_text=True)
    assert 'href="/account/data/my-data.json"' in page
    assert 'href="/account/data/summary"' in page


def test_a_remote_lrs_is_read_over_xapi_for_the_export(app, client, lrs_auth, two_learners, live_server):
    me, _other = two_learners
    key, secret = base64.b64decode(lrs_auth["Authorization"].split()[1]).decode().split(":")
    reader = RemoteReader(f"{live_server.url}/xapi/", key, secret, timeout=5.0)
    records = reader.read_agent(agent_of(app, me))
    assert {s["id"] for s in records.statements} == statements_about(client, lrs_auth, agent_of(app, me))
    ids = {d.get("stateId") or d.get("profileId") for d in records.documents}
    assert ids == {f"bookmark-{me.id}", f"goals-{me.id}"}


def test_a_staff_members_roster_entries_and_a_patients_programme_link_are_in_the_export(
    app, client, login, make_user, lrs_auth
):
    nurse, patient = make_user(Role.PROFESSIONAL), make_user(Role.PATIENT)
    with app.app_context():
        region = make_region()
        db.session.add(StaffRole(code="hf_nurse", label_nl="Hartfalenverpleegkundige", label_en="Heart failure nurse"))
        staff = StaffMember(organisation_id=region.hospital, pid="hr-77", user_id=nurse.id)
        staff.memberships.append(StaffMembership(team_id=region.ward, role_code="hf_nurse", start=date(2026, 1, 1)))
        db.session.add_all([staff, PatientLink(programme_id=region.programme, patient_pid="p-9", user_id=patient.id)])
        db.session.commit()
        programme = db.session.get(Programme, region.programme).name
    login(nurse)
    links = client.get("/account/data/my-data.json").json["care_programmes"]
    assert [(link["kind"], link["teams"][0]["role"], link["teams"][0]["start"]) for link in links] == [
        ("staff roster", "hf_nurse", "2026-01-01")
    ]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(patient)
    links = client.get("/account/data/my-data.json").json["care_programmes"]
    assert [(link["kind"], link["programme"]) for link in links] == [("patient", programme)]
