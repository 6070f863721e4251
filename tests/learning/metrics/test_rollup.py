"""Property: an organisation's cell equals a from-scratch recomputation with all its teams merged into one team.

Random small regions (hypothesis) of one organisation with one to three teams: staff with random memberships and
statements, patients with random enrolments, daily rows and alerts. The organisation's numbers are computed once
by rolling up; then every membership, enrolment and alert is moved to a single team and everything is recomputed
from scratch. Ratios, means and medians must agree, which also shows medians come from events, not from children.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from metrics_helpers import World, at, cell, numbers
from sqlalchemy import delete, update

from learning.accounts.models import Team
from learning.db import Base, db
from learning.environments.models import ProgrammeTeam, StaffMembership
from learning.metrics.definitions import DEFINITIONS
from learning.metrics.periods import Period
from learning.metrics.services import recompute_all
from learning.rpm.models import Alert, Enrolment

START = date(2025, 2, 1)
MONTHS = [Period(date(2025, 2, 1)), Period(date(2025, 3, 1)), Period(date(2025, 4, 1))]
DAY = st.integers(min_value=0, max_value=88)  # 1 Feb … 30 Apr
VERBS = st.sampled_from(["launched", "initialized", "completed", "passed", "failed", "terminated"])

staff_strategy = st.lists(
    st.tuples(
        st.integers(0, 2),  # team index
        st.integers(-30, 60),  # membership start (days from 1 Feb)
        st.one_of(st.none(), st.integers(0, 88)),  # membership end
        st.booleans(),  # has a VTC account
        st.lists(st.tuples(VERBS, st.sampled_from(["m1", "m2"]), DAY, st.integers(0, 900)), max_size=5),
        st.lists(DAY, max_size=3),  # days with RPM actions
    ),
    max_size=8,
)
patient_strategy = st.lists(
    st.tuples(
        st.integers(0, 2),
        DAY,  # offered
        st.one_of(st.none(), st.integers(0, 30)),  # enrolled this many days after the offer
        st.one_of(st.none(), st.integers(1, 60)),  # disenrolled this many days after enrolment
        st.sampled_from(["patient_choice", "death", "other"]),
        st.lists(st.tuples(DAY, st.booleans(), st.integers(0, 2)), max_size=6),  # daily rows
        st.lists(st.tuples(DAY, st.one_of(st.none(), st.integers(0, 300)), st.booleans()), max_size=3),  # alerts
    ),
    max_size=8,
)


def empty_tables() -> None:
    for table in reversed(Base.metadata.sorted_tables):
        db.session.execute(table.delete())


def build(world: World, teams_wanted: int, staff: list, patients: list) -> tuple[int, list[int], int]:
    org = world.org()
    teams = [world.team(org) for _ in range(teams_wanted)]
    programme = world.programme(world.environment(), org, teams=tuple(teams))
    world.curriculum(programme, "nurse", ["m1", "m2"])
    for team_index, start, end, account, events, actions in staff:
        first = START + timedelta(days=start)
        last = None if end is None else max(first, START + timedelta(days=end))
        member = world.staff(org, teams[team_index % teams_wanted], start=first, end=last, account=account)
        for verb, module, day, seconds in events:
            world.event(member.actor, verb, module, at(START + timedelta(days=day)), duration_seconds=seconds)
        for day in sorted(set(actions)):
            world.activity(programme, member.pid, START + timedelta(days=day))
    for team_index, offered, enrol_after, leave_after, reason, rows, alerts in patients:
        team = teams[team_index % teams_wanted]
        offered_at = START + timedelta(days=offered)
        enrolled_at = None if enrol_after is None else offered_at + timedelta(days=enrol_after)
        left = None if enrolled_at is None or leave_after is None else enrolled_at + timedelta(days=leave_after)
        pid = world.enrol(programme, team, offered_at=offered_at, enrolled_at=enrolled_at, disenrolled_at=left,
                          disenrol_reason=reason if left else None)  # fmt: skip
        for day in sorted({d for d, _e, _c in rows}):
            expected, count = next((e, c) for d, e, c in rows if d == day)
            world.daily(programme, pid, START + timedelta(days=day), expected, {"weight": count})
        for day, minutes, actionable in alerts:
            created = at(START + timedelta(days=day), 9)
            acted = None if minutes is None else created + timedelta(minutes=minutes)
            world.alert(programme, team, created, first_action_at=acted,
                        outcome="contact" if actionable else "no_action")  # fmt: skip
    return org, teams, programme


def org_numbers(org: int) -> dict[tuple[str, date], tuple[object, object, object]]:
    found = {}
    for spec in DEFINITIONS:
        if spec.kind == "setting" or not spec.team_scope:
            continue
        for period in MONTHS:
            row = cell(spec.code, "organisation", org, period.start)
            found[(spec.code, period.start)] = (row.numerator, row.denominator, row.value)
    return found


@pytest.mark.usefixtures("ctx")
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(teams_wanted=st.integers(1, 3), staff=staff_strategy, patients=patient_strategy)
def test_an_organisation_equals_its_teams_recomputed_as_one(teams_wanted, staff, patients):
    empty_tables()
    org, teams, _programme = build(World(), teams_wanted, staff, patients)
    recompute_all(MONTHS)
    rolled_up = org_numbers(org)

    merged = teams[0]
    db.session.execute(update(StaffMembership).values(team_id=merged))
    db.session.execute(update(Enrolment).values(team_id=merged))
    db.session.execute(update(Alert).values(team_id=merged))
    db.session.execute(delete(ProgrammeTeam).where(ProgrammeTeam.team_id != merged))
    recompute_all(MONTHS)

    for (code, month), (num, den, value) in rolled_up.items():
        row = cell(code, "team", merged, month)
        assert (row.numerator, row.denominator) == (num, den), (code, month)
        assert row.value == pytest.approx(value), (code, month)


def test_a_sub_teams_cells_count_in_every_ancestor_team_once(world):
    org = world.org()
    parent = world.team(org)
    child = world.team(org, parent=parent)
    grandchild = world.team(org, parent=child)
    programme = world.programme(world.environment(), org, teams=(parent, child, grandchild))
    world.curriculum(programme, "nurse", ["m1"])
    for team, size, trained, enrolled, active in ((parent, 2, 1, 0, 0), (child, 3, 2, 2, 2), (grandchild, 4, 4, 3, 2)):
        for i in range(size):
            member = world.staff(org, team)
            if i < trained:
                world.event(member.actor, "completed", "m1", at(date(2025, 3, 2)))
        for i in range(enrolled):
            pid = world.enrol(programme, team, enrolled_at=date(2025, 2, 1))
            world.daily(programme, pid, date(2025, 3, 3), True, {"weight": 1 if i < active else 0})

    recompute_all([Period(date(2025, 3, 1))])

    coverage = {t: numbers("TRN_COVERAGE", "team", t) for t in (parent, child, grandchild)}
    assert coverage == {grandchild: (4, 4, 1.0), child: (6, 7, 6 / 7), parent: (7, 9, 7 / 9)}
    assert numbers("TRN_COVERAGE", "organisation", org) == (7, 9, 7 / 9)  # each member once
    assert numbers("PT_ACTIVE", "team", grandchild) == (2, 3, 2 / 3)
    assert numbers("PT_ACTIVE", "team", parent) == numbers("PT_ACTIVE", "team", child) == (4, 5, 0.8)
    assert numbers("PT_ACTIVE", "programme", programme) == (4, 5, 0.8)


@pytest.mark.usefixtures("ctx")
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(teams_wanted=st.integers(2, 3), staff=staff_strategy, patients=patient_strategy)
def test_a_root_team_over_every_team_equals_its_organisation(teams_wanted, staff, patients):
    empty_tables()
    org, teams, _programme = build(World(), teams_wanted, staff, patients)
    for upper, lower in itertools.pairwise(teams):  # a chain: each team a sub-team of the one before
        db.session.execute(update(Team).where(Team.id == lower).values(parent_team_id=upper))
    recompute_all(MONTHS)

    for (code, month), (num, den, value) in org_numbers(org).items():
        row = cell(code, "team", teams[0], month)
        assert (row.numerator, row.denominator) == (num, den), (code, month)
        assert row.value == pytest.approx(value), (code, month)
