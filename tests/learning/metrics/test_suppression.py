"""Small-cell suppression: thresholds (4 vs 5 staff, 9 vs 10 patients), complementary suppression, visible_values."""

from __future__ import annotations

from datetime import date

import pytest
from metrics_helpers import MARCH, at, cell

from learning.metrics.definitions import BY_CODE
from learning.metrics.periods import Period
from learning.metrics.services import recompute_all
from learning.metrics.suppression import Equation, band_share, find_equations, is_banded, is_small
from learning.metrics.visible import visible_values


def trained_team(world, org, programme_teams, size, trained=None):
    """Add a team of `size` nurses of whom `trained` (default all) completed the programme's module in March."""
    team = world.team(org)
    programme_teams.append(team)
    for i in range(size):
        member = world.staff(org, team)
        if i < (size if trained is None else trained):
            world.event(member.actor, "completed", "m1", at(date(2025, 3, 2)))
    return team


def link_programme(world, env, org, teams):
    programme = world.programme(env, org, teams=tuple(teams))
    world.curriculum(programme, "nurse", ["m1"])
    return programme


def test_the_staff_threshold_is_five():
    coverage = BY_CODE["TRN_COVERAGE"]
    assert is_small(coverage, 4, 4)
    assert not is_small(coverage, 5, 5)
    # four trained of twenty: the group is large enough, the numerator is shown as a band ("fewer than 5 of 20")
    assert not is_small(coverage, 4, 20)
    assert is_banded(coverage, 4, 20)
    assert is_banded(coverage, 0, 20)  # zero is inside the band, so "nobody" is never revealed
    assert not is_banded(coverage, 5, 20)
    assert not is_banded(coverage, 3, 4)  # the group itself is small: hidden, not banded
    assert is_small(BY_CODE["PT_REACH"], 4, 100)  # no share (its numerator may exceed it): hidden, never banded
    assert not is_banded(BY_CODE["PT_REACH"], 4, 100)


def test_a_band_share_is_rounded_up_so_it_stays_true():
    assert band_share(10, 85) == 12  # fewer than 10 of 85 is below 11.8 %
    assert band_share(5, 20) == 25  # fewer than 5 of 20 is below 25 % exactly: "< 25 %"
    assert band_share(10, 90) == 12


def test_the_patient_threshold_is_ten_and_statistics_check_n_only():
    assert is_small(BY_CODE["PT_ACTIVE"], 9, 9)
    assert not is_small(BY_CODE["PT_ACTIVE"], 10, 10)
    assert not is_small(BY_CODE["ALERT_SLA_MEDIAN"], None, 10)
    assert is_small(BY_CODE["ALERT_SLA_MEDIAN"], None, 9)
    assert not is_small(BY_CODE["CONF_GAIN"], -3, 5)  # a mean's numerator is not a count
    assert not is_small(BY_CODE["TEAM_ADOPT"], 0, 1)  # teams are not people


def test_four_staff_are_suppressed_and_five_are_shown(world):
    org, env, teams = world.org(), world.environment(), []
    four = trained_team(world, org, teams, 4)
    five = trained_team(world, org, teams, 5)
    three = trained_team(world, org, teams, 3)  # a second unknown in the programme's sum: no complement needed
    world.staff(org, world.team(org))  # keeps the organisation from being a sum of only the teams above
    link_programme(world, env, org, teams)

    recompute_all([Period(MARCH)])

    assert cell("TRN_COVERAGE", "team", four).suppressed
    assert not cell("TRN_COVERAGE", "team", five).suppressed
    assert cell("TRN_COVERAGE", "team", three).suppressed


def test_a_small_numerator_in_a_large_enough_group_is_shown_as_a_band(world):
    org, env, teams = world.org(), world.environment(), []
    trained_team(world, org, teams, 20, trained=10)
    two_of_six = trained_team(world, org, teams, 6, trained=2)
    two_of_seven = trained_team(world, org, teams, 7, trained=2)
    link_programme(world, env, org, teams)

    recompute_all([Period(MARCH)])

    # the total tells the two bands hold 4 together: each can still be 0 to 4, so nothing more is hidden
    rows = visible_values(metric_codes=["TRN_COVERAGE"], scope_type="team", scope_ids=[two_of_six, two_of_seven])
    assert [(r.band, r.numerator, r.denominator, r.value, r.suppressed) for r in rows] == [
        (5, None, 6, None, False),
        (5, None, 7, None, False),
    ]
    [total] = visible_values(metric_codes=["TRN_COVERAGE"], scope_type="organisation", scope_ids=[org])
    assert (total.band, total.numerator, total.denominator) == (None, 14, 33)


@pytest.mark.parametrize(("patients", "suppressed"), [(9, True), (10, False)])
def test_nine_patients_are_suppressed_and_ten_are_shown(world, patients, suppressed):
    org, env = world.org(), world.environment()
    team = world.team(org)
    programme = world.programme(env, org, teams=(team,))
    for _ in range(patients):
        pid = world.enrol(programme, team, enrolled_at=date(2025, 2, 1))
        world.daily(programme, pid, date(2025, 3, 3), True, {"weight": 1})

    recompute_all([Period(MARCH)])

    stored = cell("PT_ACTIVE", "team", team)
    assert (stored.numerator, stored.denominator, stored.suppressed) == (patients, patients, suppressed)
    assert cell("PT_ACTIVE", "region", 0).suppressed is suppressed


def test_a_ten_patient_team_beside_a_nine_patient_team_is_hidden_as_the_complement(world, sum_rules):
    org, env = world.org(), world.environment()
    nine, ten = world.team(org), world.team(org)
    programme = world.programme(env, org, teams=(nine, ten))
    for team, size in ((nine, 9), (ten, 10)):
        for _ in range(size):
            pid = world.enrol(programme, team, enrolled_at=date(2025, 2, 1))
            world.daily(programme, pid, date(2025, 3, 3), True, {"weight": 1})

    recompute_all([Period(MARCH)])

    # the organisation (19) is shown, so 19 - 10 would give the nine away: the ten are hidden as well
    assert not cell("PT_ACTIVE", "organisation", org).suppressed
    assert cell("PT_ACTIVE", "team", nine).suppressed
    assert cell("PT_ACTIVE", "team", ten).suppressed


def test_one_hidden_team_makes_the_smallest_shown_sibling_hidden_too(world, sum_rules):
    org, env, teams = world.org(), world.environment(), []
    small = trained_team(world, org, teams, 3)
    middle = trained_team(world, org, teams, 6)
    large = trained_team(world, org, teams, 8)
    link_programme(world, env, org, teams)

    recompute_all([Period(MARCH)])

    hidden = {t for t in (small, middle, large) if cell("TRN_COVERAGE", "team", t).suppressed}
    # organisation 17/17 is shown; 3 is small; 6 is hidden with it so that 17 - 8 = 9 cannot be split
    assert hidden == {small, middle}
    assert not cell("TRN_COVERAGE", "organisation", org).suppressed


def test_a_hidden_organisation_whose_teams_are_shown_hides_one_of_its_teams(world, sum_rules):
    env = world.environment()
    lone, pair = world.org(), world.org()
    lone_teams, pair_teams = [], []
    tiny = trained_team(world, lone, lone_teams, 3)
    b = trained_team(world, pair, pair_teams, 6)
    c = trained_team(world, pair, pair_teams, 7)
    link_programme(world, env, lone, lone_teams)
    link_programme(world, env, pair, pair_teams)

    recompute_all([Period(MARCH)])

    def hidden(scope_type, scope_id):
        return cell("TRN_COVERAGE", scope_type, scope_id).suppressed

    # region 16 shown; lone org = its one team of 3 (small); pair org hidden as the complement in region = Σ orgs;
    # then pair org would be b + c, so its smallest team b is hidden as well
    assert (hidden("team", tiny), hidden("organisation", lone), hidden("organisation", pair)) == (True, True, True)
    assert (hidden("team", b), hidden("team", c), hidden("region", 0)) == (True, False, False)


def test_a_small_residual_of_patients_without_a_team_is_protected(world):
    org, env = world.org(), world.environment()
    team = world.team(org)
    programme = world.programme(env, org, teams=(team,))
    for _ in range(12):
        world.enrol(programme, team, offered_at=date(2025, 3, 2), enrolled_at=date(2025, 3, 3))
    for _ in range(3):
        world.enrol(programme, None, offered_at=date(2025, 3, 2), enrolled_at=date(2025, 3, 3))

    recompute_all([Period(MARCH)])

    # programme 15/15 is shown; showing the team's 12/12 would reveal the 3 patients without a team
    assert not cell("PT_UPTAKE", "programme", programme).suppressed
    assert cell("PT_UPTAKE", "team", team).suppressed


def test_find_equations_skips_overlapping_children():
    a, b = (1, None), (2, None)
    members = {
        ("team", 1): frozenset({a}),
        ("team", 2): frozenset({b}),
        ("programme", 7): frozenset({a, b}),
        ("programme", 8): frozenset({a}),
        ("environment", 3): frozenset({a, b}),
    }
    equations = find_equations(members)
    assert Equation(("environment", 3), (("team", 1), ("team", 2)), frozenset()) in equations
    # programmes 7 and 8 overlap in team 1: no 'environment = Σ programmes'
    assert not [e for e in equations if e.parent == ("environment", 3) and e.children[0][0] == "programme"]
    assert Equation(("programme", 7), (("team", 1), ("team", 2)), frozenset()) in equations


def test_visible_values_blank_suppressed_cells(world):
    org, env, teams = world.org(), world.environment(), []
    small = trained_team(world, org, teams, 3)
    link_programme(world, env, org, teams)

    recompute_all([Period(MARCH)])

    stored = cell("TRN_COVERAGE", "team", small)
    assert (stored.numerator, stored.denominator, stored.suppressed) == (3, 3, True)
    [shown] = visible_values(metric_codes=["TRN_COVERAGE"], scope_type="team", scope_ids=[small])
    assert (shown.numerator, shown.denominator, shown.value, shown.suppressed) == (None, None, None, True)
    assert shown.period_start == MARCH


def test_find_equations_takes_the_outermost_teams_and_a_parent_team_as_its_sub_teams_plus_its_own_cells():
    own, sub, other = (1, None), (2, None), (3, None)
    members = {
        ("team", 1): frozenset({own, sub}),  # team 2 is a sub-team of team 1
        ("team", 2): frozenset({sub}),
        ("team", 3): frozenset({other}),
        ("organisation", 5): frozenset({own, sub, other}),
    }
    equations = find_equations(members)
    assert Equation(("organisation", 5), (("team", 1), ("team", 3)), frozenset()) in equations
    assert Equation(("team", 1), (("team", 2),), frozenset({own})) in equations
    assert not [e for e in equations if ("team", 2) in e.children and e.parent[0] == "organisation"]


def test_a_sub_team_is_hidden_when_it_would_give_away_its_parents_own_small_cell(world):
    org, env = world.org(), world.environment()
    parent, other = world.team(org), world.team(org)
    sub = world.team(org, parent=parent)
    for team, size in ((parent, 3), (sub, 6), (other, 7)):
        for _ in range(size):
            member = world.staff(org, team)
            world.event(member.actor, "completed", "m1", at(date(2025, 3, 2)))
    link_programme(world, env, org, [parent, sub, other])

    recompute_all([Period(MARCH)])

    def shown(team):
        stored = cell("TRN_COVERAGE", "team", team)
        return (stored.numerator, stored.denominator, not stored.suppressed)

    # the parent's 9 = its own 3 + the sub-team's 6: showing both would give the own 3 away, so the sub-team goes
    assert (shown(parent), shown(sub), shown(other)) == ((9, 9, True), (6, 6, False), (7, 7, True))
    assert not cell("TRN_COVERAGE", "organisation", org).suppressed  # 16 = parent 9 + other 7, both shown


def test_a_parent_team_is_the_complement_of_a_small_sibling_and_then_hides_its_sub_team(world, sum_rules):
    org, env = world.org(), world.environment()
    parent, small = world.team(org), world.team(org)
    sub = world.team(org, parent=parent)
    for team, size in ((parent, 5), (sub, 6), (small, 3)):
        for _ in range(size):
            member = world.staff(org, team)
            world.event(member.actor, "completed", "m1", at(date(2025, 3, 2)))
    link_programme(world, env, org, [parent, sub, small])

    recompute_all([Period(MARCH)])

    def hidden(team):
        return cell("TRN_COVERAGE", "team", team).suppressed

    # organisation 14 = parent 11 + small 3: the parent hides the 3; then parent = sub 6 + own 5 hides the sub-team
    assert (hidden(small), hidden(parent), hidden(sub)) == (True, True, True)
    assert not cell("TRN_COVERAGE", "organisation", org).suppressed
