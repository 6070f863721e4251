"""Learning metrics against hand-computed fixtures: MOD_*, CONF_GAIN, RELEVANCE, ONBOARD_FIDELITY, PT_CONFIDENCE."""

from __future__ import annotations

from datetime import date

import pytest
from metrics_helpers import MARCH, at, numbers

from learning.metrics.periods import Period
from learning.metrics.services import recompute_all

FEBRUARY = date(2025, 2, 1)


@pytest.fixture
def staff_team(world):
    """One team in one programme with three learners a, b, c; see each test for what they did."""
    org = world.org()
    team = world.team(org)
    programme = world.programme(world.environment(), org, teams=(team,))
    world.curriculum(programme, "nurse", ["m1"])
    return team, [world.staff(org, team).actor for _ in range(3)]


def test_module_completion_counts_pairs_initialized_in_the_month(world, staff_team):
    team, (a, b, c) = staff_team
    world.event(a, "initialized", "m1", at(date(2025, 3, 2)))
    world.event(a, "completed", "m1", at(date(2025, 3, 3)))
    world.event(a, "initialized", "m2", at(date(2025, 3, 5)))
    world.event(b, "initialized", "m1", at(date(2025, 3, 10)))
    world.event(b, "completed", "m1", at(date(2025, 4, 2)))
    world.event(c, "initialized", "m1", at(date(2025, 2, 20)))
    world.event(c, "completed", "m1", at(date(2025, 3, 1)))

    recompute_all([Period(MARCH)])

    # initialized in March: (a,m1) (a,m2) (b,m1) -> 3; of those completed in March: (a,m1) -> 1
    assert numbers("MOD_COMPLETION", "team", team) == (1, 3, 1 / 3)


def test_first_attempt_pass_rate_uses_the_first_judged_registration(world, staff_team):
    team, (a, b, c) = staff_team
    world.event(a, "failed", "m1", at(date(2025, 3, 3)), registration="r1")
    world.event(a, "passed", "m1", at(date(2025, 3, 4)), registration="r2")
    world.event(b, "passed", "m2", at(date(2025, 3, 8)), registration="r3")
    world.event(c, "failed", "m1", at(date(2025, 2, 28)), registration="r4")
    world.event(c, "passed", "m1", at(date(2025, 3, 1)), registration="r4")

    recompute_all([Period(FEBRUARY), Period(MARCH)])

    # March: a's first registration r1 failed (0/1), b's r3 passed (1/1); c's first registration began in February
    assert numbers("MOD_PASS_FIRST", "team", team) == (1, 2, 0.5)
    # February: c's r4 was passed within that registration -> 1/1
    assert numbers("MOD_PASS_FIRST", "team", team, FEBRUARY) == (1, 1, 1.0)


def test_active_learning_time_is_the_median_of_summed_sessions_per_completer(world, staff_team):
    team, (a, b, c) = staff_team
    world.event(a, "terminated", "m1", at(date(2025, 3, 2)), duration_seconds=600)
    world.event(a, "terminated", "m1", at(date(2025, 3, 3), 13), duration_seconds=300)
    world.event(a, "terminated", "m2", at(date(2025, 3, 3)), duration_seconds=9999)  # another module
    world.event(a, "completed", "m1", at(date(2025, 3, 3)))
    world.event(c, "terminated", "m1", at(date(2025, 2, 20)), duration_seconds=1200)
    world.event(c, "terminated", "m1", at(date(2025, 3, 1)), duration_seconds=600)
    world.event(c, "completed", "m1", at(date(2025, 3, 1)))
    world.event(b, "terminated", "m1", at(date(2025, 3, 9)), duration_seconds=60)
    world.event(b, "completed", "m1", at(date(2025, 4, 2)))  # completes in April: not a March completer

    recompute_all([Period(MARCH)])

    # a: (600 + 300) s = 15 min; c: (1200 + 600) s = 30 min; median(15, 30) = 22.5 over n = 2
    assert numbers("MOD_TIME", "team", team) == (None, 2, 22.5)


def test_confidence_gain_pairs_pre_and_post_and_relevance_takes_the_last_answer(world, staff_team):
    team, (a, b, c) = staff_team
    world.event(a, "answered", "m1", at(date(2025, 3, 2)), item_id="pre-confidence-x", response="2")
    world.event(a, "answered", "m1", at(date(2025, 3, 3)), item_id="confidence-x", response="4")
    world.event(b, "answered", "m1", at(date(2025, 3, 10)), item_id="pre-confidence-x", response="3")
    world.event(b, "answered", "m1", at(date(2025, 3, 12)), item_id="confidence-x", response="3")
    world.event(c, "answered", "m1", at(date(2025, 3, 12)), item_id="confidence-x", response="5")  # no pre
    world.event(a, "answered", "m1", at(date(2025, 3, 3)), item_id="relevance-m1", response="3")
    world.event(a, "answered", "m1", at(date(2025, 3, 4)), item_id="relevance-m1", response="5")
    world.event(b, "answered", "m1", at(date(2025, 3, 4)), item_id="relevance-m1", response="4")
    world.event(c, "answered", "m1", at(date(2025, 3, 4)), item_id="relevance-m1", response="2")

    recompute_all([Period(MARCH)])

    # pairs: a 4-2 = +2, b 3-3 = 0 (c has no pre) -> Σ = 2 over 2 pairs, mean 1.0
    assert numbers("CONF_GAIN", "team", team) == (2, 2, 1.0)
    # last answers: a 5, b 4, c 2 -> 2 of 3 are >= 4
    assert numbers("RELEVANCE", "team", team) == (2, 3, 2 / 3)


def test_onboarding_fidelity_and_patient_confidence_follow_the_patient_link(world):
    org = world.org()
    team = world.team(org)
    programme = world.programme(world.environment(), org, teams=(team,))
    world.curriculum(programme, "patient", ["p1"])
    x = world.enrol(programme, team, enrolled_at=date(2025, 3, 10))
    y = world.enrol(programme, team, enrolled_at=date(2025, 3, 10))
    world.enrol(programme, team, enrolled_at=date(2025, 3, 5))  # z: no linked account, counts as not done
    w = world.enrol(programme, team, enrolled_at=date(2025, 2, 27))
    x_actor, y_actor, w_actor = world.link(programme, x), world.link(programme, y), world.link(programme, w)
    world.event(x_actor, "completed", "p1", at(date(2025, 3, 15)))  # day 5: in time
    world.event(y_actor, "completed", "p1", at(date(2025, 3, 18), 9))  # day 8: too late
    world.event(w_actor, "completed", "p1", at(date(2025, 2, 20)))  # before enrolment, February cohort
    world.event(x_actor, "answered", "p1", at(date(2025, 3, 15)), item_id="confidence-a", response="4")
    world.event(y_actor, "answered", "p1", at(date(2025, 3, 18)), item_id="confidence-a", response="2")
    world.event(y_actor, "answered", "p1", at(date(2025, 3, 20)), item_id="confidence-a", response="5")
    world.event(w_actor, "answered", "p1", at(date(2025, 3, 2)), item_id="pre-confidence-a", response="1")
    world.event(w_actor, "answered", "p1", at(date(2025, 3, 2)), item_id="confidence-a", response="3")

    recompute_all([Period(FEBRUARY), Period(MARCH)])

    # March cohort x, y, z: only x done within 7 days -> 1/3; February cohort w -> 1/1
    assert numbers("ONBOARD_FIDELITY", "team", team) == (1, 3, 1 / 3)
    assert numbers("ONBOARD_FIDELITY", "team", team, FEBRUARY) == (1, 1, 1.0)
    # last March answers to confidence items: x 4, y 5, w 3 (pre items do not count) -> 2/3
    assert numbers("PT_CONFIDENCE", "team", team) == (2, 3, 2 / 3)
