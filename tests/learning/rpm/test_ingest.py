"""Checking and importing records directly through the service: every rule, all-or-nothing, idempotent upserts."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from learning.db import db
from learning.rpm.fields import Kind
from learning.rpm.ingest import STORAGE, ForeignProgramme, import_records
from learning.rpm.models import Alert, DailyMeasurement, EligibleCount, Enrolment, StaffActivity


def count(kind: str) -> int:
    return db.session.scalar(select(func.count()).select_from(STORAGE[Kind(kind)].model)) or 0


@pytest.mark.parametrize("kind", [k.value for k in Kind])
def test_every_kind_imports_and_a_second_import_changes_nothing(ctx, seed, good, kind):
    first = import_records(Kind(kind), seed.organisation_id, good[kind])
    assert (first.inserted, first.updated, first.unchanged, first.rejected) == (len(good[kind]), 0, 0, 0)
    again = import_records(Kind(kind), seed.organisation_id, copy.deepcopy(good[kind]))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, len(good[kind]))
    assert count(kind) == len(good[kind])


def test_enrolments_are_stored_with_team_resolved_by_name_or_number(ctx, seed, good):
    import_records(Kind.ENROLMENTS, seed.organisation_id, good["enrolments"])
    rows = db.session.scalars(select(Enrolment).order_by(Enrolment.programme_id, Enrolment.patient_pid)).all()
    stored = [(r.programme_id, r.patient_pid, r.team_id, r.enrolled_at, r.disenrol_reason) for r in rows]
    assert sorted(stored) == sorted(
        [
            (seed.hf, "P-0001", seed.hf_team, date(2025, 3, 1), None),
            (seed.hf, "P-0002", seed.hf_team, date(2025, 3, 3), "technical"),
            (seed.copd, "P-0001", None, None, None),
        ]
    )


def test_a_changed_record_updates_its_row(ctx, seed, good):
    import_records(Kind.ENROLMENTS, seed.organisation_id, good["enrolments"])
    changed = copy.deepcopy(good["enrolments"])
    changed[0] |= {"disenrolled_at": "2025-05-01", "disenrol_reason": "patient_choice"}
    report = import_records(Kind.ENROLMENTS, seed.organisation_id, changed)
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 2)
    row = db.session.scalar(
        select(Enrolment).where(Enrolment.programme_id == seed.hf, Enrolment.patient_pid == "P-0001")
    )
    assert row is not None
    assert (row.disenrolled_at, row.disenrol_reason) == (date(2025, 5, 1), "patient_choice")


def test_daily_counts_are_stored_without_zeros(ctx, seed, good):
    import_records(Kind.DAILY, seed.organisation_id, good["daily"])
    rows = {(r.patient_pid, r.day): r for r in db.session.scalars(select(DailyMeasurement))}
    first = rows["P-0001", date(2025, 3, 2)]
    assert (first.expected, first.received_counts, first.manual_counts) == (True, {"weight": 1}, {"weight": 1})
    assert rows["P-0001", date(2025, 3, 3)].received_counts == {}
    assert rows["P-0009", date(2025, 3, 2)].received_counts == {"spo2": 2}


def test_alert_times_are_stored_in_utc_and_local_times_read_as_dutch(ctx, seed, good):
    import_records(Kind.ALERTS, seed.organisation_id, good["alerts"])
    alerts = {a.external_id: a for a in db.session.scalars(select(Alert))}
    # 09:15 in Amsterdam in March is CET (+01:00): 08:15 UTC. 09:40+01:00 is 08:40 UTC.
    assert alerts["A-1"].created_at == datetime(2025, 3, 2, 8, 15, tzinfo=UTC)
    assert alerts["A-1"].first_action_at == datetime(2025, 3, 2, 8, 40, tzinfo=UTC)
    assert (alerts["A-1"].team_id, alerts["A-1"].severity) == (seed.hf_team, "red")
    assert alerts["A-2"].created_at == datetime(2025, 7, 1, 9, 15, tzinfo=UTC)
    assert alerts["A-2"].first_action_at is None


def test_staff_actions_and_eligible_months_are_stored(ctx, seed, good):
    import_records(Kind.STAFF_ACTIVITY, seed.organisation_id, good["staff-activity"])
    import_records(Kind.ELIGIBLE_COUNTS, seed.organisation_id, good["eligible-counts"])
    activity = db.session.scalar(select(StaffActivity))
    assert activity is not None
    assert activity.actions == {"enrolments": 1, "reviews": 6}
    eligible = db.session.scalar(select(EligibleCount).where(EligibleCount.programme_id == seed.hf))
    assert eligible is not None
    assert (eligible.period_start, eligible.period_end, eligible.count, eligible.source) == (
        date(2025, 3, 1),
        date(2025, 4, 1),  # exclusive end: [a, b)
        140,
        "ehr",
    )


BAD = [
    # kind, index into good[kind], changes, field, message fragment
    ("enrolments", 0, {"enrolled_at": "2025-02-01"}, "enrolled_at", "before offered_at"),
    ("enrolments", 0, {"first_measurement_at": "2025-02-28"}, "first_measurement_at", "before enrolled_at"),
    ("enrolments", 2, {"first_measurement_at": "2025-04-02"}, "first_measurement_at", "Needs enrolled_at"),
    ("enrolments", 0, {"disenrolled_at": "2025-04-01"}, "disenrolled_at", "Needs disenrol_reason"),
    ("enrolments", 0, {"disenrol_reason": "death"}, "disenrol_reason", "Needs disenrolled_at"),
    ("enrolments", 1, {"disenrol_reason": "died"}, "disenrol_reason", "Must be one of"),
    ("enrolments", 2, {"offered_at": None}, "enrolled_at", "Give offered_at, enrolled_at or both"),
    ("enrolments", 0, {"team": "Longpoli"}, "team", "does not work in programme Hartfalen thuis"),
    ("enrolments", 0, {"team": 999}, "team", "does not work in programme"),
    ("enrolments", 0, {"enrolled_at": "01-03-2025"}, "enrolled_at", "YYYY-MM-DD"),
    ("enrolments", 0, {"enrolled_at": "2025-02-30"}, "enrolled_at", "not a date in the calendar"),
    ("enrolments", 0, {"first_measurement_at": "2099-01-01"}, "first_measurement_at", "future"),
    ("enrolments", 0, {"patient_pid": "Jan de Vries"}, "patient_pid", "looks like a name"),
    ("enrolments", 0, {"patient_pid": "jan@example.nl"}, "patient_pid", "e-mail address"),
    ("enrolments", 0, {"patient_pid": "111222333"}, "patient_pid", "BSN"),
    ("enrolments", 0, {"patient_pid": "1950-03-12"}, "patient_pid", "date (of birth?)"),
    ("enrolments", 0, {"patient_pid": None}, "patient_pid", "Required"),
    ("enrolments", 0, {"programme": "Hartfalen"}, "programme", "Must be a number"),
    ("enrolments", 0, {"weight_kg": 82.5}, "weight_kg", "Measurement values may not be sent"),
    ("enrolments", 0, {"geboortedatum": "1950-03-12"}, "geboortedatum", "Dates of birth"),
    ("enrolments", 0, {"notes": "x"}, "notes", "Unknown field"),
    ("daily", 0, {"received": {"weight": 82.5}}, "received.weight", "a count, not a measured value"),
    ("daily", 0, {"received": {"weight": -1}}, "received.weight", "from 0 to 1000000"),
    ("daily", 0, {"received": {"spo2": 1, "weight": 1}}, "received.spo2", "does not measure spo2"),
    ("daily", 0, {"manual": {"weight": 2}}, "manual.weight", "More typed-in measurements"),
    ("daily", 0, {"expected": "maybe"}, "expected", "yes or no"),
    ("daily", 0, {"received": [1]}, "received", "object of counts"),
    ("alerts", 0, {"severity": "yellow"}, "severity", "use one of: orange, red"),
    ("alerts", 0, {"first_action_at": "2025-03-02T09:00+01:00"}, "first_action_at", "before created_at"),
    ("alerts", 1, {"action_type": "contacted"}, "action_type", "Needs first_action_at"),
    ("alerts", 0, {"created_at": "2 maart 2025"}, "created_at", "YYYY-MM-DDTHH:MM"),
    ("alerts", 0, {"external_id": "EXAMPLE-A1"}, "external_id", "example row"),
    ("staff-activity", 0, {"actions": {"calls": 3}}, "actions.calls", "Unknown type"),
    ("staff-activity", 0, {"staff_pid": "Pietersen"}, "staff_pid", "looks like a name"),
    ("staff-activity", 0, {"actions": {"reviews": True}}, "actions.reviews", "whole number"),
    ("eligible-counts", 0, {"period": "2025-13"}, "period", "YYYY-MM"),
    ("eligible-counts", 0, {"count": -5}, "count", "from 0 to 1000000"),
    ("eligible-counts", 0, {"count": 1_000_001}, "count", "from 0 to 1000000"),
    ("eligible-counts", 0, {"count": "111222333"}, "count", "BSN"),
    ("enrolments", 0, {"offered_at": "123456782"}, "offered_at", "BSN"),
    ("enrolments", 0, {"team": "p.jansen@zorg.nl"}, "team", "e-mail address"),
    ("enrolments", 0, {"team": 111222333}, "team", "BSN"),
    ("alerts", 0, {"severity": "a@b.nl"}, "severity", "e-mail address"),
    ("eligible-counts", 0, {"source": "guess"}, "source", "ehr, manual"),
    ("eligible-counts", 0, {"period": "2099-01"}, "period", "future"),
]


@pytest.mark.parametrize(("kind", "index", "changes", "field", "fragment"), BAD)
def test_each_rule_rejects_the_record_and_imports_nothing(ctx, seed, good, kind, index, changes, field, fragment):
    records = copy.deepcopy(good[kind])
    records[index] = {k: v for k, v in (records[index] | changes).items() if v is not None}
    report = import_records(Kind(kind), seed.organisation_id, records)
    assert [(p.index, p.field) for p in report.problems] == [(index, field)]
    assert fragment in report.problems[0].message
    assert (report.inserted, report.updated, report.unchanged, report.rejected) == (0, 0, 0, 1)
    assert count(kind) == 0


def test_every_problem_of_a_batch_is_reported_at_once(ctx, seed, good):
    records = copy.deepcopy(good["enrolments"])
    records[0]["patient_pid"] = "Jan de Vries"
    records[2]["offered_at"] = "2099-12-31"
    records.append("not an object")
    report = import_records(Kind.ENROLMENTS, seed.organisation_id, records)
    assert [(p.index, p.field) for p in report.problems] == [(0, "patient_pid"), (2, "offered_at"), (3, None)]
    assert report.rejected == 3


def test_the_same_key_twice_in_one_batch_is_refused(ctx, seed, good):
    records = [good["alerts"][0], good["alerts"][0] | {"severity": "orange"}]
    report = import_records(Kind.ALERTS, seed.organisation_id, records)
    assert [(p.index, p.field) for p in report.problems] == [(1, "external_id")]
    assert "appears more than once" in report.problems[0].message
    assert count("alerts") == 0


@pytest.mark.parametrize("programme", ["other", 999_999])
def test_a_programme_of_another_organisation_refuses_the_whole_batch(ctx, seed, good, programme):
    records = copy.deepcopy(good["enrolments"])
    records[1]["programme"] = seed.other if programme == "other" else programme
    with pytest.raises(ForeignProgramme) as refused:
        import_records(Kind.ENROLMENTS, seed.organisation_id, records)
    assert refused.value.programmes == [records[1]["programme"]]
    assert count("enrolments") == 0


def test_a_team_of_another_organisation_is_refused(ctx, seed, good):
    records = [good["enrolments"][0] | {"team": seed.other_team}]
    report = import_records(Kind.ENROLMENTS, seed.organisation_id, records)
    assert [(p.index, p.field) for p in report.problems] == [(0, "team")]


def test_another_organisations_programme_outweighs_other_problems(ctx, seed, good):
    records = copy.deepcopy(good["enrolments"])
    records[0]["patient_pid"] = "Jan de Vries"
    records[1]["programme"] = seed.other
    with pytest.raises(ForeignProgramme):
        import_records(Kind.ENROLMENTS, seed.organisation_id, records)


def test_a_day_just_after_dutch_midnight_is_not_in_the_future(ctx, seed):
    # 23:30 UTC on 24 November is 00:30 on 25 November in Amsterdam (CET, +01:00)
    now = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    records = [{"programme": seed.hf, "staff_pid": "S-1", "day": "2026-11-25", "actions": {"reviews": 1}}]
    assert import_records(Kind.STAFF_ACTIVITY, seed.organisation_id, records, now=now).inserted == 1
    later = [{"programme": seed.hf, "staff_pid": "S-1", "day": "2026-11-26", "actions": {"reviews": 1}}]
    report = import_records(Kind.STAFF_ACTIVITY, seed.organisation_id, later, now=now)
    assert [(p.field, p.message) for p in report.problems] == [("day", "Lies in the future.")]
