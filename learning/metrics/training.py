"""Learning facts per actor, read from TrainingEvent (the LRS's statements as the LMS synced them).

The statement table is the largest input (10M rows at x10 of the demo), so it is read in one pass and reduced in SQL
with GROUP BY before Python sees it: milestones per (actor, module, verb, month), judged results per registration,
and survey answers per (item, response, month) with their first and last moment. Only actors the metrics can
attribute are read: staff whose roster entry links a VTC account and patients linked to a programme. Voided
statements never count.
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
from learning.metrics.models import TrainingEvent
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
HISTORY = "0000-00"  # the month key of everything before a narrow run's first month (sorts before every month)
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
        latest = self.last_answer[month].get(item)
        if latest is None or last > latest[0]:
            self.last_answer[month][item] = (last, value)


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


def _survey() -> ColumnElement[bool]:
    e = TrainingEvent
    items = or_(*(e.item_id.startswith(p) for p in SURVEY_PREFIXES))
    return and_(e.verb == "answered", items, e.response.in_(LIKERT))


def load_training_facts(before: datetime, since: datetime | None = None) -> TrainingFacts:
    """Read the learners' facts from statements timestamped before `before`.

    Without `since` (a run over many months) all attributable learners are read in one pass over the table. With
    `since` (a run over recent months) only what those months can use is read, through the indexes: the whole
    history of staff (their index range is about a tenth of the table), the history of the patients enrolled
    since then (ONBOARD_FIDELITY's cohorts), and the survey answers given since then (PT_CONFIDENCE).
    """
    facts, judged = TrainingFacts(), Judged()
    e = TrainingEvent
    if since is None:
        _read(facts, judged, before, None, e.actor_pid.in_(union(_staff_actors(), _patient_actors())))
    else:
        enrolled = (
            _patient_actors()
            .join(Enrolment, and_(Enrolment.programme_id == PatientLink.programme_id,
                                  Enrolment.patient_pid == PatientLink.patient_pid))
            .where(Enrolment.enrolled_at >= since.date(), Enrolment.enrolled_at < before.date())
        )  # fmt: skip
        _read(facts, judged, before, since, e.actor_pid.in_(_staff_actors()))
        _read(facts, judged, before, since, e.actor_pid.in_(enrolled))
        # answers since then, of anyone: read through the timestamp index (staff answers are read twice, harmlessly)
        _read(facts, judged, before, since, e.timestamp >= since, _survey())
    _note_first_judged(facts, judged)
    return facts


def _read(
    facts: TrainingFacts, judged: Judged, before: datetime, since: datetime | None, *where: ColumnElement[bool]
) -> None:
    """Group the milestone and survey statements that match `where` and take them into the facts.

    With `since`, everything before it falls into one bucket (HISTORY): its first moments and sums are all the
    months from `since` on need, and there are far fewer groups to read.
    """
    e, survey = TrainingEvent, _survey()
    registration = case((e.verb.in_(JUDGED_VERBS), func.coalesce(e.registration, e.statement_id)), else_=None)
    item, response = case((survey, e.item_id), else_=None), case((survey, e.response), else_=None)
    month = month_of_moment(e.timestamp)
    if since is not None:
        month = case((e.timestamp >= since, month), else_=HISTORY)
    keys = (e.actor_pid, e.module_slug, e.verb, month, registration, item, response)
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


def _note_first_judged(facts: TrainingFacts, judged: Judged) -> None:
    """Keep per (actor, module) the month of the first judged registration and whether it was passed in it."""
    first: dict[tuple[str, str], tuple[datetime, bool]] = {}
    for (actor, module, _reg), (at, passed) in judged.items():
        if (actor, module) not in first or at < first[(actor, module)][0]:
            first[(actor, module)] = (at, passed)
    for (actor, module), (at, passed) in first.items():
        facts.by_actor[actor].first_judged[module] = (month_key(at), passed)
