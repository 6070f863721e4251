"""Patient-month summaries: bit masks per day, the schedule applied on reading, months rebuilt when rows are missing."""

from __future__ import annotations

from datetime import date

from metrics_helpers import MARCH, World, numbers
from sqlalchemy import func, select

from learning.db import db
from learning.metrics.models import PatientMonth
from learning.metrics.patient_months import Masks, fold_daily_rows, read_months, rebuild_all, summarise
from learning.metrics.periods import Period
from learning.metrics.services import recompute_all

SCHEDULE = {"weight": "daily", "bp": "3/wk"}


def day(n: int) -> date:
    return date(2025, 3, n)


def test_the_schedule_decides_met_days_and_days_with_a_measurement():
    masks = Masks()
    masks.fold(day(1), True, {"weight": 1, "bp": 1})  # met, measured
    masks.fold(day(2), True, {"bp": 2})  # not met (no weight), measured
    masks.fold(day(3), False, {"weight": 1})  # measured, not expected
    masks.fold(day(4), True, {})  # expected, nothing
    masks.fold(day(5), True, {"steps": 3})  # a type outside the schedule

    assert summarise(masks, SCHEDULE) == (4, 1, 0b00111)
    assert summarise(masks, {"bp": "3/wk"}) == (4, 2, 0b00011)  # no daily type: any scheduled type meets
    assert summarise(masks, {}) == (4, 3, 0b10111)  # no schedule: any count at all


def test_a_later_row_for_the_same_day_replaces_the_earlier_one():
    masks = Masks()
    masks.fold(day(7), True, {"weight": 1})
    masks.fold(day(7), False, {"weight": 0})

    assert (masks.present, masks.expected, masks.any_received, masks.received) == (1 << 6, 0, 1 << 6, {})
    assert summarise(masks, SCHEDULE) == (0, 0, 0)


def test_folded_rows_are_stored_per_patient_and_month(world: World):
    rows = [
        {"programme_id": 1, "patient_pid": "p1", "day": day(31), "expected": True, "received_counts": {"weight": 1}},
        {"programme_id": 1, "patient_pid": "p1", "day": date(2025, 4, 1), "expected": True, "received_counts": {}},
    ]
    fold_daily_rows(rows)
    fold_daily_rows([{**rows[0], "received_counts": {}}])  # the platform corrects the 31st

    stored = {(r.month, r.present, r.expected, r.any_received): r.received for r in db.session.scalars(
        select(PatientMonth).order_by(PatientMonth.month))}  # fmt: skip
    assert stored == {(MARCH, 1 << 30, 1 << 30, 0): {}, (date(2025, 4, 1), 1, 1, 0): {}}


def test_a_month_with_rows_written_around_ingestion_is_rebuilt_before_it_is_read(world: World):
    org = world.org()
    programme = world.programme(world.environment(), org, measurement_schedule=SCHEDULE)
    world.daily(programme, "p1", day(2), True, {"weight": 1})  # written straight into rpm_daily
    world.daily(programme, "p1", day(3), True, {"bp": 1})

    read = read_months({programme: SCHEDULE}, [Period(MARCH)])

    assert read == {"2025-03": {(programme, "p1"): (2, 1, 0b110)}}
    assert db.session.scalar(select(func.count()).select_from(PatientMonth)) == 1


def test_a_month_whose_summaries_miss_a_row_is_rebuilt(world: World):
    org = world.org()
    programme = world.programme(world.environment(), org, measurement_schedule=SCHEDULE)
    world.daily(programme, "p1", day(2), True, {"weight": 1})
    fold_daily_rows([{"programme_id": programme, "patient_pid": "p1", "day": day(2), "expected": True,
                      "received_counts": {"weight": 1}}])  # as ingestion stores it  # fmt: skip
    world.daily(programme, "p1", day(3), True, {})  # and one row around it

    read = read_months({programme: SCHEDULE}, [Period(MARCH)])

    assert read == {"2025-03": {(programme, "p1"): (2, 1, 0b10)}}


def test_a_short_run_reads_the_summaries_and_gives_what_a_long_run_gives(world: World):
    org = world.org()
    team = world.team(org)
    programme = world.programme(world.environment(), org, teams=(team,), measurement_schedule=SCHEDULE)
    for i in range(12):
        pid = world.enrol(programme, team, enrolled_at=date(2024, 9, 1 + i))  # day 180 falls in March
        world.daily(programme, pid, date(2025, 2, 27), True, {"weight": 1} if i % 3 else {})  # retention window
        for n in range(15, 25):
            world.daily(programme, pid, day(n), True, {"weight": 1, "bp": 1} if (n + i) % 4 else {"bp": 1})
    rebuild_all()

    recompute_all([Period(MARCH)])  # short: summaries
    short = [numbers(code, "team", team) for code in ("PT_ADHERENCE", "PT_ADHERENCE_SHARE", "PT_ACTIVE", "PT_RET180")]
    recompute_all([Period(date(2025, 1, 1)), Period(date(2025, 2, 1)), Period(MARCH)])  # long: the daily rows

    assert [numbers(code, "team", team) for code in ("PT_ADHERENCE", "PT_ADHERENCE_SHARE", "PT_ACTIVE",
                                                      "PT_RET180")] == short  # fmt: skip
    # 120 expected days; the weight is missing where (n + i) % 4 == 0: 30 days. Day 180 after 1-12 Sept. is
    # 28 Feb.-11 Mar., so 11 patients (i = 1..11) reach it in March; their days 150-180 hold 27 Feb. (measured when
    # i % 3 != 0) and no March row (those start on the 15th): 8 of 11 retained.
    assert short[0] == (90, 120, 0.75)
    assert short[2] == (12, 12, 1.0)
    assert short[3] == (8, 11, 8 / 11)
