"""RPM platform statements, following our profile and POSTed to the LRS with a credential, read into the rpm tables."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from rpm_xapi_helpers import PROFILE, key_of, rows, rpm, run_sync, send

from learning.accounts.models import Organisation
from learning.db import db
from learning.environments.models import Condition, Environment, Phase, Programme, ProgrammeTeam
from learning.rpm.models import Alert, DailyMeasurement, Enrolment, StaffActivity


@pytest.fixture
def programme(app, organisation_id):
    """A heart-failure programme (weight daily, blood pressure 3/week; red and orange alerts) with one team."""
    with app.app_context():
        org = db.session.get(Organisation, organisation_id)
        environment = Environment(
            name="Hartfalen Twente", condition=Condition.HF, phase=Phase.DESIGN, start=date(2026, 1, 1)
        )
        programme = Programme(
            environment=environment,
            organisation=org,
            name="Telemonitoring hartfalen",
            condition=Condition.HF,
            platform_name="Hartwacht",
            measurement_schedule={"weight": "daily", "bp": "3/wk"},
            alert_sla_minutes={"red": 60, "orange": 480},
            start=date(2026, 1, 1),
        )
        db.session.add(programme)
        db.session.flush()
        team = org.teams[0]
        db.session.add(ProgrammeTeam(programme_id=programme.id, team_id=team.id))
        db.session.commit()
        return {"id": programme.id, "team_id": team.id, "team": team.pseudonym}


@pytest.fixture
def platform_auth(make_lrs_auth, runner, organisation_id):
    """Basic-auth headers of the platform's LRS credential, linked to the programme's organisation with the CLI."""
    headers = make_lrs_auth("statements/write", name="Hartwacht")
    result = runner.invoke(
        args=["rpm", "link-credential", "--organisation", str(organisation_id), "--key", key_of(headers)]
    )
    assert result.exit_code == 0, result.output
    return headers


def measured(day: str, programme, result):
    """A `transmitted` statement for a day on which the care plan expected a measurement."""
    return rpm("transmitted", programme, context={"day": day, "expected": True}, result=result)


def all_rows(app) -> list[tuple]:
    """Every RPM row as plain values (but its updated_at), to compare before and after."""
    found = []
    for model in (Enrolment, DailyMeasurement, Alert, StaffActivity):
        columns = [column.key for column in model.__table__.columns if column.key != "updated_at"]
        found += [tuple(getattr(row, name) for name in columns) for row in rows(app, model)]
    return found


def a_patient_journey(programme):
    """Enrolled on 1 March, weighed on 2 March, nothing on 3 March, one red alert handled after 25 minutes."""
    alert = {"alert-id": "A-2026-0042"}
    return [
        rpm("enrolled", programme, context={"team": programme["team"], "offered-on": "2026-02-20"}),
        measured("2026-03-02", programme, {"received-counts": {"weight": 1, "bp": 1}, "manual-counts": {"bp": 1}}),
        measured("2026-03-03", programme, {"received-counts": {}}),
        rpm(
            "alert-raised",
            programme,
            context=alert | {"severity": "red", "team": programme["team"]},
            timestamp="2026-03-03T09:15:00+01:00",
        ),
        rpm(
            "alert-handled",
            programme,
            context=alert,
            result={"action-type": "contacted", "outcome": "contact"},
            timestamp="2026-03-03T09:40:00+01:00",
        ),
        rpm(
            "staff-acted",
            programme,
            actor="S-0042",
            context={"day": "2026-03-03"},
            result={"action-counts": {"alerts_handled": 1, "contacts": 1}},
        ),
    ]


def test_rpm_statements_in_the_lrs_become_rpm_rows(app, client, platform_auth, programme):
    send(client, platform_auth, a_patient_journey(programme))
    report = run_sync(app)
    assert (report.read, report.rpm_statements, report.skipped) == (6, 6, [])
    [enrolment] = rows(app, Enrolment)
    assert (enrolment.patient_pid, enrolment.team_id) == ("P-000123", programme["team_id"])
    assert (enrolment.offered_at, enrolment.enrolled_at) == (date(2026, 2, 20), date(2026, 3, 1))
    assert enrolment.first_measurement_at == date(2026, 3, 2)
    assert enrolment.disenrolled_at is None
    days = [(d.day, d.expected, d.received_counts, d.manual_counts) for d in rows(app, DailyMeasurement)]
    assert days == [(date(2026, 3, 2), True, {"bp": 1, "weight": 1}, {"bp": 1}), (date(2026, 3, 3), True, {}, {})]
    [alert] = rows(app, Alert)
    expected = ("A-2026-0042", "P-000123", "red", programme["team_id"])
    assert (alert.external_id, alert.patient_pid, alert.severity, alert.team_id) == expected
    assert alert.created_at == datetime(2026, 3, 3, 8, 15, tzinfo=UTC)
    assert alert.first_action_at == datetime(2026, 3, 3, 8, 40, tzinfo=UTC)
    assert (alert.action_type, alert.outcome) == ("contacted", "contact")
    [activity] = rows(app, StaffActivity)
    expected = ("S-0042", date(2026, 3, 3), {"alerts_handled": 1, "contacts": 1})
    assert (activity.staff_pid, activity.day, activity.actions) == expected


def test_statements_arriving_over_several_syncs_give_the_same_rows(app, client, platform_auth, programme):
    journey = a_patient_journey(programme)
    for statement in journey:
        send(client, platform_auth, [statement])
        run_sync(app)
    [alert] = rows(app, Alert)
    [enrolment] = rows(app, Enrolment)
    assert (alert.first_action_at, alert.outcome) == (datetime(2026, 3, 3, 8, 40, tzinfo=UTC), "contact")
    assert enrolment.first_measurement_at == date(2026, 3, 2)


def test_syncing_again_changes_no_rpm_row(app, client, platform_auth, programme):
    send(client, platform_auth, a_patient_journey(programme))
    run_sync(app)
    before = all_rows(app)
    again = run_sync(app)  # everything is within the overlap margin: all six are read and merged again
    assert again.rpm_statements == 6
    assert all_rows(app) == before
    assert len(before) == 5  # one enrolment, two days, one alert, one staff day


def test_disenrolled_sets_day_and_reason_and_re_enrolment_clears_them(app, client, platform_auth, programme):
    send(client, platform_auth, [rpm("enrolled", programme)])
    left = rpm("disenrolled", programme, result={"disenrol-reason": "technical"}, timestamp="2026-04-10T12:00:00+02:00")
    send(client, platform_auth, [left])
    run_sync(app)
    [enrolment] = rows(app, Enrolment)
    assert (enrolment.disenrolled_at, enrolment.disenrol_reason) == (date(2026, 4, 10), "technical")
    send(client, platform_auth, [rpm("enrolled", programme, timestamp="2026-05-01T09:00:00+02:00")])
    run_sync(app)
    [enrolment] = rows(app, Enrolment)
    assert (enrolment.enrolled_at, enrolment.disenrolled_at) == (date(2026, 5, 1), None)
    assert enrolment.disenrol_reason is None


def test_the_day_of_a_timestamp_is_the_senders_calendar_day(app, client, platform_auth, programme):
    # 00:30 in Amsterdam is 23:30 UTC the day before: the organisation's own calendar day counts
    send(client, platform_auth, [rpm("enrolled", programme, timestamp="2026-03-01T00:30:00+01:00")])
    run_sync(app)
    assert rows(app, Enrolment)[0].enrolled_at == date(2026, 3, 1)


def test_programme_may_be_named_by_its_number(app, client, platform_auth, programme):
    statement = rpm("enrolled", programme)
    statement["context"]["extensions"][f"{PROFILE}/extensions/programme"] = programme["id"]
    send(client, platform_auth, [statement])
    assert run_sync(app).rpm_statements == 1


def test_malformed_rpm_statements_are_skipped_with_a_reason_and_the_rest_synced(app, client, platform_auth, programme):
    good = rpm("enrolled", programme)
    unknown_programme = rpm("enrolled", {"id": 999_999})
    values_not_counts = measured("2026-03-02", programme, {"received-counts": {"weight": 82.5}})
    no_day = rpm("staff-acted", programme, actor="S-0042", result={"action-counts": {"reviews": 2}})
    foreign_severity = rpm(
        "alert-raised", programme, actor="P-000124", context={"alert-id": "A-1", "severity": "purple"}
    )
    unknown_alert = rpm("alert-handled", programme, context={"alert-id": "A-404"}, result={"action-type": "contacted"})
    named_actor = rpm("enrolled", programme, actor="P-000125")
    named_actor["actor"]["name"] = "Jan de Vries"
    our_account = rpm("enrolled", programme)
    our_account["actor"]["account"]["homePage"] = "https://vtc.test"
    our_learner = rpm("enrolled", programme, actor="P-000127")  # an organisation's learner homePage is ours too
    our_learner["actor"]["account"]["homePage"] = f"https://vtc.test/org/{uuid.uuid4()}"
    unknown_team = rpm("enrolled", programme, actor="P-000126", context={"team": str(uuid.uuid4())})
    name_as_pseudonym = rpm("enrolled", programme, actor="Jan")
    bad = [
        unknown_programme,
        values_not_counts,
        no_day,
        foreign_severity,
        unknown_alert,
        named_actor,
        our_account,
        our_learner,
        unknown_team,
        name_as_pseudonym,
    ]
    send(client, platform_auth, [*bad[:4], good, *bad[4:]])
    report = run_sync(app)
    reasons = {s.statement_id: s.reason for s in report.skipped}
    assert (report.read, report.rpm_statements, len(reasons)) == (11, 1, 10)
    assert report.rejected == []  # all from the linked credential: skipped for what they say, not who sent them
    assert reasons[unknown_programme["id"]] == "there is no programme 999999"
    assert reasons[values_not_counts["id"]].startswith("daily record refused: received.weight: ")  # 82.5 is no count
    assert reasons[no_day["id"]] == "context extension 'day' is missing"
    assert "severity: Not a severity of this programme" in reasons[foreign_severity["id"]]
    assert reasons[unknown_alert["id"]] == "alert 'A-404' of this patient is not known (alert-raised must come first)"
    assert reasons[named_actor["id"]].startswith("the actor carries a name or mailbox")
    assert reasons[our_account["id"]] == "the actor must be an account of the care organisation's platform"
    assert reasons[our_learner["id"]] == "the actor must be an account of the care organisation's platform"
    assert reasons[unknown_team["id"]].startswith("team ")
    assert "This looks like a name" in reasons[name_as_pseudonym["id"]]
    assert [e.patient_pid for e in rows(app, Enrolment)] == ["P-000123"]
    assert rows(app, DailyMeasurement) == rows(app, Alert) == rows(app, StaffActivity) == []


def test_cli_lists_skipped_rpm_statements(app, runner, client, platform_auth, programme):
    bad = rpm("disenrolled", programme, result={"disenrol-reason": "moved"})
    send(client, platform_auth, [rpm("enrolled", programme), bad])
    result = runner.invoke(args=["xapi", "sync"])
    assert result.exit_code == 0
    assert f"skipped {bad['id']}: enrolments record refused: disenrol_reason: Must be one of:" in result.output
    assert "Read 2 statement(s): 0 new training event(s), 1 RPM statement(s), 0 voided, 0 ignored, 1 skipped" in (
        result.output
    )
