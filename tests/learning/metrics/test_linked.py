"""Linked metrics share populations: a cell hidden in one metric must not be readable from another metric's cells."""

from __future__ import annotations

from datetime import date

from metrics_helpers import MARCH, at, cell, numbers
from sqlalchemy import delete

from learning.db import db
from learning.metrics.periods import Period
from learning.metrics.scopes import load_structure
from learning.metrics.services import recompute_all
from learning.metrics.suppression import LINKED_GROUPS, find_equations
from learning.metrics.visible import visible_values
from learning.rpm.models import StaffActivity

# The population counts behind the staff group, and which metric shows each as its numerator or denominator.
QUANTITIES = {
    "target staff |S|": (("TRN_REACH", "denominator"), ("TRN_COVERAGE", "denominator")),
    "trained": (("TRN_COVERAGE", "numerator"), ("STAFF_APPLIED", "denominator")),
    "launched": (("TRN_REACH", "numerator"),),
    "applied": (("STAFF_APPLIED", "numerator"),),
}


def staff_team(world, org, programme, size, *, launched, trained):
    """Add a team of `size` nurses: `launched` started training, the first `trained` of them completed it in March
    and use RPM."""
    team = world.team(org)
    for i in range(size):
        member = world.staff(org, team)
        if i < launched:
            world.event(member.actor, "launched", "m1", at(date(2025, 3, 1)))
        if i < trained:
            world.event(member.actor, "completed", "m1", at(date(2025, 3, 2)))
            world.activity(programme, member.pid, date(2025, 3, 10))
    return team


def known(quantity, scope):
    """Return whether some shown cell gives the quantity of a scope."""
    return any(not cell(code, *scope).suppressed for code, _side in QUANTITIES[quantity])


def derivable(teams):
    """Return the (quantity, scope) pairs an observer could solve from shown cells with parent = Σ children sums."""
    structure = load_structure()
    members: dict = {}
    for team in teams:
        for scope in structure.scopes_of((team, None)):
            members.setdefault(scope, set()).add((team, None))
    equations = find_equations({scope: frozenset(cells) for scope, cells in members.items()})
    solved = set()
    for quantity in QUANTITIES:
        knowns = {scope for scope in members if known(quantity, scope)}
        changed = True
        while changed:
            changed = False
            for eq in equations:
                assert not eq.residual
                unknown = [s for s in (eq.parent, *eq.children) if s not in knowns]
                if len(unknown) == 1:
                    knowns.add(unknown[0])
                    solved.add((quantity, unknown[0]))
                    changed = True
    return solved


def test_the_staff_metrics_are_one_linked_group():
    assert {"TRN_REACH", "TRN_COVERAGE", "STAFF_APPLIED"} in [set(group) for group in LINKED_GROUPS]
    grouped = [code for group in LINKED_GROUPS for code in group]
    assert len(grouped) == len(set(grouped))  # every metric is in one group at most


def test_a_team_hidden_in_coverage_cannot_be_read_from_reach_or_applied(world, sum_rules):
    org, env = world.org(), world.environment()
    programme = world.programme(env, org)
    world.curriculum(programme, "nurse", ["m1"])
    a = staff_team(world, org, programme, 4, launched=2, trained=3)
    b = staff_team(world, org, programme, 10, launched=9, trained=9)
    c = staff_team(world, org, programme, 20, launched=10, trained=6)
    world.link_teams(programme, (a, b, c))

    recompute_all([Period(MARCH)])

    # coverage: A 3/4 is small, B 9/10 its complement; environment 18/34 and C 6/20 are shown
    assert not cell("TRN_COVERAGE", "environment", env).suppressed
    assert (cell("TRN_COVERAGE", "team", a).suppressed, cell("TRN_COVERAGE", "team", b).suppressed) == (True, True)
    # STAFF_APPLIED's denominator for B is B's trained count, TRN_REACH's is |S| of B: both would give B away
    assert cell("STAFF_APPLIED", "team", b).suppressed
    assert cell("TRN_REACH", "team", b).suppressed
    # in every metric of the group the same scopes are hidden, and no sum leaves a single unknown
    for scope in (("team", a), ("team", b), ("team", c), ("organisation", org), ("environment", env)):
        flags = {cell(code, *scope).suppressed for code in ("TRN_REACH", "TRN_COVERAGE", "STAFF_APPLIED")}
        assert len(flags) == 1, scope
    assert derivable((a, b, c)) == set()


def test_a_programme_hidden_in_reach_cannot_be_read_from_active(world):
    org, env = world.org(), world.environment()
    sizes, programmes = {}, []
    for size, eligible in ((9, 100), (30, 100), (12, None)):
        team = world.team(org)
        programme = world.programme(env, org, teams=(team,))
        if eligible is not None:
            world.eligible(programme, date(2025, 1, 1), date(2025, 12, 31), eligible)
        for _ in range(size):
            pid = world.enrol(programme, team, enrolled_at=date(2025, 2, 1))
            world.daily(programme, pid, date(2025, 3, 3), True, {"weight": 1})
        programmes.append(programme)
        sizes[programme] = size
    small, middle, no_count = programmes

    recompute_all([Period(MARCH)])

    # PT_REACH: environment 39 enrolled = small 9 + middle 30. PT_ACTIVE's denominator is the same count per
    # programme: PT_REACH's environment beside PT_ACTIVE's middle 30 would give the 9 away.
    reach_env = cell("PT_REACH", "environment", env)
    assert reach_env.numerator == sizes[small] + sizes[middle]
    assert cell("PT_ACTIVE", "programme", middle).denominator == sizes[middle]
    assert reach_env.suppressed or cell("PT_ACTIVE", "programme", middle).suppressed
    assert cell("PT_REACH", "programme", small).suppressed
    for programme in programmes:
        reach, active = cell("PT_REACH", "programme", programme), cell("PT_ACTIVE", "programme", programme)
        assert reach.suppressed == active.suppressed or (programme == no_count and reach.denominator == 0)


def test_a_cell_hidden_for_a_count_of_its_own_does_not_hide_the_linked_metrics(world):
    org, env = world.org(), world.environment()
    programme = world.programme(env, org)
    world.curriculum(programme, "nurse", ["m1"])
    team = staff_team(world, org, programme, 6, launched=0, trained=5)
    world.link_teams(programme, (team,))
    db.session.execute(delete(StaffActivity))  # nobody uses RPM: STAFF_APPLIED is 0/5

    recompute_all([Period(MARCH)])

    # TRN_REACH 0/6 and STAFF_APPLIED 0/5 are small in their numerators (launched, users), which TRN_COVERAGE does
    # not show: they are banded ("fewer than 5 of 6"), and TRN_COVERAGE's 5/6 stays shown
    assert numbers("STAFF_APPLIED", "team", team)[:2] == (0, 5)
    for code in ("TRN_REACH", "STAFF_APPLIED", "TRN_COVERAGE"):
        assert not cell(code, "team", team).suppressed, code
    shown = {v.metric_code: v.band for v in visible_values(scope_type="team", scope_ids=[team])}
    assert (shown["TRN_REACH"], shown["STAFF_APPLIED"], shown["TRN_COVERAGE"]) == (5, 5, None)


def test_reach_is_hidden_where_its_enrolled_count_differs_from_active(world):
    org, env = world.org(), world.environment()
    programmes = []
    for size, eligible in ((20, 100), (30, 100), (3, None)):
        team = world.team(org)
        programme = world.programme(env, org, teams=(team,))
        if eligible is not None:
            world.eligible(programme, date(2025, 1, 1), date(2025, 12, 31), eligible)
        for _ in range(size):
            pid = world.enrol(programme, team, enrolled_at=date(2025, 2, 1))
            world.daily(programme, pid, date(2025, 3, 3), True, {"weight": 1})
        programmes.append(programme)

    recompute_all([Period(MARCH)])

    # PT_ACTIVE's environment counts 53 enrolled, PT_REACH's only the 50 of the programmes with an eligible count:
    # both shown, 53 - 50 would give the third programme's 3 patients away
    assert numbers("PT_ACTIVE", "environment", env)[1] == 53
    assert cell("PT_ACTIVE", "programme", programmes[2]).suppressed
    for scope in (("organisation", org), ("environment", env), ("region", 0)):
        active, reach = cell("PT_ACTIVE", *scope), cell("PT_REACH", *scope)
        assert active.suppressed or reach.suppressed or active.denominator == reach.numerator, scope
    assert cell("PT_REACH", "environment", env).suppressed
