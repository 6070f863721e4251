"""The sync: learning statements taken in the player, RPM profile statements and voiding, read back into LMS tables."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from helpers import csrf_token
from metrics_helpers import World, numbers
from sqlalchemy import func, select

import lrs
from app import ROOT
from learning.accounts.models import Role, Team
from learning.content.document import Quiz
from learning.content.loader import load_module_folder
from learning.db import db
from learning.environments.models import PatientLink
from learning.metrics.models import MetricDirty, MetricValue, SyncCursor, TrainingEvent
from learning.tracking.reader import current_reader
from learning.tracking.sync import CURSOR, sync
from learning.tracking.sync_training import parse_duration

SLUG = "elke-dag-wegen-hartfalen"
MODULE = f"/modules/{SLUG}"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def answers_for(slug: str = SLUG) -> dict[str, list[str]]:
    """The right choice of every quiz and 'agree' (4) for every Likert item, from the module's own source."""
    document = load_module_folder(ROOT / "modules_content" / slug)["nl"]
    return {
        item.id: [str(i) for i in item.correct_indexes] if isinstance(item, Quiz) else ["4"]
        for step in document.steps
        for item in step.items
    }


def take_module(client) -> None:
    """Start the module, answer every item right, follow the steps and finish, as a learner does."""
    response = client.post(f"{MODULE}/start", data={"csrf_token": csrf_token(client, f"{MODULE}/")})
    url, answers = response.headers["Location"], answers_for()
    while url:
        html = client.get(url).get_data(as_text=True)
        for item_id in re.findall(r'id="item-([a-z0-9-]+)"', html):
            data = {"choice": answers[item_id], "csrf_token": csrf_token(client, "/")}
            assert client.post(f"{MODULE}/item/{item_id}", data=data).status_code == 302
        next_link = re.search(r'class="button primary" href="([^"]+)"', html)
        url = next_link.group(1) if next_link else None
    assert client.post(f"{MODULE}/finish", data={"csrf_token": csrf_token(client, "/")}).status_code == 302


def lrs_statements(client, lrs_auth) -> list[dict]:
    return client.get("/xapi/statements?ascending=true&limit=500", headers=lrs_auth).json["statements"]


def run_sync(app, **options):
    with app.app_context():
        report = sync(current_reader(), **options)
        db.session.remove()
    return report


def events(app) -> dict[str, TrainingEvent]:
    with app.app_context():
        rows = db.session.scalars(select(TrainingEvent)).all()
        db.session.expunge_all()
    return {row.statement_id: row for row in rows}


@pytest.fixture
def learner_took_module(client, login, make_user, content, lrs_auth):
    user = make_user(Role.PATIENT)
    login(user)
    take_module(client)
    return user


def test_parse_duration_reads_iso_8601_into_seconds():
    assert parse_duration("PT1H2M3.5S") == 3723.5
    assert parse_duration("P1DT1S") == 86401
    assert parse_duration("P2W") == 1_209_600
    assert parse_duration("PT0S") == 0
    assert [parse_duration(text) for text in ("P1Y", "P1M", "PT", "P", "P1DT", "1 hour", None)] == [None] * 7


def test_module_taken_in_the_player_becomes_one_training_event_per_statement(
    app, client, lrs_auth, learner_took_module
):
    sent = lrs_statements(client, lrs_auth)
    report = run_sync(app)
    rows = events(app)
    assert report.read == len(sent) == report.training_events == len(rows)
    assert report.skipped == []
    assert {row.actor_pid for row in rows.values()} == {learner_took_module.xapi_pid}
    assert {row.module_slug for row in rows.values()} == {SLUG}
    assert len({row.registration for row in rows.values()}) == 1
    by_verb = {row.verb: row for row in rows.values()}
    assert set(by_verb) == {"launched", "initialized", "experienced", "answered", "completed", "passed", "terminated"}


def test_training_events_carry_result_fields_as_sent(app, client, lrs_auth, learner_took_module):
    sent = {s["id"]: s for s in lrs_statements(client, lrs_auth)}
    run_sync(app)
    rows = events(app)
    passed = next(row for row in rows.values() if row.verb == "passed")
    assert passed.success is True
    assert passed.scaled == 1.0  # every answer right
    assert passed.duration_seconds == parse_duration(sent[passed.statement_id]["result"]["duration"])
    assert passed.timestamp == datetime.fromisoformat(sent[passed.statement_id]["timestamp"]).astimezone(UTC)
    answered = [row for row in rows.values() if row.verb == "answered"]
    assert answered
    for row in answered:
        assert row.item_id == sent[row.statement_id]["object"]["id"].rsplit("/", 1)[1]
        assert row.response == sent[row.statement_id]["result"]["response"]
    steps = [row for row in rows.values() if row.verb == "experienced"]
    assert steps
    assert {row.item_id for row in steps} == {None}


def test_second_sync_adds_nothing_and_keeps_the_cursor(app, learner_took_module):
    first = run_sync(app)
    second = run_sync(app)
    assert second.read == first.read  # everything lies within the overlap margin, so it is read again ...
    assert second.training_events == 0  # ... and changes nothing
    assert second.position == first.position
    assert len(events(app)) == first.training_events


def test_cursor_moves_to_the_newest_stored_statement(app, client, lrs_auth, learner_took_module):
    report = run_sync(app)
    newest = max(datetime.fromisoformat(s["stored"]) for s in lrs_statements(client, lrs_auth))
    with app.app_context():
        position = db.session.get(SyncCursor, CURSOR).position
    assert position == report.position
    assert datetime.fromisoformat(position) == newest.replace(microsecond=newest.microsecond // 1000 * 1000)


def test_sync_starts_from_the_cursor_minus_the_overlap(app, learner_took_module):
    run_sync(app)
    with app.app_context():
        db.session.get(SyncCursor, CURSOR).position = "2099-01-01T00:00:00.000Z"
        db.session.commit()
    report = run_sync(app)
    assert (report.read, report.position) == (0, "2099-01-01T00:00:00.000Z")


def test_since_rereads_from_a_given_time_without_moving_the_cursor_back(app, learner_took_module):
    first = run_sync(app)
    again = run_sync(app, since=datetime(2000, 1, 1, tzinfo=UTC))
    assert again.read == first.read
    assert again.training_events == 0
    assert again.position == first.position


def test_voiding_statement_marks_the_training_event_voided(app, client, lrs_auth, learner_took_module):
    run_sync(app)
    target = next(row.statement_id for row in events(app).values() if row.verb == "passed")
    voiding = {
        "actor": {"objectType": "Agent", "account": {"homePage": "https://vtc.test", "name": "admin"}},
        "verb": {"id": VOIDED},
        "object": {"objectType": "StatementRef", "id": target},
    }
    # A credential may not erase the platform's own training record (it was the hole of issue 8) ...
    assert client.post("/xapi/statements", json=voiding, headers=lrs_auth).status_code == 403
    assert run_sync(app).voided == 0
    # ... the platform itself may, and the sync then marks the event voided.
    platform = {"objectType": "Agent", "account": {"homePage": "https://vtc.test", "name": "vtc-lms"}}
    lrs.local_store(app, platform)([voiding])
    report = run_sync(app)
    rows = events(app)
    assert report.voided == 1
    assert [row.statement_id for row in rows.values() if row.voided] == [target]


def test_statement_voided_before_the_first_sync_never_becomes_an_event(app, client, lrs_auth, learner_took_module):
    target = next(s["id"] for s in lrs_statements(client, lrs_auth) if s["verb"]["id"].endswith("/passed"))
    voiding = {
        "actor": {"objectType": "Agent", "account": {"homePage": "https://vtc.test", "name": "admin"}},
        "verb": {"id": VOIDED},
        "object": {"objectType": "StatementRef", "id": target},
    }
    lrs.local_store(app, {"objectType": "Agent", "account": {"homePage": "https://vtc.test", "name": "vtc-lms"}})(
        [voiding]
    )
    report = run_sync(app)
    assert target not in events(app)
    assert report.voided == 0


def test_statements_of_other_providers_are_ignored(app, client, lrs_auth):
    foreign = {
        "actor": {"objectType": "Agent", "account": {"homePage": "https://other-lms.test", "name": "u-1"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"objectType": "Activity", "id": "https://other-lms.test/course/1"},
    }
    client.post("/xapi/statements", json=foreign, headers=lrs_auth)
    report = run_sync(app)
    assert (report.read, report.ignored, report.training_events, report.skipped) == (1, 1, 0, [])


def test_our_actor_with_an_object_that_is_no_module_is_skipped_with_a_reason(app, client, lrs_auth):
    odd = {
        "actor": {"objectType": "Agent", "account": {"homePage": "https://vtc.test", "name": "u-1"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"objectType": "Activity", "id": "https://vtc.test/somewhere/else"},
    }
    client.post("/xapi/statements", json=odd, headers=lrs_auth)
    report = run_sync(app)
    assert [s.reason for s in report.skipped] == [f"object '{odd['object']['id']}' is not a module of this site"]
    assert report.position is not None  # a skipped statement does not hold the cursor back


def test_cli_syncs_and_reports(app, runner, learner_took_module):
    result = runner.invoke(args=["xapi", "sync"])
    assert result.exit_code == 0, result.output
    assert re.search(r"Read (\d+) statement\(s\): \1 new training event\(s\), 0 RPM statement\(s\)", result.output)
    assert "0 skipped, 0 rejected" in result.output
    assert re.search(r"Metrics recomputed for [1-9]\d* month\(s\)\. Position: 20", result.output)


def test_cli_refuses_a_since_that_is_no_time(runner):
    result = runner.invoke(args=["xapi", "sync", "--since", "yesterday"])
    assert result.exit_code == 2
    assert "not an ISO 8601 time" in result.output


def test_unreachable_remote_lrs_stops_the_sync_and_keeps_the_cursor(make_app, app):
    lms = make_app(LRS_ENDPOINT="http://127.0.0.1:9/xapi/", LRS_KEY="k", LRS_SECRET="s", LRS_TIMEOUT=1.0)
    result = lms.test_cli_runner().invoke(args=["xapi", "sync"])
    lms.extensions["vtc.tracker"].stop()
    assert result.exit_code == 1
    assert "stopped early: LRS unreachable" in result.output
    with lms.app_context():
        assert db.session.scalar(select(func.count()).select_from(SyncCursor)) == 0


def test_sync_reads_through_a_remote_lrs_like_in_process(make_app, live_server, lrs_auth, learner_took_module):
    import base64

    key, secret = base64.b64decode(lrs_auth["Authorization"].split()[1]).decode().split(":", 1)
    lms = make_app(LRS_ENDPOINT=f"{live_server.url}/xapi/", LRS_KEY=key, LRS_SECRET=secret)
    report = run_sync(lms, page_size=7)
    lms.extensions["vtc.tracker"].stop()
    assert report.error is None
    assert report.training_events == report.read > 7
    assert date.fromisoformat(report.position[:10]) == datetime.now(UTC).date()


def onboarding_region(app, organisation_id: int, patient_id: int) -> dict[str, int]:
    """A programme whose patients must do the module; two patients enrolled today, one linked to the learner."""
    today = datetime.now(UTC).date()
    with app.app_context():
        world = World()
        team = db.session.scalar(select(Team.id).where(Team.organisation_id == organisation_id))
        programme = world.programme(world.environment(), organisation_id, teams=(team,))
        world.curriculum(programme, "patient", [SLUG])
        linked = world.enrol(programme, team, enrolled_at=today)
        world.add(PatientLink(programme_id=programme, patient_pid=linked, user_id=patient_id))
        world.enrol(programme, team, enrolled_at=today)  # no account: counts as not done
        db.session.commit()
    return {"team": team, "programme": programme}


def queued(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(MetricDirty)) or 0


def test_sync_recomputes_the_months_its_statements_fall_in(app, client, login, make_user, content, organisation_id):
    patient = make_user(Role.PATIENT)
    ids = onboarding_region(app, organisation_id, patient.id)
    login(patient)
    take_module(client)

    report = run_sync(app)

    assert report.recomputed_months == 1
    assert queued(app) == 0
    with app.app_context():
        month = datetime.now(UTC).date().replace(day=1)
        assert numbers("ONBOARD_FIDELITY", "team", ids["team"], month) == (1, 2, 0.5)


def test_without_recompute_the_months_wait_for_the_pending_drain(
    app, client, runner, login, make_user, content, organisation_id
):
    patient = make_user(Role.PATIENT)
    ids = onboarding_region(app, organisation_id, patient.id)
    login(patient)
    take_module(client)

    report = run_sync(app, recompute=False)

    assert (report.recomputed_months, queued(app)) == (0, 1)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MetricValue)) == 0
    result = runner.invoke(args=["metrics", "recompute", "--pending"])
    assert result.exit_code == 0, result.output
    assert queued(app) == 0
    with app.app_context():
        month = datetime.now(UTC).date().replace(day=1)
        assert numbers("ONBOARD_FIDELITY", "team", ids["team"], month) == (1, 2, 0.5)
    assert "Nothing to recompute." in runner.invoke(args=["metrics", "recompute", "--pending"]).output
