"""Staff-derived metrics per team x month: TRN_REACH, TRN_COVERAGE, STAFF_APPLIED, TT_FIRST_USE.

Attribution: S(t,b) is read at the period end. A member of staff counts in team t for month [a,b) when one of their
memberships of t is active on the last day of the month (start ≤ day ≤ end; `end` is the last day worked) in a role
that a curriculum of one of t's programmes targets with at least one module. So someone leaving mid-month is not in
that month's denominator, someone joining mid-month is, and someone in two teams counts in both (team cells are
summed upwards, so an organisation counts memberships, not heads). Their required modules C are the union of the
curricula for their role(s) in t's programmes. Without a linked VTC account nothing is done (done(u,m,b) is false).
RPM actions are StaffActivity rows matched on (programme's organisation, staff pseudonym), any programme; a row
counts as a day with actions (ingestion stores no all-zero rows).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.sql.elements import ColumnElement

from learning.accounts.models import User
from learning.db import db
from learning.environments.models import Curriculum, Programme, StaffMember, StaffMembership
from learning.metrics.periods import Period
from learning.metrics.rollup import Accumulator
from learning.metrics.scopes import Structure
from learning.metrics.training import TrainingFacts
from learning.rpm.models import StaffActivity

PATIENT_ROLE = "patient"  # a curriculum with this role lists the modules patients of the programme must do


def staff_who(staff_id: int) -> tuple[str, int]:
    """Return the person behind a staff fact (one StaffMember, however many teams they are in)."""
    return ("staff", staff_id)


@dataclass(frozen=True)
class Membership:
    staff_id: int
    team_id: int
    role_code: str
    start: date
    end: date | None


@dataclass
class Roster:
    """Memberships, each staff member's account and pseudonym, and what each (team, role) must learn."""

    memberships: list[Membership]
    actor: dict[int, str | None]
    org_pid: dict[int, tuple[int, str]]
    requirements: dict[tuple[int, str], frozenset[str]]

    def members_at(self, day: date) -> dict[int, dict[int, frozenset[str]]]:
        """Return S(t, day) for every team: staff id → required modules."""
        teams: dict[int, dict[int, frozenset[str]]] = defaultdict(dict)
        for m in self.memberships:
            required = self.requirements.get((m.team_id, m.role_code))
            if required and m.start <= day and (m.end is None or m.end >= day):
                teams[m.team_id][m.staff_id] = teams[m.team_id].get(m.staff_id, frozenset()) | required
        return teams


def load_roster(structure: Structure) -> Roster:
    """Read staff, memberships and curricula (thousands of rows, not millions)."""
    staff = db.session.execute(
        select(StaffMember.id, StaffMember.organisation_id, StaffMember.pid, User.xapi_pid).outerjoin(
            User, User.id == StaffMember.user_id
        )
    ).all()
    curricula: dict[tuple[int, str], set[str]] = defaultdict(set)
    for programme_id, role, slugs in db.session.execute(
        select(Curriculum.programme_id, Curriculum.role_code, Curriculum.module_slugs)
    ):
        if role != PATIENT_ROLE:
            curricula[(programme_id, role)].update(slugs or ())
    requirements: dict[tuple[int, str], frozenset[str]] = {}
    for team, programmes in structure.team_programmes.items():
        for (programme_id, role), modules in curricula.items():
            if programme_id in programmes and modules:
                requirements[(team, role)] = requirements.get((team, role), frozenset()) | frozenset(modules)
    memberships = [
        Membership(*row)
        for row in db.session.execute(
            select(StaffMembership.staff_id, StaffMembership.team_id, StaffMembership.role_code,
                   StaffMembership.start, StaffMembership.end)
        )
    ]  # fmt: skip
    return Roster(
        memberships,
        actor={s.id: s.xapi_pid for s in staff},
        org_pid={s.id: (s.organisation_id, s.pid) for s in staff},
        requirements=requirements,
    )


@dataclass
class Activity:
    """The days with RPM actions per (organisation, staff pseudonym), sorted.

    A run over recent months reads only the days from `since` on, and per person the last day before it: enough to
    tell whether someone's first action after training falls in those months.
    """

    days: dict[tuple[int, str], list[date]]
    since: date | None = None
    last_before: dict[tuple[int, str], date] = field(default_factory=dict)

    def is_active(self, who: tuple[int, str], period: Period) -> bool:
        days = self.days.get(who, [])
        i = bisect_left(days, period.start)
        return i < len(days) and days[i] < period.end

    def first_use_in(self, who: tuple[int, str], day: date, period: Period) -> date | None:
        """Return the first action day on or after `day` when it falls in `period`, else None."""
        if self.since is not None and day < self.since and self.last_before.get(who, date.min) >= day:
            return None  # that first action came before the days read
        days = self.days.get(who, [])
        i = bisect_left(days, day)
        return days[i] if i < len(days) and period.start <= days[i] < period.end else None


def load_activity(before: date, since: date | None = None) -> Activity:
    """Read the distinct action days per organisation and pseudonym (actions in any programme count)."""
    who = (Programme.organisation_id, StaffActivity.staff_pid)
    query = select(*who, StaffActivity.day).join(Programme, Programme.id == StaffActivity.programme_id).distinct()
    days: dict[tuple[int, str], list[date]] = defaultdict(list)
    for org, pid, day in db.session.connection().execute(query.where(StaffActivity.day < before, *_from(since))):
        days[(org, pid)].append(day)
    for listed in days.values():
        listed.sort()
    if since is None:
        return Activity(days)
    last = (
        select(*who, func.max(StaffActivity.day))
        .join(Programme, Programme.id == StaffActivity.programme_id)
        .where(StaffActivity.day < since)
        .group_by(*who)
    )
    return Activity(days, since, {(org, pid): day for org, pid, day in db.session.connection().execute(last)})


def _from(since: date | None) -> list[ColumnElement[bool]]:
    return [] if since is None else [StaffActivity.day >= since]


def compute_staff(
    period: Period, roster: Roster, members: dict[int, dict[int, frozenset[str]]], facts: TrainingFacts,
    activity: Activity, acc: Accumulator,
) -> None:  # fmt: skip
    """Count TRN_REACH, TRN_COVERAGE, STAFF_APPLIED and sample TT_FIRST_USE for every team of the month."""
    for team, staff in members.items():
        cell = (team, None)
        for staff_id, required in staff.items():
            person = staff_who(staff_id)
            learner = facts.of(roster.actor[staff_id])
            launched = learner.first_launch is not None and learner.first_launch < period.end_at
            acc.count("TRN_REACH", cell, launched, 1, person)
            trained_at = learner.satisfied_at(required)
            trained = trained_at is not None and trained_at < period.end_at
            acc.count("TRN_COVERAGE", cell, trained, 1, person)
            if trained_at is None or not trained:
                continue
            who = roster.org_pid[staff_id]
            acc.count("STAFF_APPLIED", cell, activity.is_active(who, period), 1, person)
            _sample_first_use(period, cell, who, trained_at, activity, acc, person)


def _sample_first_use(
    period: Period, cell: tuple[int, None], who: tuple[int, str], trained_at: datetime, activity: Activity,
    acc: Accumulator, person: tuple[str, int],
) -> None:  # fmt: skip
    first_use = activity.first_use_in(who, trained_at.date(), period)
    if first_use is not None:
        acc.sample("TT_FIRST_USE", cell, float((first_use - trained_at.date()).days), person)
