"""Staff-derived metrics against hand-computed fixtures: TRN_REACH, TRN_COVERAGE, STAFF_APPLIED, TT_FIRST_USE."""

from __future__ import annotations

from datetime import date

from metrics_helpers import APRIL, MARCH, at, numbers

from learning.metrics.periods import Period
from learning.metrics.services import recompute_all


def test_reach_coverage_applied_and_first_use_with_turnover_voiding_and_no_account(world):
    org = world.org()
    team, empty = world.team(org), world.team(org)
    programme = world.programme(world.environment(), org, teams=(team, empty))
    world.curriculum(programme, "nurse", ["m1", "m2"])
    a = world.staff(org, team)  # launched Feb, done m1 Feb, passed m2 5 Mar, first RPM action 20 Mar
    world.event(a.actor, "launched", "m1", at(date(2025, 2, 10)))
    world.event(a.actor, "completed", "m1", at(date(2025, 2, 12)))
    world.event(a.actor, "passed", "m2", at(date(2025, 3, 5)))
    world.activity(programme, a.pid, date(2025, 3, 20))
    b = world.staff(org, team)  # launched in March, only m1 done: reached, not trained
    world.event(b.actor, "launched", "m1", at(date(2025, 3, 3)))
    world.event(b.actor, "completed", "m1", at(date(2025, 3, 4)))
    world.staff(org, team)  # c: nothing at all
    world.staff(org, team, account=False)  # d: no VTC account, so has done nothing
    e = world.staff(org, team, end=date(2025, 3, 15))  # trained, but left mid-March: not in S(t, end of March)
    world.event(e.actor, "launched", "m1", at(date(2025, 1, 2)))
    world.event(e.actor, "completed", "m1", at(date(2025, 1, 3)))
    world.event(e.actor, "completed", "m2", at(date(2025, 1, 4)))
    f = world.staff(org, team, start=date(2025, 3, 20))  # joined mid-March (in S), trains in April
    world.event(f.actor, "launched", "m1", at(date(2025, 4, 2)))
    world.event(f.actor, "completed", "m1", at(date(2025, 4, 3)))
    world.event(f.actor, "completed", "m2", at(date(2025, 4, 4)))
    g = world.staff(org, team)  # launched; m2's completion was voided, so not trained
    world.event(g.actor, "launched", "m1", at(date(2025, 3, 1)))
    world.event(g.actor, "completed", "m1", at(date(2025, 3, 2)))
    world.event(g.actor, "completed", "m2", at(date(2025, 3, 2)), voided=True)

    recompute_all([Period(MARCH), Period(APRIL)])

    # S(team, 31 March) = a, b, c, d, f, g (e left on 15 March) -> 6.
    # launched before 1 April: a, b, g -> 3/6.  Trained before 1 April: a only -> 1/6.
    assert numbers("TRN_REACH", "team", team) == (3, 6, 0.5)
    assert numbers("TRN_COVERAGE", "team", team) == (1, 6, 1 / 6)
    # trained = {a}; a acted on 20 March -> 1/1.  First use 20 March - trained 5 March = 15 days.
    assert numbers("STAFF_APPLIED", "team", team) == (1, 1, 1.0)
    assert numbers("TT_FIRST_USE", "team", team) == (None, 1, 15.0)
    # April: S = same 6; f launched too -> 4/6; a and f trained -> 2/6; neither acted in April -> 0/2.
    assert numbers("TRN_REACH", "team", team, APRIL) == (4, 6, 4 / 6)
    assert numbers("TRN_COVERAGE", "team", team, APRIL) == (2, 6, 2 / 6)
    assert numbers("STAFF_APPLIED", "team", team, APRIL) == (0, 2, 0.0)
    # the organisation is the sum of its two teams (the empty one adds nothing)
    assert numbers("TRN_COVERAGE", "organisation", org) == (1, 6, 1 / 6)
    assert numbers("TRN_COVERAGE", "programme", programme) == (1, 6, 1 / 6)


def test_an_empty_team_has_no_value_and_no_crash(world):
    org = world.org()
    team = world.team(org)
    programme = world.programme(world.environment(), org, teams=(team,))
    world.curriculum(programme, "nurse", ["m1"])
    world.event("someone", "launched", "m1", at(MARCH))  # some data, so the month is computed

    recompute_all([Period(MARCH)])

    assert numbers("TRN_REACH", "team", team) == (0, 0, None)
    assert numbers("TRN_COVERAGE", "region", 0) == (0, 0, None)
    assert numbers("TT_FIRST_USE", "team", team) == (None, 0, None)


def test_staff_in_two_teams_counts_in_each_and_twice_in_the_organisation(world):
    org = world.org()
    ward, clinic = world.team(org), world.team(org)
    programme = world.programme(world.environment(), org, teams=(ward, clinic))
    world.curriculum(programme, "nurse", ["m1"])
    both = world.staff(org, ward)
    world.membership(both.id, clinic, "nurse", date(2024, 6, 1))
    world.event(both.actor, "completed", "m1", at(date(2025, 3, 10)))
    world.staff(org, clinic)  # untrained colleague in the clinic

    recompute_all([Period(MARCH)])

    assert numbers("TRN_COVERAGE", "team", ward) == (1, 1, 1.0)
    assert numbers("TRN_COVERAGE", "team", clinic) == (1, 2, 0.5)
    # memberships are summed: organisation = 1+1 trained of 1+2 memberships
    assert numbers("TRN_COVERAGE", "organisation", org) == (2, 3, 2 / 3)


def test_only_roles_a_curriculum_targets_are_in_s_and_their_modules_are_the_union_of_programmes(world):
    org = world.org()
    team = world.team(org)
    env = world.environment()
    heart, lung = world.programme(env, org, teams=(team,)), world.programme(env, org, teams=(team,))
    world.curriculum(heart, "nurse", ["heart"])
    world.curriculum(lung, "nurse", ["lung"])
    nurse = world.staff(org, team, role="nurse")
    world.event(nurse.actor, "completed", "heart", at(date(2025, 3, 2)))
    world.staff(org, team, role="secretary")  # no curriculum targets this role

    recompute_all([Period(MARCH)])

    # S = {nurse}; C = {heart, lung}; only heart done -> 0/1; reach: no launched statement -> 0/1
    assert numbers("TRN_COVERAGE", "team", team) == (0, 1, 0.0)
    assert numbers("TRN_REACH", "team", team) == (0, 1, 0.0)
    # the environment counts the team once although the team is in two of its programmes
    assert numbers("TRN_COVERAGE", "environment", env) == (0, 1, 0.0)


def test_first_use_counts_in_the_month_of_the_first_action_after_training(world):
    org = world.org()
    team = world.team(org)
    programme = world.programme(world.environment(), org, teams=(team,))
    world.curriculum(programme, "nurse", ["m1"])
    early = world.staff(org, team)  # trained 10 Jan, first action 5 Feb (26 days), again in March
    world.event(early.actor, "completed", "m1", at(date(2025, 1, 10)))
    world.activity(programme, early.pid, date(2025, 1, 2))  # before training: not a first use
    world.activity(programme, early.pid, date(2025, 2, 5))
    world.activity(programme, early.pid, date(2025, 3, 3))
    late = world.staff(org, team)  # trained 20 Feb, first action 10 March (18 days)
    world.event(late.actor, "completed", "m1", at(date(2025, 2, 20)))
    world.activity(programme, late.pid, date(2025, 3, 10))
    february = date(2025, 2, 1)

    recompute_all([Period(MARCH)])  # a short run reads only March's activity and each person's last day before
    assert numbers("TT_FIRST_USE", "team", team) == (None, 1, 18.0)

    recompute_all(Period(date(2025, m, 1)) for m in (1, 2, 3, 4))  # a long run reads every day
    assert numbers("TT_FIRST_USE", "team", team) == (None, 1, 18.0)
    assert numbers("TT_FIRST_USE", "team", team, february) == (None, 1, 26.0)
    # both acted in March, both trained by then
    assert numbers("STAFF_APPLIED", "team", team) == (2, 2, 1.0)
