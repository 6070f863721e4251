"""Patient-derived metrics against hand-computed fixtures (March 2025 has 31 days)."""

from __future__ import annotations

from datetime import date

import pytest
from metrics_helpers import MARCH, at, numbers

from learning.metrics.periods import Period
from learning.metrics.services import recompute_all


def test_uptake_active_activation_dropout_alert_rate_adoption_and_reach(world):
    org = world.org()
    team, idle = world.team(org), world.team(org)
    programme = world.programme(world.environment(), org, teams=(team, idle))
    d = date
    e1 = world.enrol(programme, team, offered_at=d(2025, 3, 2), enrolled_at=d(2025, 3, 3),
                     first_measurement_at=d(2025, 3, 5))  # fmt: skip
    world.enrol(programme, team, offered_at=d(2025, 3, 4))  # e2: declined
    world.enrol(programme, team, offered_at=d(2025, 1, 10), enrolled_at=d(2025, 1, 15), disenrolled_at=d(2025, 3, 10),
                disenrol_reason="patient_choice")  # fmt: skip
    world.enrol(programme, team, enrolled_at=d(2025, 2, 1), disenrolled_at=d(2025, 3, 20), disenrol_reason="death")
    world.enrol(programme, team, enrolled_at=d(2025, 3, 25))  # e5: never measured
    world.enrol(programme, team, enrolled_at=d(2025, 3, 1), first_measurement_at=d(2025, 3, 9))  # e6: day 8
    world.enrol(programme, team, enrolled_at=d(2025, 2, 1), disenrolled_at=d(2025, 2, 28), disenrol_reason="other")
    e8 = world.enrol(programme, team, enrolled_at=d(2025, 3, 20))  # first measurement only in the daily rows
    world.daily(programme, e1, d(2025, 3, 5), True, {"weight": 1})
    world.daily(programme, e8, d(2025, 3, 24), False, {"weight": 1})
    world.alert(programme, team, at(d(2025, 3, 6)))
    world.alert(programme, team, at(d(2025, 3, 7)))
    world.eligible(programme, d(2025, 1, 1), d(2025, 3, 31), 50)  # a quarter count, less recent than …
    world.eligible(programme, d(2025, 3, 1), d(2025, 3, 31), 20)  # … the month's own count, which wins

    recompute_all([Period(MARCH)])

    # offered in March: e1 (enrolled), e2 (declined)
    assert numbers("PT_UPTAKE", "team", team) == (1, 2, 0.5)
    # enrolled in March: e1 e3 e4 e5 e6 e8 (e7 left on 28 Feb); measured in March: e1, e8
    assert numbers("PT_ACTIVE", "team", team) == (2, 6, 2 / 6)
    # March cohort: e1 (2 days) yes, e5 no, e6 (8 days) no, e8 (4 days, from daily rows) yes
    assert numbers("PT_ACTIVATION", "team", team) == (2, 4, 0.5)
    # enrolled at 1 March: e3, e4, e6; dropped out in March for a counting reason: e3 (e4 died)
    assert numbers("PT_DROPOUT", "team", team) == (1, 3, 1 / 3)
    # patient-days: e1 29 + e3 9 + e4 19 + e5 7 + e6 31 + e8 12 = 107 -> 1.07 hundreds; 2 alerts
    alerts, hundreds, rate = numbers("ALERT_RATE", "team", team)
    assert (alerts, hundreds, rate) == (2, pytest.approx(1.07), pytest.approx(2 / 1.07))
    # adopting teams: team has enrolled patients, idle has none
    assert numbers("TEAM_ADOPT", "team", team) == (1, 1, 1.0)
    assert numbers("TEAM_ADOPT", "organisation", org) == (1, 2, 0.5)
    # reach at programme level only: 6 enrolled / 20 eligible
    assert numbers("PT_REACH", "programme", programme) == (6, 20, 0.3)
    assert numbers("PT_REACH", "region", 0) == (6, 20, 0.3)


def test_adherence_pools_days_and_counts_patients_at_or_above_the_threshold(world):
    org = world.org()
    team = world.team(org)
    env = world.environment()
    heart = world.programme(env, org, teams=(team,), measurement_schedule={"weight": "daily", "bp": "3/wk"})
    sugar = world.programme(env, org, teams=(team,), measurement_schedule={"glucose": "3/wk"})
    p1, p2, p3 = (world.enrol(heart, team, enrolled_at=date(2025, 1, 1)) for _ in range(3))
    p4 = world.enrol(sugar, team, enrolled_at=date(2025, 1, 1))
    for day, counts in [(1, {"weight": 1, "bp": 1}), (2, {"weight": 1}), (3, {"bp": 1}), (4, {"weight": 2}), (5, {})]:
        world.daily(heart, p1, date(2025, 3, day), True, counts)  # met on days 1, 2, 4: weight is the daily type
    world.daily(heart, p1, date(2025, 3, 6), False, {"weight": 1})  # not expected: not in ExpDays
    for day in range(10, 14):
        world.daily(heart, p2, date(2025, 3, day), True, {"weight": 1})
    world.daily(heart, p3, date(2025, 3, 2), False, {"weight": 1})  # no expected day at all
    world.daily(sugar, p4, date(2025, 3, 3), True, {"glucose": 1})  # no daily type: any scheduled type meets
    world.daily(sugar, p4, date(2025, 3, 5), True, {"weight": 1})  # weight is not in this schedule

    recompute_all([Period(MARCH)])

    # heart: p1 3/5, p2 4/4 -> pooled 7/9; AD >= 0.8: p2 only (p3 has no expected day) -> 1/2
    assert numbers("PT_ADHERENCE", "programme", heart) == (7, 9, 7 / 9)
    assert numbers("PT_ADHERENCE_SHARE", "programme", heart) == (1, 2, 0.5)
    # sugar: p4 1/2, below 0.8
    assert numbers("PT_ADHERENCE", "programme", sugar) == (1, 2, 0.5)
    # the team pools both programmes: (3+4+1)/(5+4+2); share 1 of 3 patients
    assert numbers("PT_ADHERENCE", "team", team) == (8, 11, 8 / 11)
    assert numbers("PT_ADHERENCE_SHARE", "team", team) == (1, 3, 1 / 3)


def test_retention_counts_the_cohort_whose_day_180_falls_in_the_month(world):
    org = world.org()
    team = world.team(org)
    programme = world.programme(world.environment(), org, teams=(team,))
    r1 = world.enrol(programme, team, enrolled_at=date(2024, 9, 10))  # days 150-180 = 7 Feb … 9 Mar
    r2 = world.enrol(programme, team, enrolled_at=date(2024, 9, 15))  # day 180 = 14 Mar
    r3 = world.enrol(programme, team, enrolled_at=date(2024, 9, 20))  # day 180 = 19 Mar
    r4 = world.enrol(programme, team, enrolled_at=date(2024, 8, 1))  # day 180 = 28 Jan: January's cohort
    world.daily(programme, r1, date(2025, 2, 20), True, {"weight": 1})  # day 163: retained
    world.daily(programme, r2, date(2025, 1, 1), True, {"weight": 1})  # day 108: too early
    world.daily(programme, r3, date(2025, 3, 19), True, {"weight": 1})  # day 180 exactly: retained
    world.daily(programme, r4, date(2025, 1, 20), True, {"weight": 1})

    recompute_all([Period(MARCH)])

    assert numbers("PT_RET180", "team", team) == (2, 3, 2 / 3)


def test_programme_sustained_counts_active_months_since_funding_ended(world):
    org = world.org()
    team = world.team(org)
    funded = world.programme(world.environment(funding_end=date(2025, 1, 1)), org, teams=(team,))
    ongoing = world.programme(world.environment(), org, teams=(team,))
    patient = world.enrol(funded, team, enrolled_at=date(2024, 6, 1))
    world.daily(funded, patient, date(2025, 1, 5), True, {"weight": 1})
    world.daily(funded, patient, date(2025, 3, 3), True, {"weight": 1})  # nothing in February

    recompute_all([Period(MARCH)])  # January and February are looked up, not recomputed

    # months since funding ended: Jan, Feb, Mar; active: Jan, Mar
    assert numbers("PROG_SUSTAIN", "programme", funded) == (2, 3, 2 / 3)
    assert numbers("PROG_SUSTAIN", "programme", ongoing) == (0, 0, None)


def test_patients_without_a_team_go_to_the_monitoring_centre_or_only_to_the_programme(world):
    org = world.org()
    team, centre = world.team(org), world.team(org)
    env = world.environment()
    watched = world.programme(env, org, teams=(team,), monitoring_centre_team_id=centre)
    unwatched = world.programme(env, org, teams=(team,))
    world.enrol(watched, None, offered_at=date(2025, 3, 2), enrolled_at=date(2025, 3, 3))
    world.enrol(unwatched, None, offered_at=date(2025, 3, 2))

    recompute_all([Period(MARCH)])

    assert numbers("PT_UPTAKE", "team", centre) == (1, 1, 1.0)
    assert numbers("PT_UPTAKE", "team", team) == (0, 0, None)
    assert numbers("PT_UPTAKE", "programme", unwatched) == (0, 1, 0.0)
    assert numbers("PT_UPTAKE", "organisation", org) == (1, 2, 0.5)


def test_activation_looks_into_the_next_month_for_late_enrolments(world):
    org = world.org()
    team = world.team(org)
    programme = world.programme(world.environment(), org, teams=(team,))
    quick = world.enrol(programme, team, enrolled_at=date(2025, 3, 28))
    slow = world.enrol(programme, team, enrolled_at=date(2025, 3, 29))
    world.daily(programme, quick, date(2025, 4, 2), True, {"weight": 1})  # day 5
    world.daily(programme, slow, date(2025, 4, 6), True, {"weight": 1})  # day 8

    recompute_all([Period(MARCH)])

    assert numbers("PT_ACTIVATION", "team", team) == (1, 2, 0.5)
