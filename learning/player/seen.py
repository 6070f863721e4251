"""Steps read offline, reported once the device is back online.

A learner who reads steps 3–6 on the train sees them from the service worker's copy: the server never heard of
it, so without this the steps would never be `experienced` and progress and the metrics would undercount.
`offline.js` queues a "seen" entry with an id fixed on the device and the time the step was shown; this service
records it as `view_step` does the first time (an AttemptStep row and an `experienced` statement) with two
differences: the bookmark stays where it is (the learner is further on by then), and the statement carries the
device's id and the device's time.

A replay is harmless: the AttemptStep unique index (attempt, step) makes a step experienced once per attempt, so
an entry sent twice, or a step that was meanwhile viewed online, stores and reports nothing new.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from learning.accounts.models import User
from learning.content.models import Module
from learning.db import db, utcnow
from learning.player import services
from learning.player.models import Attempt, AttemptStep


class SeenRefused(Exception):
    """A seen entry that can never be recorded; the device drops it from its queue.

    `status` is 404 (no such attempt or step for this learner), 409 (the attempt it was read in is finished) or
    400 (its id is already another statement's).
    """

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class SeenEntry:
    """What the device queued: the step, its own id for the statement, when it was shown, and in which attempt."""

    number: int
    seen_id: str
    seen_at: datetime
    registration: str | None = None


def clamp_seen_at(seen_at: datetime, attempt: Attempt, now: datetime) -> datetime:
    """The device's clock decides when, within reason: never in the future, never before the attempt began.

    A phone's clock can be wrong in either direction; a statement dated before its own registration started, or
    after the server received it, would only confuse the timelines built from it.
    """
    return min(max(seen_at, attempt.started_at), now)


def _attempt_for(user: User, module: Module, registration: str | None) -> Attempt:
    """The open attempt the entry belongs to; an entry from a finished or unknown attempt is refused."""
    attempt = services.get_open_attempt(user, module)
    if registration is None or (attempt is not None and attempt.registration == registration):
        if attempt is None:
            raise SeenRefused(404, "no open attempt at this module")
        return attempt
    earlier = db.session.scalar(
        select(Attempt).where(
            Attempt.user_id == user.id, Attempt.module_id == module.id, Attempt.registration == registration
        )
    )
    if earlier is not None and earlier.is_finished:
        raise SeenRefused(409, "the attempt this step was read in is finished")
    raise SeenRefused(404, "no such attempt")


def record_seen(user: User, module: Module, entry: SeenEntry, language: str) -> bool:
    """Report a step the learner read offline as `experienced`, once; return whether anything new was recorded.

    The bookmark (`current_step`) and the session's activity time are left alone: both belong to what the learner
    does online now, not to what they read earlier.

    :raises SeenRefused: for a step or attempt that does not exist for this learner, or a finished attempt.
    """
    attempt = _attempt_for(user, module, entry.registration)
    document = services.document_for(attempt, language)
    if not 1 <= entry.number <= len(document.steps):
        raise SeenRefused(404, f"step {entry.number} does not exist")
    if any(seen.step_number == entry.number for seen in attempt.steps_seen):
        return False
    moment = clamp_seen_at(entry.seen_at, attempt, utcnow())
    offline_session = None
    if attempt.session_id is None:
        # No session is open now (the queue is sent from another page, or after the session ended): report the
        # reading in a session of its own rather than opening one with a `launched` the learner never did.
        offline_session = str(uuid.uuid5(uuid.NAMESPACE_URL, f"offline-reading/{attempt.registration}"))
    # the statement id derives from the device's (xapi.device_statement_id): a replay is the same statement
    statement = services.experienced_statement(
        user, attempt, entry.number, language, session_id=offline_session, timestamp=moment, statement_id=entry.seen_id
    )
    attempt.steps_seen.append(AttemptStep(step_number=entry.number, first_seen_at=moment))
    try:
        services.commit_and_send([statement])
    except IntegrityError:
        # The same step arrived twice at once (two pages flushing the queue): the other request recorded it.
        # Otherwise the id was taken at that moment by another statement: the entry can never be recorded as is.
        db.session.rollback()
        if _step_recorded(attempt.id, entry.number):
            return False
        raise SeenRefused(400, "seen_id is already the id of another statement") from None
    return True


def _step_recorded(attempt_id: int, number: int) -> bool:
    found = db.session.scalar(
        select(AttemptStep.id).where(AttemptStep.attempt_id == attempt_id, AttemptStep.step_number == number)
    )
    return found is not None
