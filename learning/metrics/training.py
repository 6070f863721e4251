"""Learning facts per actor, read from TrainingEvent (the LRS's statements as the LMS synced them).

The statement table is the largest input (10M rows at x10 of the demo). A run over many months reads it in one pass,
reduced in SQL with GROUP BY before Python sees it: milestones per (actor, module, verb, month), judged results per
registration, and survey answers per (item, response, month) with their first and last moment. A run over recent
months reads only those months' statements (through the timestamp index) and takes each learner's history from
the per (learner, module) summaries that learner_state.py keeps; both ways give the same facts. Only actors the
metrics can attribute are read: staff whose roster entry links a VTC account and patients linked to a programme.
Voided statements never count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select, union
from sqlalchemy.sql.elements import ColumnElement

from learning.accounts.models import User
from learning.db import db
from learning.environments.models import PatientLink, StaffMember
from learning.metrics.models import TrainingEvent, TrainingFirstAnswer, TrainingProgress
from learning.metrics.periods import month_of_moment
from learning.rpm.models import Enrolment

DONE_VERBS = frozenset({"completed", "passed", "waived"})
MILESTONE_VERBS = ("launched", "initialized", "completed", "passed", "failed", "waived", "terminated")
JUDGED_VERBS = ("passed", "failed")
LIKERT = ("1", "2", "3", "4", "5")
PRE_PREFIX = "pre-"
CONFIDENCE_PREFIX = "confidence-"
RELEVANCE_PREFIX = "relevance-"
SURVEY_PREFIXES = (CONFIDENCE_PREFIX, PRE_PREFIX + CONFIDENCE_PREFIX, RELEVANCE_PREFIX)
Moment = tuple[datetime, int]  # when an answer was given, and its value 1-5
Judged = dict[tuple[str, str, str], tuple[datetime, bool]]  # (actor, module, registration) → (first, passed)


def month_key(moment: datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


@dataclass
class ActorFacts:
    """What one learner did, reduced to what the formulas need."""

    first_launch: datetime | None = None
    first_done: dict[str, datetime] = field(default_factory=dict)  # module → first completed/passed/waived
    first_completed: dict[str, datetime] = field(default_factory=dict)
    initialized: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # month → modules
    completed: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # month → modules
    terminated: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))  # module → month → s
    completion_seconds: dict[str, float] = field(default_factory=dict)  # module → Σ terminated up to first completion
    first_judged: dict[str, tuple[str, bool]] = field(default_factory=dict)  # module → (month, passed)
    first_answer: dict[str, Moment] = field(default_factory=dict)  # item → its first answer
    last_answer: dict[str, dict[str, Moment]] = field(default_factory=lambda: defaultdict(dict))  # month → item → …

    def satisfied_at(self, modules: frozenset[str]) -> datetime | None:
        """Return when every module of the set was first done (the latest of those moments), or None."""
        if not modules or not modules <= self.first_done.keys():
            return None
        return max(self.first_done[m] for m in modules)

    def last_answers(self, prefix: str, month: str) -> list[int]:
        """Return, per item with `prefix` answered in `month`, the last answer given in that month."""
        return [value for item, (_at, value) in self.last_answer.get(month, {}).items() if item.startswith(prefix)]

    def note(self, module: str | None, verb: str, month: str, first: datetime, seconds: float | None) -> None:
        """Take in one group of milestone statements."""
        if verb == "launched":
            self.first_launch = first if self.first_launch is None else min(self.first_launch, first)
        if module is None:
            return
        if verb in DONE_VERBS:
            self.first_done[module] = min(self.first_done.get(module, first), first)
        if verb == "completed":
            self.first_completed[module] = min(self.first_completed.get(module, first), first)
            self.completed[month].add(module)
        elif verb == "initialized":
            self.initialized[month].add(module)
        elif verb == "terminated":
            self.terminated[module][month] = self.terminated[module].get(month, 0.0) + (seconds or 0.0)

    def note_answer(self, item: str, month: str, value: int, first: datetime, last: datetime) -> None:
        """Take in one group of answers with the same value (first and last moment it was given)."""
        if item not in self.first_answer or first < self.first_answer[item][0]:
            self.first_answer[item] = (first, value)
        self.note_last_answer(item, month, value, last)

    def note_last_answer(self, item: str, month: str, value: int, last: datetime) -> None:
        """Take in the last moment a value was given to an item in a month."""
        latest = self.last_answer[month].get(item)
        if latest is None or last > latest[0]:
            self.last_answer[month][item] = (last, value)

    def note_completion_seconds(self) -> None:
        """Sum each completed module's active time up to the month of its first completion (after a full read)."""
        for module, first in self.first_completed.items():
            until = month_key(first)
            self.completion_seconds[module] = sum(s for m, s in self.terminated.get(module, {}).items() if m <= until)

    def note_progress(self, row: Any, before: datetime) -> None:
        """Take in one (learner, module) summary, leaving out what happened at or after `before`."""
        launched, module = _before(row.first_launched_at, before), row.module_slug
        if launched is not None:
            self.first_launch = launched if self.first_launch is None else min(self.first_launch, launched)
        if not module:
            return
        if (done := _before(row.first_done_at, before)) is not None:
            self.first_done[module] = done
        if (completed := _before(row.first_completed_at, before)) is not None:
            self.first_completed[module] = completed
            self.completion_seconds[module] = row.completion_seconds or 0.0
        if (judged := _before(row.first_judged_at, before)) is not None:
            passed = _before(row.first_judged_passed_at, before) is not None
            self.first_judged[module] = (month_key(judged), passed)


def _before(moment: datetime | None, before: datetime) -> datetime | None:
    return moment if moment is not None and moment < before else None


EMPTY = ActorFacts()


@dataclass
class TrainingFacts:
    by_actor: dict[str, ActorFacts] = field(default_factory=lambda: defaultdict(ActorFacts))

    def of(self, actor: str | None) -> ActorFacts:
        """Return the facts of an actor; someone without an account or without statements has done nothing."""
        return self.by_actor.get(actor, EMPTY) if actor else EMPTY


def _staff_actors() -> Select[Any]:
    return select(User.xapi_pid).join(StaffMember, StaffMember.user_id == User.id)


def _patient_actors() -> Select[Any]:
    return select(User.xapi_pid).join(PatientLink, PatientLink.user_id == User.id)


def survey_statement() -> ColumnElement[bool]:
    """Return 'an answer of 1-5 to a confidence, pre-confidence or relevance item'."""
    e = TrainingEvent
    items = or_(*(e.item_id.startswith(p) for p in SURVEY_PREFIXES))
    return and_(e.verb == "answered", items, e.response.in_(LIKERT))


def load_training_facts(before: datetime, since: datetime | None = None) -> TrainingFacts:
    """Read the learners' facts from statements timestamped before `before`.

    Without `since` (a run over many months) all attributable learners are read in one pass over the table. With
    `since` (a run over recent months) the histories come from the summaries (staff, and the patients enrolled since
    then: ONBOARD_FIDELITY's cohorts) and only the statements from `since` on are read, through the timestamp index.
    """
    facts = TrainingFacts()
    if since is None:
        judged = Judged()
        _read(facts, judged, before, TrainingEvent.actor_pid.in_(union(_staff_actors(), _patient_actors())))
        _note_first_judged(facts, judged)
        for learner in facts.by_actor.values():
            learner.note_completion_seconds()
        return facts
    enrolled = (
        _patient_actors()
        .join(Enrolment, and_(Enrolment.programme_id == PatientLink.programme_id,
                              Enrolment.patient_pid == PatientLink.patient_pid))
        .where(Enrolment.enrolled_at >= since.date(), Enrolment.enrolled_at < before.date())
    )  # fmt: skip
    for actors in (_staff_actors(), enrolled):
        _read_progress(facts, before, actors)
    _read_months(facts, before, since)
    return facts


def _read(facts: TrainingFacts, judged: Judged, before: datetime, *where: ColumnElement[bool]) -> None:
    """Group the milestone and survey statements that match `where` and take them into the facts."""
    e, survey = TrainingEvent, survey_statement()
    registration = case((e.verb.in_(JUDGED_VERBS), func.coalesce(e.registration, e.statement_id)), else_=None)
    item, response = case((survey, e.item_id), else_=None), case((survey, e.response), else_=None)
    keys = (e.actor_pid, e.module_slug, e.verb, month_of_moment(e.timestamp), registration, item, response)
    last = case((item.is_not(None), func.max(e.timestamp)), else_=None)  # only answers need their last moment
    query = (
        select(*keys, func.min(e.timestamp), last, func.sum(e.duration_seconds))
        .where(*where, or_(e.verb.in_(MILESTONE_VERBS), survey), e.voided.is_(False), e.timestamp < before)
        .group_by(*keys)
    )
    rows = db.session.connection().execute(query)  # Core rows: no ORM bookkeeping for ~10^5-10^6 groups
    for actor, module, verb, key, reg, answered, value, first, latest, seconds in rows:
        learner = facts.by_actor[actor]
        if answered is not None:
            learner.note_answer(answered, key, int(value), first, latest)
            continue
        learner.note(module, verb, key, first, seconds)
        if reg is not None and module is not None:
            earlier = judged.get((actor, module, reg))
            judged[(actor, module, reg)] = (min(first, earlier[0]) if earlier else first,
                                            verb == "passed" or bool(earlier and earlier[1]))  # fmt: skip


def _read_progress(facts: TrainingFacts, before: datetime, actors: Select[Any]) -> None:
    """Take the histories of these actors from the summaries, as they stood at `before`."""
    p, a = TrainingProgress, TrainingFirstAnswer
    for row in db.session.connection().execute(select(p).where(p.actor_pid.in_(actors))):
        facts.by_actor[row.actor_pid].note_progress(row, before)
    for actor, item, at, value in db.session.connection().execute(
        select(a.actor_pid, a.item_id, a.answered_at, a.value).where(a.actor_pid.in_(actors), a.answered_at < before)
    ):
        learner = facts.by_actor[actor]
        if item not in learner.first_answer or at < learner.first_answer[item][0]:
            learner.first_answer[item] = (at, value)


def _read_months(facts: TrainingFacts, before: datetime, since: datetime) -> None:
    """Read the modules initialized and completed and the survey answers given from `since` to `before`."""
    e, survey = TrainingEvent, survey_statement()
    item, response = case((survey, e.item_id), else_=None), case((survey, e.response), else_=None)
    keys = (e.actor_pid, e.module_slug, e.verb, month_of_moment(e.timestamp), item, response)
    query = (
        select(*keys, func.max(e.timestamp))
        .where(e.timestamp >= since, e.timestamp < before, e.voided.is_(False),
               or_(e.verb.in_(("initialized", "completed")), survey))
        .group_by(*keys)
    )  # fmt: skip
    for actor, module, verb, key, answered, value, latest in db.session.connection().execute(query):
        learner = facts.by_actor[actor]
        if answered is not None:
            learner.note_last_answer(answered, key, int(value), latest)
        elif module is not None:
            (learner.completed if verb == "completed" else learner.initialized)[key].add(module)


def _note_first_judged(facts: TrainingFacts, judged: Judged) -> None:
    """Keep per (actor, module) the month of the first judged registration and whether it was passed in it."""
    first: dict[tuple[str, str], tuple[datetime, bool]] = {}
    for (actor, module, _reg), (at, passed) in judged.items():
        if (actor, module) not in first or at < first[(actor, module)][0]:
            first[(actor, module)] = (at, passed)
    for (actor, module), (at, passed) in first.items():
        facts.by_actor[actor].first_judged[module] = (month_key(at), passed)
