"""A year of staff training: who starts the curriculum module when, who finishes, passes, fails and retakes.

Uptake follows the programmes: a member of staff is due to train from the later of joining the team and the
programme's start; core roles start sooner. About one in eight never starts; some stop halfway; a failed
attempt is retaken; a refresher follows when the curriculum asks for one within the year.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select

from learning.accounts.models import Organisation
from learning.db import db
from learning.demo.attempts import DemoModule, Emitter, Learner, Plan, take_module
from learning.demo.clock import working_moment
from learning.demo.region import ROLES
from learning.demo.staff import StaffPlan
from learning.demo.structure import Region, Requirement
from learning.tracking.homes import learner_home

NEVER_STARTS = {True: 0.08, False: 0.2}  # by "core role"
MEAN_DELAY_DAYS = {True: 16, False: 40}
STOPS_HALFWAY = 0.08
REFRESHER_TAKEN = 0.7


@dataclass(frozen=True)
class Duty:
    module: str
    from_day: date
    core: bool
    refresher_months: int | None


def duties(region: Region, plan: StaffPlan) -> list[Duty]:
    """Return what this member of staff must learn, from when: the earliest obligation per module."""
    found: dict[str, Duty] = {}
    for membership in plan.memberships:
        for programme in region.programmes:
            need: Requirement | None = programme.curriculum.get(membership.role)
            if need is None or membership.team not in programme.staff_teams:
                continue
            start = max(membership.start, programme.start, region.window.start)
            if membership.end is not None and membership.end < start:
                continue
            duty = Duty(need.module, start, ROLES[membership.role][3], need.refresher_months)
            if need.module not in found or duty.from_day < found[need.module].from_day:
                found[need.module] = duty
    return sorted(found.values(), key=lambda d: d.module)


def _plan(rng: random.Random, steps: int, *, first: bool, ability: float) -> Plan:
    before = rng.choice((2, 3, 3, 3, 4))
    after = min(5, before + rng.choice((0, 1, 1, 1, 2)))
    finished = not first or rng.random() >= STOPS_HALFWAY
    return Plan(
        steps=steps if finished else rng.randint(1, max(steps - 1, 1)),
        finished=finished,
        ability=ability,
        confidence=(before, after) if first else None,
        relevance=rng.choice((3, 4, 4, 4, 5, 5)),
        split_after=rng.randint(1, steps - 1) if steps > 1 and rng.random() < 0.2 else None,
    )


@dataclass
class Trainer:
    rng: random.Random
    region: Region
    base_iri: str
    modules: dict[str, DemoModule]
    emitter: Emitter
    _homes: dict[int, str] = field(default_factory=dict)

    def home_of(self, organisation_id: int) -> str:
        """The account homePage of this organisation's learners, as the player gives them (tracking/homes.py)."""
        if organisation_id not in self._homes:
            pseudonym = db.session.scalar(select(Organisation.pseudonym).where(Organisation.id == organisation_id))
            self._homes[organisation_id] = learner_home(self.base_iri, pseudonym)
        return self._homes[organisation_id]

    def attempt(
        self, learner: Learner, module: DemoModule, at: datetime, *, first: bool, ability: float
    ) -> tuple[datetime | None, bool | None]:
        plan = _plan(self.rng, len(module.nl.steps), first=first, ability=ability)
        result = take_module(self.rng, self.base_iri, module, learner, at, plan)
        self.emitter.add(result.statements)
        return result.completed_at, result.passed

    def train(self, plan: StaffPlan, learner: Learner, duty: Duty) -> datetime | None:
        """Emit this learner's attempts at one duty; return when they first completed it."""
        rng, window = self.rng, self.region.window
        if rng.random() < NEVER_STARTS[duty.core]:
            return None
        start_day = duty.from_day + timedelta(days=int(rng.expovariate(1 / MEAN_DELAY_DAYS[duty.core])))
        last = min(plan.left_on or window.end, window.end) - timedelta(days=8)  # a split attempt ends in the past
        if start_day > last:
            return None
        module, ability = self.modules[duty.module], rng.uniform(0.7, 0.98)
        done, passed = self.attempt(learner, module, working_moment(rng, start_day), first=True, ability=ability)
        first_done = done
        while done is not None and passed is False and done.date() + timedelta(days=21) < last:
            ability = min(ability + 0.15, 0.99)
            retake = working_moment(rng, done.date() + timedelta(days=rng.randint(2, 20)))
            done, passed = self.attempt(learner, module, retake, first=False, ability=ability)
        self._refresh(plan, learner, duty, done, last)
        return first_done

    def _refresh(self, plan: StaffPlan, learner: Learner, duty: Duty, done: datetime | None, last: date) -> None:
        if done is None or duty.refresher_months is None:
            return
        due = done.date() + timedelta(days=round(duty.refresher_months * 30.4))
        if due + timedelta(days=30) <= last and self.rng.random() < REFRESHER_TAKEN:
            at = working_moment(self.rng, due - timedelta(days=self.rng.randint(0, 30)))
            self.attempt(learner, self.modules[duty.module], at, first=False, ability=0.9)


def emit_staff_training(trainer: Trainer, plans: list[StaffPlan]) -> dict[str, datetime]:
    """Emit every staff account's training; return per staff pseudonym when they were first trained."""
    trained: dict[str, datetime] = {}
    for plan in plans:
        if not plan.has_account or plan.demo_login:
            continue
        team = trainer.region.teams[plan.team]
        home = trainer.home_of(trainer.region.organisations[team.organisation])
        learner = Learner(plan.xapi_pid, home, "professional", team.pseudonym, plan.language)
        finished = [trainer.train(plan, learner, duty) for duty in duties(trainer.region, plan)]
        if finished and all(finished):
            trained[plan.pid] = max(moment for moment in finished if moment is not None)
    trainer.emitter.flush()
    return trained
