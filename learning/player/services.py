"""Taking a module: attempts, sessions, step views, answers and the result, each reported as xAPI.

Every state change and the statements that report it are written in one transaction (statements go to the
outbox), then delivered after commit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from learning.accounts.models import Role, User
from learning.content.document import Item, Judged, ModuleDocument, Quiz, Step
from learning.content.judging import Given, read_answer
from learning.content.models import Module
from learning.content.services import PublishedText, get_document, get_module_text, published_texts
from learning.db import db, utcnow
from learning.player.models import Attempt, AttemptAnswer, AttemptStep
from learning.rows import all_columns, column_rows, persistent
from learning.tracking import interactions, outbox
from learning.tracking import statements as xapi
from learning.tracking.homes import learner_home


class PlayerError(Exception):
    """A request the player cannot honour; the message names what is missing."""


@dataclass(frozen=True)
class AnswerOutcome:
    item: Item
    given: Given
    counted: AttemptAnswer
    text: PublishedText
    """The text the answer was judged on: the feedback is rendered from it (found once per answer)."""

    @property
    def chosen(self) -> tuple[int, ...]:
        return self.given.chosen

    @property
    def correct(self) -> bool | None:
        return self.given.correct

    @property
    def missed(self) -> tuple[int, ...]:
        """The right choices of a multiple-choice question that were not ticked: the feedback names them."""
        if not isinstance(self.item, Quiz):
            return ()
        return tuple(index for index in self.item.correct_indexes if index not in self.chosen)


def get_open_attempt(user: User, module: Module) -> Attempt | None:
    """Return the learner's unfinished attempt at this module, if any."""
    return db.session.scalar(
        select(Attempt).where(Attempt.user_id == user.id, Attempt.module_id == module.id, Attempt.finished_at.is_(None))
    )


def text_for(attempt: Attempt, language: str) -> PublishedText:
    """Return the stored text the attempt was started on, in the language asked for (else the closest one)."""
    text = get_module_text(attempt.module, attempt.version, language)
    if text is None:  # a loaded version always has Dutch; this means the database was edited by hand
        raise PlayerError(f"module {attempt.module.slug} {attempt.version} has no text")
    return text


def document_for(attempt: Attempt, language: str) -> ModuleDocument:
    """Return the module text the attempt was started on, parsed, in the language asked for (else the closest)."""
    return get_document(text_for(attempt, language))


def documents_of(attempt: Attempt) -> dict[str, ModuleDocument]:
    texts = published_texts(attempt.module)
    return {language: get_document(text) for (version, language), text in texts.items() if version == attempt.version}


def learning_context(user: User, attempt: Attempt, language: str) -> xapi.LearningContext:
    documents = documents_of(attempt)
    is_staff = user.role not in {Role.PATIENT, Role.CAREGIVER}
    return xapi.LearningContext(
        base_iri=current_app.config["XAPI_BASE_IRI"],
        actor_home=learner_home(
            current_app.config["XAPI_BASE_IRI"], user.organisation.pseudonym if user.organisation else None
        ),
        actor_name=user.xapi_pid,
        audience=user.audience.value if user.audience else "professional",
        module_slug=attempt.module.slug,
        module_titles={lang: doc.title for lang, doc in documents.items()},
        module_version=attempt.version,
        registration=attempt.registration,
        session_id=attempt.session_id or "",
        # The language the learner read, not the interface's: a German interface reads the English text.
        language=document_for(attempt, language).language,
        mastery_score=attempt.module.mastery_score if documents["nl"].quizzes else None,
        team=user.team.pseudonym if is_staff and user.team is not None else None,
    )


def experienced_statement(
    user: User,
    attempt: Attempt,
    number: int,
    language: str,
    *,
    session_id: str | None = None,
    timestamp: datetime | None = None,
    statement_id: str | None = None,
) -> dict[str, object]:
    """The `experienced` statement of one step, its title in every language; `session_id` replaces the attempt's
    (re-reading and steps read offline report in a session of their own)."""
    ctx = learning_context(user, attempt, language)
    if session_id is not None:
        ctx = replace(ctx, session_id=session_id)
    titles = {lang: doc.steps[number - 1].title for lang, doc in documents_of(attempt).items()}
    return xapi.experienced_step(ctx, number, titles, timestamp, statement_id=statement_id)


def commit_and_send(statements: list[dict[str, object]]) -> None:
    """Commit the change with its statements, then deliver them; with nothing to report, only commit.

    A view that changed nothing (a step seen again within the activity granularity) writes nothing: no commit,
    so the attempt and module stay loaded for the page, and no outbox query.
    """
    if not (statements or db.session.new or db.session.dirty or db.session.deleted):
        return  # nothing changed: a commit would only expire what the page is about to render
    outbox.record(statements)
    db.session.commit()
    if statements:
        outbox.flush()


# How fresh `last_activity_at` must be: it only ends a session that was never terminated (`abandoned`), so a
# minute's precision there is worth not writing the attempt on every page view of a step already bookmarked.
ACTIVITY_GRANULARITY = timedelta(seconds=60)


def start_session(user: User, module: Module, language: str) -> Attempt:
    """Open the learner's attempt (a new one if none is open) and begin a session at its bookmark.

    A previous session that never terminated is reported `abandoned` first (the cmi5 rule).
    """
    attempt = get_open_attempt(user, module)
    statements: list[dict[str, object]] = []
    now = utcnow()
    if attempt is None:
        attempt = Attempt(user_id=user.id, module=module, version=module.current_version, current_step=1)
        db.session.add(attempt)
        db.session.flush()
    elif attempt.session_id is not None:
        _close_session_time(attempt, attempt.last_activity_at or now)
        statements.append(xapi.module_event(learning_context(user, attempt, language), "abandoned"))
    attempt.session_id, attempt.session_started_at, attempt.last_activity_at = str(uuid.uuid4()), now, now
    ctx = learning_context(user, attempt, language)
    statements += [xapi.module_event(ctx, "launched"), xapi.module_event(ctx, "initialized")]
    commit_and_send(statements)
    return attempt


def _close_session_time(attempt: Attempt, end: datetime) -> timedelta:
    started = attempt.session_started_at or utcnow()
    span = max(end - started, timedelta(0))
    attempt.active_seconds += span.total_seconds()
    attempt.session_id = None
    return span


def view_step(user: User, attempt: Attempt, number: int, language: str, *, seen: bool | None = None) -> Step:
    """Show a step: bookmark it, and report `experienced` the first time in this attempt.

    `seen` is whether the attempt showed this step before, when the caller read it with the attempt
    (module_attempt_and_seen); None reads the attempt's steps.

    :raises PlayerError: for a step the module does not have.
    """
    document = document_for(attempt, language)
    if not 1 <= number <= len(document.steps):
        raise PlayerError(f"step {number} does not exist")
    if attempt.session_id is None and not attempt.is_finished:
        start_session(user, attempt.module, language)
    statements = []
    if not attempt.is_finished:
        now = utcnow()
        if attempt.current_step != number:
            attempt.current_step = number
        if attempt.last_activity_at is None or now - attempt.last_activity_at >= ACTIVITY_GRANULARITY:
            attempt.last_activity_at = now
        if seen is None:
            seen = any(shown.step_number == number for shown in attempt.steps_seen)
        if not seen:
            db.session.add(AttemptStep(attempt_id=attempt.id, step_number=number))  # the list stays unloaded
            statements.append(experienced_statement(user, attempt, number, language))
    commit_and_send(statements)
    return document.steps[number - 1]


NOT_READ: Any = object()
"""answer_item's `stored` when the caller did not read the item's stored answer (it is then read here)."""


def answer_item(
    user: User,
    attempt: Attempt,
    item_id: str,
    raw: list[str],
    language: str,
    statement_id: str | None = None,
    stored: AttemptAnswer | None = NOT_READ,
) -> AnswerOutcome:
    """Record an answer and return the feedback; only the first answer counts towards the score.

    `statement_id` is the answer's id fixed on the learner's device before it was sent or queued offline; the
    first answer's statement takes it as its xAPI id, and a replay of it finds the answer stored and reports
    nothing new, so an answer sent twice is one statement.

    `stored` is the item's answer stored in this attempt, as module_attempt_and_answer read it in this request
    (None: not answered yet); left out, it is read here.

    :raises PlayerError: for an unknown item or a finished attempt.
    :raises AnswerProblem: for an answer that cannot be judged (nothing chosen, a step placed twice …).
    """
    if attempt.is_finished:
        raise PlayerError("this attempt is finished")
    text = text_for(attempt, language)
    item = get_document(text).item(item_id)
    if item is None:
        raise PlayerError(f"unknown question {item_id}")
    given = read_answer(item, raw)
    # this item's answer only: the attempt's list stays unloaded
    counted = _stored_answer(attempt.id, item_id) if stored is NOT_READ else stored
    statements = []
    if counted is None:
        # The statement is built first: its queries would otherwise flush the new row before the guarded commit.
        statements.append(_answered_statement(user, attempt, item, given, language, statement_id))
        counted = AttemptAnswer(attempt_id=attempt.id, item_id=item_id, response=given.stored, correct=given.correct)
        db.session.add(counted)
    if attempt.last_activity_at is None or utcnow() - attempt.last_activity_at >= ACTIVITY_GRANULARITY:
        attempt.last_activity_at = utcnow()
    try:
        commit_and_send(statements)
    except IntegrityError:
        # The same first answer arrived twice at once (a double tap, an offline replay): the other request stored
        # it a moment earlier and reported it; this one only gives the feedback.
        db.session.rollback()
        stored = _stored_answer(attempt.id, item_id)
        if stored is None:
            raise
        counted = stored
    return AnswerOutcome(item=item, given=given, counted=counted, text=text)


# Built once: every answer asks whether the item was answered before in this attempt.
_STORED_ANSWER = select(*all_columns(AttemptAnswer)).where(
    AttemptAnswer.attempt_id == bindparam("attempt_id"), AttemptAnswer.item_id == bindparam("item_id")
)


def _stored_answer(attempt_id: int, item_id: str) -> AttemptAnswer | None:
    row = column_rows(_STORED_ANSWER, {"attempt_id": attempt_id, "item_id": item_id}).first()
    return None if row is None else persistent(AttemptAnswer, row)


def _answered_statement(
    user: User, attempt: Attempt, item: Item, given: Given, language: str, statement_id: str | None = None
) -> dict[str, object]:
    ctx = learning_context(user, attempt, language)
    items = {lang: doc.item(item.id) or item for lang, doc in documents_of(attempt).items()}
    return interactions.answered(ctx, items, given.stored, given.correct, statement_id=statement_id)


def unanswered_items(attempt: Attempt, language: str) -> list[tuple[int, str]]:
    """Return (step number, question) of every item still to answer."""
    document = document_for(attempt, language)
    return [
        (step.number, item.question)
        for step in document.steps
        for item in step.items
        if attempt.answer_for(item.id) is None
    ]


def finish_attempt(user: User, attempt: Attempt, language: str) -> Attempt:
    """Close the attempt: score the first answers, report completed, passed/failed and terminated.

    :raises PlayerError: while questions are unanswered.
    """
    if attempt.is_finished:
        return attempt
    if unanswered_items(attempt, language):
        raise PlayerError("answer every question first")
    if attempt.session_id is None:
        start_session(user, attempt.module, language)
    document = document_for(attempt, language)
    quizzes = document.quizzes
    scaled = _first_answer_score(attempt, quizzes)
    now = utcnow()
    ctx = learning_context(user, attempt, language)
    session_span = _close_session_time(attempt, now)
    statements = xapi.completion(ctx, scaled=scaled, duration=timedelta(seconds=attempt.active_seconds))
    statements.append(xapi.module_event(ctx, "terminated", result={"duration": xapi.format_duration(session_span)}))
    attempt.finished_at, attempt.score_scaled = now, scaled
    attempt.passed = None if scaled is None else scaled >= attempt.module.mastery_score
    commit_and_send(statements)
    return attempt


def _first_answer_score(attempt: Attempt, quizzes: tuple[Judged, ...]) -> float | None:
    """Return the share of quizzes whose first answer was right, or None for a module without quizzes."""
    if not quizzes:
        return None
    right = 0
    for quiz in quizzes:
        answer = attempt.answer_for(quiz.id)
        right += bool(answer is not None and answer.correct)
    return right / len(quizzes)


def restart(user: User, module: Module) -> None:
    """Let a learner who finished a module take it again (a new registration)."""
    if get_open_attempt(user, module) is None:
        db.session.add(Attempt(user_id=user.id, module=module, version=module.current_version))
        db.session.commit()


def latest_finished_attempt(user: User, module: Module) -> Attempt | None:
    """Return the learner's most recently finished attempt at a module (to read again or see its result)."""
    return db.session.scalar(
        select(Attempt)
        .where(Attempt.user_id == user.id, Attempt.module_id == module.id, Attempt.finished_at.is_not(None))
        .order_by(Attempt.finished_at.desc())
        .limit(1)
    )
