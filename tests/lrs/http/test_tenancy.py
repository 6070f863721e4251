"""Tenants: an organisation's credential reads its own learners' statements and what its credentials stored,
nothing of another organisation's learners (not by query, id, voided id, `more` page, nor HEAD); a regional
credential, which an administrator grants explicitly, reads the region. Learners' homePages differ per
organisation, so two organisations' credentials never see the same actor."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from helpers import csrf_token
from sqlalchemy import select
from xapi_helpers import make_statement, post

import lrs
from learning.accounts.models import Organisation, Role
from learning.db import db
from lrs.store.tables import credential

LMS = {"objectType": "Agent", "account": {"homePage": "https://vtc.test", "name": "vtc-lms"}}


@pytest.fixture
def region(app, organisation_id) -> dict[str, str]:
    """Organisation X (the fixture's) and Y: their names and learner homePages."""
    with app.app_context():
        other = Organisation(name="Thuiszorg Y", kind="home_care")
        db.session.add(other)
        db.session.commit()
        x = db.session.get(Organisation, organisation_id)
        return {
            "x": x.name,
            "y": other.name,
            "home_x": f"https://vtc.test/org/{x.pseudonym}",
            "home_y": f"https://vtc.test/org/{other.pseudonym}",
        }


def learner_statement(home: str, name: str = "learner-1") -> dict:
    return make_statement(
        id=str(uuid.uuid4()), actor={"objectType": "Agent", "account": {"homePage": home, "name": name}}
    )


def stored_by_platform(app, *statements: dict) -> list[str]:
    """Store as the LMS does: in-process, with no credential."""
    return lrs.local_store(app, LMS)(list(statements))


def ids(response) -> set[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return {s["id"] for s in response.json["statements"]}


def test_an_organisations_credential_reads_its_learners_and_nothing_of_another_organisation(
    app, client, make_lrs_auth, region
):
    mine, theirs = learner_statement(region["home_x"]), learner_statement(region["home_y"])
    stored_by_platform(app, mine, theirs)
    x_reader = make_lrs_auth("statements/read", name="x reader", organisation=region["x"])
    regional = make_lrs_auth("statements/read", name="regional")

    assert ids(client.get("/xapi/statements", headers=x_reader)) == {mine["id"]}
    assert ids(client.get("/xapi/statements", headers=regional)) == {mine["id"], theirs["id"]}
    assert client.get(f"/xapi/statements?statementId={mine['id']}", headers=x_reader).status_code == 200
    hidden = client.get(f"/xapi/statements?statementId={theirs['id']}", headers=x_reader)
    assert hidden.status_code == 404  # as if it did not exist: its existence is not revealed either
    assert client.head(f"/xapi/statements?statementId={theirs['id']}", headers=x_reader).status_code == 404
    # filtering by the other organisation's learner finds nothing
    agent = json.dumps({"account": {"homePage": region["home_y"], "name": "learner-1"}})
    assert ids(client.get("/xapi/statements", headers=x_reader, query_string={"agent": agent})) == set()


def test_an_organisations_credential_reads_what_it_stored_itself_whoever_the_actor(app, client, make_lrs_auth, region):
    x_tool = make_lrs_auth("statements/write", "statements/read", name="x tool", organisation=region["x"])
    y_tool = make_lrs_auth("statements/write", "statements/read", name="y tool", organisation=region["y"])
    by_mail = make_statement(id=str(uuid.uuid4()), actor={"objectType": "Agent", "mbox": "mailto:a@x.test"})
    assert post(client, x_tool, by_mail).status_code == 200

    assert ids(client.get("/xapi/statements", headers=x_tool)) == {by_mail["id"]}
    assert ids(client.get("/xapi/statements", headers=y_tool)) == set()
    assert client.get(f"/xapi/statements?statementId={by_mail['id']}", headers=y_tool).status_code == 404


def test_a_voided_statement_of_another_organisation_stays_hidden_by_voided_id(app, client, make_lrs_auth, region):
    theirs = learner_statement(region["home_y"])
    stored_by_platform(app, theirs)
    void = make_statement(
        id=str(uuid.uuid4()),
        actor=LMS,
        verb={"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en-US": "voided"}},
        object={"objectType": "StatementRef", "id": theirs["id"]},
    )
    stored_by_platform(app, void)
    x_reader = make_lrs_auth("statements/read", name="x reader", organisation=region["x"])
    regional = make_lrs_auth("statements/read", name="regional")
    assert client.get(f"/xapi/statements?voidedStatementId={theirs['id']}", headers=regional).status_code == 200
    assert client.get(f"/xapi/statements?voidedStatementId={theirs['id']}", headers=x_reader).status_code == 404


def test_more_pages_never_widen_to_another_organisation(app, client, make_lrs_auth, region):
    mine = [learner_statement(region["home_x"], f"x-{n}") for n in range(5)]
    theirs = [learner_statement(region["home_y"], f"y-{n}") for n in range(5)]
    stored_by_platform(app, *[s for pair in zip(mine, theirs, strict=True) for s in pair])
    x_reader = make_lrs_auth("statements/read", name="x reader", organisation=region["x"])
    seen: set[str] = set()
    url = "/xapi/statements?limit=2"
    while url:
        response = client.get(url, headers=x_reader)
        seen |= ids(response)
        url = response.json["more"]
    assert seen == {s["id"] for s in mine}


def test_statements_read_mine_of_an_organisation_still_reads_only_its_own(app, client, make_lrs_auth, region):
    stored_by_platform(app, learner_statement(region["home_x"]))
    rpm = make_lrs_auth("statements/write", "statements/read/mine", name="rpm x", organisation=region["x"])
    sent = learner_statement(region["home_x"], "patient-9")
    assert post(client, rpm, sent).status_code == 200
    assert ids(client.get("/xapi/statements", headers=rpm)) == {sent["id"]}


def test_cli_confines_a_credential_to_an_organisation_by_name_and_requires_a_choice(runner, region):
    neither = runner.invoke(args=["lrs", "create-credential", "tool"])
    assert neither.exit_code == 2
    assert "give either --organisation NAME (reads that organisation only) or --regional" in neither.output
    both = runner.invoke(args=["lrs", "create-credential", "tool", "--regional", "--organisation", region["x"]])
    assert both.exit_code == 2
    unknown = runner.invoke(args=["lrs", "create-credential", "tool", "--organisation", "Nergens"])
    assert unknown.exit_code == 2
    assert f"known: {region['x']}, {region['y']}" in unknown.output  # the ones to choose from
    made = runner.invoke(args=["lrs", "create-credential", "x tool", "--organisation", region["x"]])
    assert made.exit_code == 0, made.output
    key = made.output.strip().splitlines()[-1].split(":")[0]
    listing = runner.invoke(args=["lrs", "list-credentials"]).output
    assert re.search(rf"{key}\s+active\s+\S+\s+all\s+{re.escape(region['x'])}\s+x tool", listing)


def test_admin_form_asks_whose_statements_and_refuses_none_chosen(app, client, login, make_user, region):
    login(make_user(Role.ADMIN))
    page = client.get("/admin/lrs/").get_data(as_text=True)
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]+)</option>', page)
    assert [label for _value, label in options][1:] == [region["x"], region["y"], "De hele regio (alle organisaties)"]
    assert options[0][0] == ""  # nothing is chosen for the administrator

    data = {"name": "tool", "scope": ["statements/read"], "csrf_token": csrf_token(client, "/admin/lrs/")}
    refused = client.post("/admin/lrs/", data=data)
    assert refused.status_code == 400
    assert "Kies wiens statements" in refused.get_data(as_text=True)
    forged = client.post("/admin/lrs/", data={**data, "reach": "https://elsewhere.test/org/1"})
    assert forged.status_code == 400
    with app.extensions["lrs"].engine.connect() as conn:
        assert conn.execute(select(credential)).all() == []

    made = client.post("/admin/lrs/", data={**data, "reach": region["home_x"]})
    assert made.status_code == 200
    with app.extensions["lrs"].engine.connect() as conn:
        assert conn.execute(select(credential.c.tenant)).scalar_one() == region["home_x"]
    listing = client.get("/admin/lrs/").get_data(as_text=True)
    assert re.search(rf"<dt>Leest</dt><dd>{re.escape(region['x'])}</dd>", listing)


def test_filters_that_drive_by_their_own_index_still_keep_to_the_tenant(app, client, make_lrs_auth, region):
    """With a verb, activity or registration filter the tenant is probed per row rather than walked: same answer."""
    mine, theirs = learner_statement(region["home_x"]), learner_statement(region["home_y"])
    stored_by_platform(app, mine, theirs)
    x_reader = make_lrs_auth("statements/read", name="x reader", organisation=region["x"])
    for name in ("verb", "activity"):
        value = mine["verb"]["id"] if name == "verb" else mine["object"]["id"]
        assert ids(client.get("/xapi/statements", headers=x_reader, query_string={name: value})) == {mine["id"]}


def test_an_organisations_credential_may_not_write_as_another_organisations_learner(app, client, make_lrs_auth, region):
    """Else Y's credentials would read it as one of their learners' statements: a forgery planted across tenants."""
    x_tool = make_lrs_auth("statements/write", "statements/read", name="x tool", organisation=region["x"])
    y_reader = make_lrs_auth("statements/read", name="y reader", organisation=region["y"])
    planted, own = learner_statement(region["home_y"]), learner_statement(region["home_x"])
    refused = post(client, x_tool, [own, planted])
    assert refused.status_code == 403
    assert region["home_y"] in refused.json["error"]["message"]
    assert ids(client.get("/xapi/statements", headers=y_reader)) == set()
    assert ids(client.get("/xapi/statements", headers=x_tool)) == set()  # nothing of the batch was stored
    assert post(client, x_tool, own).status_code == 200
    regional = make_lrs_auth("statements/write", name="regional tool")
    assert post(client, regional, planted).status_code == 200  # the region writes for every organisation
    assert ids(client.get("/xapi/statements", headers=y_reader)) == {planted["id"]}


def voiding(target: str, actor: dict) -> dict:
    return make_statement(
        id=str(uuid.uuid4()),
        actor=actor,
        verb={"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en-US": "voided"}},
        object={"objectType": "StatementRef", "id": target},
    )


def test_void_any_of_an_organisation_voids_only_within_it(app, client, make_lrs_auth, region):
    y_tool = make_lrs_auth("statements/write", name="y tool", organisation=region["y"])
    x_admin = make_lrs_auth("statements/write", "statements/void-any", name="x", organisation=region["x"])
    regional = make_lrs_auth("statements/write", "statements/void-any", "statements/read", name="regional")
    theirs, ours = learner_statement(region["home_y"]), learner_statement(region["home_x"])
    assert post(client, y_tool, theirs).status_code == 200
    assert (
        post(client, make_lrs_auth("statements/write", name="x tool", organisation=region["x"]), ours).status_code
        == 200
    )
    tool = {"objectType": "Agent", "mbox": "mailto:tool@x.test"}
    assert post(client, x_admin, voiding(theirs["id"], tool)).status_code == 403
    assert client.get(f"/xapi/statements?statementId={theirs['id']}", headers=regional).status_code == 200
    assert post(client, x_admin, voiding(ours["id"], tool)).status_code == 200
    assert post(client, regional, voiding(theirs["id"], tool)).status_code == 200  # the region may, on purpose


def test_a_void_is_seen_by_the_organisation_whose_statement_it_voids(app, client, make_lrs_auth, region):
    """xAPI clients learn of a void by reading the voiding statement: it must reach the target's tenant too."""
    theirs = learner_statement(region["home_y"])
    y_tool = make_lrs_auth("statements/write", "statements/read", name="y tool", organisation=region["y"])
    assert post(client, y_tool, theirs).status_code == 200
    regional = make_lrs_auth("statements/write", "statements/void-any", name="regional")
    void = voiding(theirs["id"], {"objectType": "Agent", "mbox": "mailto:region@vtc.test"})
    assert post(client, regional, void).status_code == 200
    assert ids(client.get("/xapi/statements", headers=y_tool)) == {void["id"]}
    x_reader = make_lrs_auth("statements/read", name="x reader", organisation=region["x"])
    assert ids(client.get("/xapi/statements", headers=x_reader)) == set()


def test_an_organisations_credential_reaches_no_document_of_another_organisations_learner(
    app, client, make_lrs_auth, region
):
    x_tool = make_lrs_auth("state", "profile", name="x tool", organisation=region["x"])
    regional = make_lrs_auth("state", name="regional")

    def state(headers, home, method="PUT"):
        agent = json.dumps({"account": {"homePage": home, "name": "learner-1"}})
        query = {"activityId": "http://x.test/a", "agent": agent, "stateId": "s"}
        return client.open("/xapi/activities/state", method=method, query_string=query, headers=headers, data=b"1")

    assert state(regional, region["home_y"]).status_code == 204
    assert state(x_tool, region["home_y"]).status_code == 403
    assert state(x_tool, region["home_y"], "GET").status_code == 403
    assert state(x_tool, region["home_y"], "DELETE").status_code == 403
    assert state(regional, region["home_y"], "GET").get_data() == b"1"  # unchanged, still there
    assert state(x_tool, region["home_x"]).status_code == 204
    profile = {"agent": json.dumps({"account": {"homePage": region["home_y"], "name": "l"}}), "profileId": "p"}
    assert client.get("/xapi/agents/profile", query_string=profile, headers=x_tool).status_code == 403
