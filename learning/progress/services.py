"""A learner's own overview: what they started, finished and passed ("Mijn voortgang")."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from learning.accounts.models import User
from learning.content.services import get_document, get_module_text
from learning.db import db
from learning.player.models import Attempt, AttemptStep


@dataclass(frozen=True)
class ProgressRow:
    attempt: Attempt
    title: str
    steps_total: int
    steps_seen: int
    questions: int  # judged questions of the version taken: the result says "x of these right"


def get_progress(user: User, language: str) -> list[ProgressRow]:
    """Return the learner's attempts, unfinished first, then newest finished first.

    One query: each attempt with its module (a many-to-one join) and the number of steps it has seen (counted in
    the database; the page never needs the steps themselves).
    """
    seen = (
        select(func.count(AttemptStep.id))
        .where(AttemptStep.attempt_id == Attempt.id)
        .correlate(Attempt)
        .scalar_subquery()
    )
    found = db.session.execute(
        select(Attempt, seen)
        .join(Attempt.module)
        .where(Attempt.user_id == user.id)
        .order_by(Attempt.started_at.desc())
        .options(contains_eager(Attempt.module))
    ).all()
    rows = []
    for attempt, steps_seen in found:
        text = get_module_text(attempt.module, attempt.version, language)
        if text is None:
            continue
        document = get_document(text)
        rows.append(ProgressRow(attempt, document.title, len(document.steps), steps_seen, len(document.quizzes)))
    return sorted(
        rows,
        key=lambda r: (r.attempt.is_finished, -(r.attempt.finished_at or r.attempt.started_at).timestamp()),
    )
