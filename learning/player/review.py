"""Looking back at a finished attempt: every question with the learner's first answer and why the right one is
right (the result page), and reading the module again step by step without starting a new attempt.

Re-reading reports `experienced` for each step seen, on the finished attempt's registration and in a session of
its own, and nothing else: no `launched`, no new registration, no answer, so no metric counts it as an attempt.
"""

from __future__ import annotations

import uuid
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from learning.accounts.models import User
from learning.content.document import Judged, Likert, ModuleDocument, Quiz, Step
from learning.content.judging import stored_values
from learning.content.models import Module
from learning.db import db
from learning.player.models import Attempt
from learning.player.services import PlayerError, commit_and_send, document_for, experienced_statement


@dataclass(frozen=True)
class ReviewRow:
    """One judged question of a finished attempt as the learner answered it first (the answer that counted)."""

    step: int
    item: Judged
    values: tuple[str, ...]
    correct: bool

    @property
    def explanation(self) -> str:
        """Why the right answer is right: the feedback on the right choices, or the 'right' feedback."""
        if isinstance(self.item, Quiz):
            return " ".join(c.feedback for c in self.item.choices if c.correct and c.feedback)
        return self.item.feedback.right


def review_rows(attempt: Attempt, document: ModuleDocument) -> list[ReviewRow]:
    """Every judged question of the module in page order, with the learner's counted answer."""
    rows = []
    for step in document.steps:
        for item in step.items:
            answer = attempt.answer_for(item.id)
            if isinstance(item, Likert) or answer is None:
                continue
            rows.append(ReviewRow(step.number, item, stored_values(item, answer.response), bool(answer.correct)))
    return rows


def finished_attempt(user: User, module: Module, attempt_id: int) -> Attempt | None:
    """The learner's own finished attempt with this id, or None (someone else's attempt does not exist)."""
    return db.session.scalar(
        select(Attempt).where(
            Attempt.id == attempt_id,
            Attempt.user_id == user.id,
            Attempt.module_id == module.id,
            Attempt.finished_at.is_not(None),
        )
    )


def _visit(store: MutableMapping[str, Any], attempt: Attempt, number: int) -> tuple[str, bool]:
    """(the session id of this re-reading, whether the step is seen for the first time in it).

    `store` is the learner's browser session, changed in place. Only the current re-reading is remembered, so the
    cookie stays small however many modules a learner reads again.
    """
    current = store.get("reread")
    if not isinstance(current, dict) or current.get("attempt") != attempt.id:
        current = {"attempt": attempt.id, "session": str(uuid.uuid4()), "seen": []}
    first = number not in current["seen"]
    if first:
        current = {**current, "seen": [*current["seen"], number]}
    store["reread"] = current
    return str(current["session"]), first


def reread_step(user: User, attempt: Attempt, number: int, language: str, store: MutableMapping[str, Any]) -> Step:
    """Show a step of a finished attempt again; its first view in this re-reading reports `experienced`.

    :raises PlayerError: for a step the module does not have, or an attempt that is not finished.
    """
    if not attempt.is_finished:
        raise PlayerError("this attempt is not finished")
    document = document_for(attempt, language)
    if not 1 <= number <= len(document.steps):
        raise PlayerError(f"step {number} does not exist")
    session_id, first = _visit(store, attempt, number)
    if first:
        commit_and_send([experienced_statement(user, attempt, number, language, session_id=session_id)])
    return document.steps[number - 1]
