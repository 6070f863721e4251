"""A learner's own overview: what they started, finished and passed ("Mijn voortgang")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select

from learning import first_reads
from learning.accounts.models import User
from learning.content.models import Module
from learning.content.services import get_document, get_module_text
from learning.player.models import Attempt, AttemptStep


@dataclass(frozen=True)
class ModuleRef:
    """What a progress row reads of a module (its link, its texts): plain data, no ORM object."""

    id: int
    slug: str
    updated_at: datetime


@dataclass(frozen=True)
class AttemptSummary:
    """What a progress row shows of an attempt, read as plain columns (the page changes nothing)."""

    module: ModuleRef
    version: str
    current_step: int
    started_at: datetime
    finished_at: datetime | None
    passed: bool | None
    score_scaled: float | None

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None


@dataclass(frozen=True)
class ProgressRow:
    attempt: AttemptSummary
    title: str
    steps_total: int
    steps_seen: int
    questions: int  # judged questions of the version taken: the result says "x of these right"


_SEEN = (
    select(func.count(AttemptStep.id)).where(AttemptStep.attempt_id == Attempt.id).correlate(Attempt).scalar_subquery()
)
# Built once, Core columns only: the learner's own progress page and a caregiver's view of it read it on every view.
_PROGRESS = (
    select(Module.id, Module.slug, Module.updated_at, Attempt.version, Attempt.current_step, Attempt.started_at,
           Attempt.finished_at, Attempt.passed, Attempt.score_scaled, _SEEN)
    .join(Module, Module.id == Attempt.module_id)
    .where(Attempt.user_id == bindparam("user_id"))
    .order_by(Attempt.started_at.desc())
)  # fmt: skip


first_reads.register("progress.index", _PROGRESS, lambda url: {}, many=True)


def get_progress(user: User, language: str) -> list[ProgressRow]:
    """Return the learner's attempts, unfinished first, then newest finished first.

    One query: each attempt with its module's key and the number of steps it has seen (counted in the database;
    the page never needs the steps themselves), as plain rows.
    """
    rows = []
    for row in first_reads.rows(_PROGRESS, {"user_id": user.id}):  # with the account on the learner's own page
        module = ModuleRef(row[0], row[1], row[2])
        attempt = AttemptSummary(module, *row[3:9])
        text = get_module_text(module, attempt.version, language)
        if text is None:
            continue
        document = get_document(text)
        rows.append(ProgressRow(attempt, document.title, len(document.steps), row[9], len(document.quizzes)))
    return sorted(
        rows,
        key=lambda r: (r.attempt.is_finished, -(r.attempt.finished_at or r.attempt.started_at).timestamp()),
    )


def table_key(rows: list[ProgressRow]) -> tuple[tuple[object, ...], ...]:
    """Everything progress/_table.html shows of the rows: the table is rendered once per this (and the language),
    like the catalogue's cards (learning/fragments.py), so learners in the same state share it."""
    return tuple(
        (row.attempt.module.slug, row.title, row.attempt.finished_at and row.attempt.finished_at.strftime("%d-%m-%Y"),
         row.attempt.passed, row.attempt.score_scaled, row.questions, row.attempt.current_step, row.steps_total)
        for row in rows
    )  # fmt: skip
