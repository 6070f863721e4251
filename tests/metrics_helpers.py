"""Helpers for metric tests: a builder for hand-made organisations, teams, programmes, staff, statements, RPM rows.

Every call writes real rows through the models (no mocks); tests then run the real recomputation and read the
stored MetricValue rows back with `cell()` (the `world` fixture lives in tests/learning/metrics/conftest.py).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from learning.accounts.models import Organisation, Role, Team, User
from learning.db import db
from learning.environments.models import (
    Condition,
    Curriculum,
    Environment,
    PatientLink,
    Phase,
    Programme,
    ProgrammeTeam,
    StaffMember,
    StaffMembership,
    StaffRole,
)
from learning.metrics.models import MetricValue
from learning.rpm.models import Alert, DailyMeasurement, EligibleCount, Enrolment, StaffActivity
from learning.tracking.sync_training import insert_training_events

MARCH = date(2025, 3, 1)
APRIL = date(2025, 4, 1)


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    """Return an aware UTC moment on a day."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


@dataclass(frozen=True)
class StaffRef:
    id: int
    pid: str
    actor: str | None


@dataclass
class World:
    """Factories that write rows in the current app context; ids are returned so tests stay plain data."""

    counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def _next(self) -> int:
        return next(self.counter)

    def add(self, row: Any) -> Any:
        db.session.add(row)
        db.session.flush()
        return row

    def org(self, name: str | None = None) -> int:
        return self.add(Organisation(name=name or f"Org {self._next()}", kind="hospital")).id

    def team(self, org_id: int, name: str | None = None, parent: int | None = None) -> int:
        team = Team(organisation_id=org_id, name=name or f"Team {self._next()}", kind="ward", parent_team_id=parent)
        return self.add(team).id

    def environment(self, funding_end: date | None = None) -> int:
        env = Environment(
            name=f"Env {self._next()}", condition=Condition.HF, phase=Phase.DESIGN, start=date(2024, 1, 1),
            funding_end=funding_end,
        )  # fmt: skip
        return self.add(env).id

    def programme(self, env_id: int, org_id: int, teams: tuple[int, ...] = (), **fields: Any) -> int:
        fields.setdefault("measurement_schedule", {"weight": "daily"})
        fields.setdefault("alert_sla_minutes", {"red": 60})
        programme = Programme(
            environment_id=env_id, organisation_id=org_id, name=f"Programme {self._next()}", condition=Condition.HF,
            platform_name="Test", start=date(2024, 1, 1), **fields,
        )  # fmt: skip
        programme_id = self.add(programme).id
        for team_id in teams:
            self.add(ProgrammeTeam(programme_id=programme_id, team_id=team_id))
        return programme_id

    def link_teams(self, programme_id: int, teams: tuple[int, ...]) -> None:
        for team_id in teams:
            self.add(ProgrammeTeam(programme_id=programme_id, team_id=team_id))

    def curriculum(self, programme_id: int, role: str, modules: list[str]) -> None:
        if db.session.get(StaffRole, role) is None:
            self.add(StaffRole(code=role, label_nl=role, label_en=role))
        self.add(Curriculum(programme_id=programme_id, role_code=role, module_slugs=modules))

    def user(self, role: Role = Role.PROFESSIONAL) -> User:
        n = self._next()
        return self.add(User(email=f"u{n}@example.test", password_hash="x", role=role))  # type: ignore[no-any-return]

    def staff(
        self, org_id: int, team_id: int | None, role: str = "nurse", start: date = date(2024, 1, 1),
        end: date | None = None, account: bool = True,
    ) -> StaffRef:  # fmt: skip
        if db.session.get(StaffRole, role) is None:
            self.add(StaffRole(code=role, label_nl=role, label_en=role))
        user = self.user() if account else None
        member = self.add(StaffMember(organisation_id=org_id, pid=f"s{self._next()}", user_id=user and user.id))
        if team_id is not None:
            self.membership(member.id, team_id, role, start, end)
        return StaffRef(member.id, member.pid, user.xapi_pid if user else None)

    def membership(self, staff_id: int, team_id: int, role: str, start: date, end: date | None = None) -> None:
        self.add(StaffMembership(staff_id=staff_id, team_id=team_id, role_code=role, start=start, end=end))

    def event(self, actor: str | None, verb: str, module: str | None, when: datetime, **fields: Any) -> str:
        """Store a statement as the xAPI sync does (its learner summaries and months follow in the transaction)."""
        statement_id = str(uuid.uuid4())
        row = dict.fromkeys(("item_id", "registration", "success", "scaled", "duration_seconds", "response"))
        row |= {"statement_id": statement_id, "actor_pid": actor or "nobody", "verb": verb, "module_slug": module,
                "timestamp": when, "voided": False, **fields}  # fmt: skip
        assert insert_training_events([row]) == 1
        return statement_id

    def enrol(self, programme_id: int, team_id: int | None, **fields: Any) -> str:
        pid = fields.pop("pid", f"p{self._next()}")
        self.add(Enrolment(programme_id=programme_id, patient_pid=pid, team_id=team_id, **fields))
        return str(pid)

    def daily(self, programme_id: int, pid: str, day: date, expected: bool, counts: dict[str, int]) -> None:
        self.add(DailyMeasurement(programme_id=programme_id, patient_pid=pid, day=day, expected=expected,
                                  received_counts=counts, manual_counts={}))  # fmt: skip

    def alert(self, programme_id: int, team_id: int | None, created: datetime, **fields: Any) -> None:
        fields.setdefault("severity", "red")
        fields.setdefault("patient_pid", "p")
        self.add(Alert(programme_id=programme_id, external_id=f"a{self._next()}", team_id=team_id,
                       created_at=created, **fields))  # fmt: skip

    def activity(self, programme_id: int, staff_pid: str, day: date) -> None:
        self.add(StaffActivity(programme_id=programme_id, staff_pid=staff_pid, day=day, actions={"reviews": 1}))

    def eligible(self, programme_id: int, start: date, end: date, count: int) -> None:
        self.add(EligibleCount(programme_id=programme_id, period_start=start, period_end=end, count=count,
                               source="manual"))  # fmt: skip

    def link(self, programme_id: int, pid: str) -> str:
        user = self.user(Role.PATIENT)
        self.add(PatientLink(programme_id=programme_id, patient_pid=pid, user_id=user.id))
        return str(user.xapi_pid)


def cell(code: str, scope_type: str, scope_id: int, month: date = MARCH) -> MetricValue | None:
    """Return the stored row of one cell (numbers included even when suppressed), or None."""
    return db.session.scalar(
        select(MetricValue).where(
            MetricValue.metric_code == code,
            MetricValue.scope_type == scope_type,
            MetricValue.scope_id == scope_id,
            MetricValue.period_start == month,
        )
    )


def numbers(code: str, scope_type: str, scope_id: int, month: date = MARCH) -> tuple[Any, Any, Any]:
    """Return (numerator, denominator, value) of a stored cell."""
    row = cell(code, scope_type, scope_id, month)
    assert row is not None, f"no {code} cell for {scope_type} {scope_id} in {month}"
    return row.numerator, row.denominator, row.value


def two_nurses_one_completed(world: World) -> tuple[int, StaffRef, StaffRef]:
    """One team of two nurses who both started module m1 in March and of whom `a` completed it: (team, a, b).
    Committed; the caller recomputes."""
    org = world.org()
    team = world.team(org)
    programme = world.programme(world.environment(), org, teams=(team,))
    world.curriculum(programme, "nurse", ["m1"])
    a, b = world.staff(org, team), world.staff(org, team)
    for learner in (a, b):
        world.event(learner.actor, "initialized", "m1", at(date(2025, 3, 2)))
    world.event(a.actor, "completed", "m1", at(date(2025, 3, 3)))
    db.session.commit()
    return team, a, b
