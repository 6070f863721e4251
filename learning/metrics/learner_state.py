"""Per learner x module summaries of training_event, so that a run over recent months need not read whole histories.

Besides the statements of its own months, a run needs a few facts from each learner's whole history: when they
first launched, first did (completed, passed or waived) and first completed each module, their first judged
registration and when they first passed in it, their active time up to the month of their first completion
(MOD_TIME), and their first answer to each survey item (CONF_GAIN). Read from training_event, that is the whole
history of every member of staff (about a million statements at x10 of the demo); training_progress and
training_first_answer hold it as one row per (learner, module) and per (learner, module, item).

Upkeep: whoever writes training_event refreshes the (learner, module) pairs it touched with `refresh_learners`, in
its own transaction; the xAPI sync does so for new and for voided statements (learning/tracking/sync_training.py).
A refresh recomputes the pairs from their statements (one index range each), so it is exact after voiding too.
When the summaries are empty while statements exist (a database migrated from before 0003, or statements written
around the sync), the next narrow run rebuilds them in one pass; `flask metrics rebuild` does that on demand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, exists, func, insert, or_, select
from sqlalchemy.sql.elements import ColumnElement

from learning.db import db
from learning.metrics.models import TrainingEvent, TrainingFirstAnswer, TrainingProgress
from learning.metrics.periods import month_of_moment
from learning.metrics.training import DONE_VERBS, JUDGED_VERBS, MILESTONE_VERBS, month_key, survey_statement

Pair = tuple[str, str]  # (actor, module slug; '' for statements without a module)
CHUNK = 400  # pairs per query and rows per insert: well below every database's bound-parameter limit


@dataclass
class _Progress:
    """One pair's statements, reduced while their groups are read."""

    launched: datetime | None = None
    done: datetime | None = None
    completed: datetime | None = None
    judged: dict[str, tuple[datetime, datetime | None]] = field(default_factory=dict)  # registration → moments
    terminated: dict[str, float] = field(default_factory=lambda: defaultdict(float))  # month → seconds
    answers: dict[str, tuple[datetime, int]] = field(default_factory=dict)  # item → first answer

    def row(self, actor: str, module: str) -> dict[str, Any]:
        first = min(self.judged.values(), key=lambda moments: moments[0], default=None)  # the first registration
        seconds = None
        if self.completed is not None:
            until = month_key(self.completed)
            seconds = sum(s for month, s in self.terminated.items() if month <= until)
        return {"actor_pid": actor, "module_slug": module, "first_launched_at": self.launched,
                "first_done_at": self.done, "first_completed_at": self.completed,
                "first_judged_at": first[0] if first else None, "first_judged_passed_at": first[1] if first else None,
                "completion_seconds": seconds}  # fmt: skip


def _earliest(current: datetime | None, moment: datetime) -> datetime:
    return moment if current is None or moment < current else current


def _groups(*where: ColumnElement[bool]) -> Iterator[Any]:
    """Yield the statements that matter grouped so that each group is one fact (voided ones never count)."""
    e, survey = TrainingEvent, survey_statement()
    registration = case((e.verb.in_(JUDGED_VERBS), func.coalesce(e.registration, e.statement_id)), else_=None)
    item, response = case((survey, e.item_id), else_=None), case((survey, e.response), else_=None)
    month = case((e.verb == "terminated", month_of_moment(e.timestamp)), else_=None)  # only MOD_TIME needs months
    keys = (e.actor_pid, e.module_slug, e.verb, month, registration, item, response)
    query = (
        select(*keys, func.min(e.timestamp), func.sum(e.duration_seconds))
        .where(*where, or_(e.verb.in_(MILESTONE_VERBS), survey), e.voided.is_(False))
        .group_by(*keys)
    )
    yield from db.session.connection().execute(query)


def _reduce(groups: Iterable[Any]) -> dict[Pair, _Progress]:
    pairs: dict[Pair, _Progress] = defaultdict(_Progress)
    for actor, module, verb, month, registration, item, response, first, seconds in groups:
        p = pairs[(actor, module or "")]
        if item is not None:
            if item not in p.answers or first < p.answers[item][0]:
                p.answers[item] = (first, int(response))
            continue
        if verb == "launched":
            p.launched = _earliest(p.launched, first)
        if verb in DONE_VERBS:
            p.done = _earliest(p.done, first)
        if verb == "completed":
            p.completed = _earliest(p.completed, first)
        elif verb == "terminated":
            p.terminated[month] += seconds or 0.0
        if registration is not None:
            began, passed = p.judged.get(registration, (first, None))
            passed = _earliest(passed, first) if verb == "passed" else passed
            p.judged[registration] = (_earliest(began, first), passed)
    return pairs


def _write(pairs: dict[Pair, _Progress]) -> None:
    progress = [p.row(actor, module) for (actor, module), p in pairs.items()]
    answers = [
        {"actor_pid": actor, "module_slug": module, "item_id": item, "answered_at": at, "value": value}
        for (actor, module), p in pairs.items()
        for item, (at, value) in p.answers.items()
    ]
    for table, rows in ((TrainingProgress, progress), (TrainingFirstAnswer, answers)):
        for start in range(0, len(rows), CHUNK * 10):
            db.session.execute(insert(table), rows[start : start + CHUNK * 10])


def refresh_learners(pairs: Iterable[Pair]) -> None:
    """Recompute the summaries of these (learner, module) pairs from their statements (in the caller's transaction)."""
    wanted = sorted(set(pairs))
    e = TrainingEvent
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        for table in (TrainingProgress, TrainingFirstAnswer):
            db.session.execute(delete(table).where(_of_pairs(table.actor_pid, table.module_slug, chunk)))
        _write(_reduce(_groups(_of_pairs(e.actor_pid, e.module_slug, chunk, empty_is_null=True))))


def _of_pairs(actor: Any, module: Any, pairs: list[Pair], *, empty_is_null: bool = False) -> ColumnElement[bool]:
    """Return 'the row is one of these pairs' as an IN list of actors per module.

    Every database serves that from an index on (actor, module); SQLite would scan the whole index for a row-value
    IN ((actor, module), ...).
    """
    actors: dict[str, list[str]] = defaultdict(list)
    for name, slug in pairs:
        actors[slug].append(name)
    return or_(
        *(and_(actor.in_(names), module.is_(None) if empty_is_null and not slug else module == slug)
          for slug, names in actors.items())
    )  # fmt: skip


def rebuild_learners() -> int:
    """Rebuild every summary from training_event in one pass; return the number of (learner, module) pairs.

    The statements are read and reduced before the first write, so the write lock is held only for the writing."""
    pairs = _reduce(_groups())
    db.session.execute(delete(TrainingFirstAnswer))
    db.session.execute(delete(TrainingProgress))
    _write(pairs)
    return len(pairs)


def ensure_learners() -> None:
    """Rebuild the summaries when they are empty but statements exist (they were never built)."""
    if db.session.scalar(select(exists().where(TrainingProgress.actor_pid.is_not(None)))):
        return
    if db.session.scalar(select(exists().where(TrainingEvent.statement_id.is_not(None)))):
        rebuild_learners()
        db.session.commit()  # its own transaction, before the run computes
