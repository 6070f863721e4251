"""Learning statements become training only when the platform sent them, or a credential linked to the learner's
organisation: before, any credential could post `passed` under a nurse's pseudonym and the sync counted it."""

from __future__ import annotations

import base64
import uuid

from sqlalchemy import select

from learning.accounts.models import Organisation, Role
from learning.db import db
from learning.metrics.models import TrainingEvent
from learning.tracking.reader import current_reader
from learning.tracking.sync import sync

BASE = "https://vtc.test"


def key_of(auth: dict[str, str]) -> str:
    return base64.b64decode(auth["Authorization"].removeprefix("Basic ")).decode().split(":")[0]


def forged(actor_pid: str, verb: str = "passed", home: str = BASE) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": home, "name": actor_pid}},
        "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}"},
        "object": {"objectType": "Activity", "id": f"{BASE}/xapi/module/rpm-meting-tot-melding"},
        "result": {"success": True, "completion": True},
    }


def imported(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(TrainingEvent.statement_id)))


def run(app):
    with app.app_context():
        report = sync(current_reader())
        db.session.remove()
    return report


def test_a_stranger_cannot_post_a_nurses_training(app, client, make_user, make_lrs_auth):
    nurse = make_user(Role.PROFESSIONAL)
    stranger = make_lrs_auth("statements/write", name="attacker")
    statements = [forged(nurse.xapi_pid, "passed"), forged(nurse.xapi_pid, "completed")]
    assert client.post("/xapi/statements", json=statements, headers=stranger).status_code == 200
    report = run(app)
    assert imported(app) == set()
    assert report.training_events == 0
    assert {skipped.statement_id for skipped in report.rejected} == {s["id"] for s in statements}
    assert f"credential {key_of(stranger)}" in report.rejected[0].reason
    assert "link-credential" in report.rejected[0].reason


def test_a_credential_linked_to_the_learners_organisation_may(app, client, runner, make_user, make_lrs_auth):
    nurse = make_user(Role.PROFESSIONAL)
    tool = make_lrs_auth("statements/write", name="the hospital's own authoring tool")
    linked = runner.invoke(args=["rpm", "link-credential", "--organisation", "Test Ziekenhuis", "--key", key_of(tool)])
    assert linked.exit_code == 0, linked.output
    statement = forged(nurse.xapi_pid)
    assert client.post("/xapi/statements", json=statement, headers=tool).status_code == 200
    report = run(app)
    assert imported(app) == {statement["id"]}
    assert report.rejected == []


def test_a_credential_linked_to_another_organisation_may_not(app, client, runner, make_user, make_lrs_auth):
    nurse = make_user(Role.PROFESSIONAL)
    with app.app_context():
        db.session.add(Organisation(name="Andere Zorggroep", kind="care_group"))
        db.session.commit()
    tool = make_lrs_auth("statements/write", name="another organisation's tool")
    linked = runner.invoke(args=["rpm", "link-credential", "--organisation", "Andere Zorggroep", "--key", key_of(tool)])
    assert linked.exit_code == 0, linked.output
    statement = forged(nurse.xapi_pid)
    assert client.post("/xapi/statements", json=statement, headers=tool).status_code == 200
    report = run(app)
    assert imported(app) == set()
    assert [skipped.statement_id for skipped in report.rejected] == [statement["id"]]


def home_of(app, name: str) -> str:
    with app.app_context():
        return f"{BASE}/org/" + db.session.scalar(select(Organisation.pseudonym).where(Organisation.name == name))


def test_the_learners_own_organisations_homepage_and_the_regional_one_are_accepted(
    app, client, runner, make_user, make_lrs_auth
):
    nurse = make_user(Role.PROFESSIONAL)
    tool = make_lrs_auth("statements/write", name="the hospital's own authoring tool")
    runner.invoke(args=["rpm", "link-credential", "--organisation", "Test Ziekenhuis", "--key", key_of(tool)])
    statements = [forged(nurse.xapi_pid, home=home_of(app, "Test Ziekenhuis")), forged(nurse.xapi_pid, "completed")]
    assert client.post("/xapi/statements", json=statements, headers=tool).status_code == 200
    report = run(app)
    assert imported(app) == {s["id"] for s in statements}
    assert report.rejected == []


def test_a_homepage_of_another_organisation_cannot_move_a_learner_there(app, client, runner, make_user, make_lrs_auth):
    nurse = make_user(Role.PROFESSIONAL)
    with app.app_context():
        db.session.add(Organisation(name="Andere Zorggroep", kind="care_group"))
        db.session.commit()
    tool = make_lrs_auth("statements/write", name="the hospital's own authoring tool")
    runner.invoke(args=["rpm", "link-credential", "--organisation", "Test Ziekenhuis", "--key", key_of(tool)])
    statement = forged(nurse.xapi_pid, home=home_of(app, "Andere Zorggroep"))
    assert client.post("/xapi/statements", json=statement, headers=tool).status_code == 200
    report = run(app)
    assert imported(app) == set()
    assert [skipped.statement_id for skipped in report.rejected] == [statement["id"]]
    assert "is not that of the learner's own organisation" in report.rejected[0].reason


def voiding(target: str) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": "https://tool.test", "name": "tool"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
        "object": {"objectType": "StatementRef", "id": target},
    }


def voided_events(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(TrainingEvent.statement_id).where(TrainingEvent.voided.is_(True))))


def test_from_an_outside_lrs_only_the_platform_or_a_linked_credential_voids_training(
    app, client, runner, make_app, live_server, make_user, make_lrs_auth
):
    """An outside LRS may let anyone void anything: the sync then honours a void of training only from the
    platform's own key or a credential linked to the learner's organisation (here the LMS reads our own LRS
    over HTTP, where a statements/void-any credential may void another credential's statements)."""
    nurse = make_user(Role.PROFESSIONAL)
    tool = make_lrs_auth("statements/write", name="the hospital's own authoring tool")
    runner.invoke(args=["rpm", "link-credential", "--organisation", "Test Ziekenhuis", "--key", key_of(tool)])
    regional = make_lrs_auth("statements/write", "statements/void-any", name="a regional tool")
    platform = make_lrs_auth(name="the LMS's own key")
    key, secret = base64.b64decode(platform["Authorization"].split()[1]).decode().split(":", 1)
    lms = make_app(LRS_ENDPOINT=f"{live_server.url}/xapi/", LRS_KEY=key, LRS_SECRET=secret)
    kept, dropped = forged(nurse.xapi_pid), forged(nurse.xapi_pid, "completed")
    assert client.post("/xapi/statements", json=[kept, dropped], headers=tool).status_code == 200
    assert run(lms).training_events == 2
    assert client.post("/xapi/statements", json=voiding(kept["id"]), headers=regional).status_code == 200
    assert client.post("/xapi/statements", json=voiding(dropped["id"]), headers=tool).status_code == 200
    report = run(lms)
    lms.extensions["vtc.tracker"].stop()
    assert imported(app) == {kept["id"], dropped["id"]}
    assert voided_events(app) == {dropped["id"]}  # the linked tool's void counts; the regional tool's does not
    assert len(report.rejected) == 1
    assert f"credential {key_of(regional)} voided training" in report.rejected[0].reason
