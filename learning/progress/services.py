"""A learner's own overview: what they started, finished and passed ("Mijn voortgang")."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from learning.accounts.models import User
from learning.content.services import get_document, get_module_text
from learning.db import db
from learning.player.models import Attempt


@dataclass(frozen=True)
class ProgressRow:
    attempt: Attempt
    title: str
    steps_total: int
    steps_seen: int
    questions: int  # judged questions of the version taken: the result says "x of these right"


def get_progress(user: User, language: str) -> list[ProgressRow]:
    """Return the learner's attempts, unfinished first, then newest finished first."""
    attempts = db.session.scalars(
        select(Attempt)
        .where(Attempt.user_id == user.id)
        .order_by(Attempt.started_at.desc())
        .options(selectinload(Attempt.module), selectinload(Attempt.steps_seen))  # one query each, not per row
    ).all()
    rows = []
    for attempt in attempts:
        text = get_module_text(attempt.module, attempt.version, language)
        if text is None:
            continue
        document = get_document(text)
        rows.append(
            ProgressRow(attempt, document.title, len(document.steps), len(attempt.steps_seen), len(document.quizzes))
        )
    return sorted(
        rows,
        key=lambda r: (r.attempt.is_finished, -(r.attempt.finished_at or r.attempt.started_at).timestamp()),
    )
