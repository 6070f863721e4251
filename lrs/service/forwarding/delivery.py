"""Deliver queued statements to their targets: in stored order, in batches, with back-off and dead-lettering.

One run leases one target at a time, so a target gets its batches in order from one sender. A batch the
target rejects (4xx) is retried statement by statement: the statements it takes are delivered, a 409 is read
back and counts as delivered only when the target holds that very statement (a resend whose answer was lost),
and only the statements it refuses count a rejection — so one bad statement cannot hold up the rest (one it
refuses for holding other content under its id is dead-lettered at once: resending cannot help). A target that
is down or refuses our key is left alone for a while as a whole; its statements wait in the queue, unchanged.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import orjson
from cryptography.fernet import InvalidToken
from sqlalchemy import Engine

from lrs.service.forwarding.owners import owner_is_gone
from lrs.service.forwarding.sender import Answer, get_statement, post_statements
from lrs.service.forwarding.settings import ForwardSettings
from lrs.service.statements import VOIDED, attachments_of
from lrs.store.forward_queue import QueuedStatement, due_statements, note_error, reject_statement, remove_delivered
from lrs.store.forward_targets import (
    ForwardTarget,
    claim_target,
    record_failure,
    record_success,
    release_target,
    renew_lease,
    running_leases,
)
from lrs.xapi.compare import is_same_statement
from lrs.xapi.multipart import build_multipart_response

log = logging.getLogger(__name__)
BATCH = 100
MAX_REJECT_BACKOFF = 86_400.0


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    delivered: int = 0
    rejected: int = 0
    dead_lettered: int = 0
    failed_targets: list[str] = field(default_factory=list)  # credential keys whose target failed as a whole


class _LeaseLost(Exception):
    """Another run took the target over (this one stalled past its lease): stop sending to it."""


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def deliver_due(engine: Engine, settings: ForwardSettings, owner: str, *, force: bool = False) -> DeliveryReport:
    """Send what is due to every free target; force ignores targets' back-off (an administrator's flush).

    Leases are always honoured, and so is the back-off of statements a target rejected: resending them at once
    would only use up their attempts (set the target again, or retry dead-letters, once the cause is fixed).
    """
    report = DeliveryReport()
    handled: set[int] = set()
    _free_leases_of_gone_runs(engine)
    while True:
        now = _now()
        with engine.begin() as conn:
            lease_until = now + timedelta(seconds=settings.lease_seconds)
            target = claim_target(conn, owner, now, lease_until, force=force, skip=handled)
        if target is None:
            return report
        handled.add(target.id)
        try:
            _TargetRun(engine, settings, target, owner, report).run()
        except _LeaseLost:
            log.warning("forwarding run %s lost its lease on target %s", owner, target.id)
        finally:
            with engine.begin() as conn:
                release_target(conn, target.id, owner)


def _free_leases_of_gone_runs(engine: Engine) -> None:
    """Free at once the targets leased by a run whose process on this host is gone (a worker killed mid-delivery),
    instead of leaving them unsent until the lease runs out (owners.py)."""
    with engine.begin() as conn:
        for target_id, owner in running_leases(conn, _now()):
            if owner_is_gone(owner):
                release_target(conn, target_id, owner)  # only if that owner still holds it
                log.warning("forwarding target %s was leased by %s, which is gone: lease freed", target_id, owner)


def transient_delay(failures: int, settings: ForwardSettings) -> float:
    """Exponential back-off with jitter, so workers do not all return to a recovering target at once."""
    ceiling = min(settings.retry_max_seconds, settings.retry_seconds * 2 ** min(failures - 1, 30))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not a secret


def rejection_delay(attempts: int, settings: ForwardSettings) -> float:
    """Long back-off after a 4xx: it will not fix itself in seconds."""
    return min(MAX_REJECT_BACKOFF, settings.reject_seconds * 2 ** min(attempts - 1, 30))


class _TargetRun:
    """Delivery to one leased target."""

    def __init__(
        self, engine: Engine, settings: ForwardSettings, target: ForwardTarget, owner: str, report: DeliveryReport
    ) -> None:
        self.engine, self.settings, self.target, self.owner, self.report = engine, settings, target, owner, report
        self.secret = ""

    def run(self) -> None:
        try:
            self.secret = self.settings.cipher.decrypt(self.target.secret_token.encode()).decode()
        except InvalidToken:
            detail = "the stored secret cannot be decrypted (LRS_FORWARD_KEY or SECRET_KEY changed): set it again"
            self._fail(Answer(0, detail), [])
            return
        after = 0
        while True:
            with self.engine.connect() as conn:
                rows = due_statements(conn, self.target.id, after, _now(), BATCH)
            rows = _before_voiding_of_own(rows)
            if not rows or not self._send(rows):
                return
            after = rows[-1].seq

    def _send(self, rows: list[QueuedStatement]) -> bool:
        """Send rows and settle their fate; return False when the target failed as a whole."""
        answer = self._post(rows)
        if answer.is_delivered:
            self._delivered(rows)
            return True
        if answer.is_duplicate or answer.is_statement_problem:
            if len(rows) > 1:
                return all(self._send([row]) for row in rows)  # stops at the first failure of the whole target
            if answer.is_duplicate:
                return self._settle_conflict(rows[0], answer)
            self._reject(rows[0], answer)
            return True
        self._fail(answer, rows)
        return False

    def _settle_conflict(self, row: QueuedStatement, answer: Answer) -> bool:
        """409 for one statement: delivered if the target holds this very statement (a resend whose answer was
        lost, from an LRS that answers such a resend with 409), dead-lettered at once if it holds another one
        under this id (statements are immutable: resending can never succeed)."""
        target = self.target
        held, body = get_statement(
            target.endpoint, target.username, self.secret, target.version, str(orjson.loads(row.payload)["id"]),
            self.settings.timeout, allow_private=self.settings.allow_private,
        )  # fmt: skip
        if held.is_transient:
            self._fail(held, [row])
            return False
        if held.is_delivered and _holds(row.payload, body):
            self._delivered([row])
            return True
        if held.is_delivered:
            detail = f"{answer.detail}; the target holds a different statement with this id"
            self._reject(row, Answer(409, detail), dead=True)
        else:
            self._reject(row, Answer(409, f"{answer.detail}; reading it back to compare: {held.detail}"))
        return True

    def _post(self, rows: list[QueuedStatement]) -> Answer:
        with self.engine.begin() as conn:
            until = _now() + timedelta(seconds=self.settings.lease_seconds)
            if not renew_lease(conn, self.target.id, self.owner, until):
                raise _LeaseLost
        payloads = [row.payload for row in rows]
        body, content_type = _body(payloads), "application/json"
        attachments = attachments_of(self.engine, payloads)
        if attachments:  # data the target needs to accept the statements; fileUrl-only ones have none
            body, content_type = build_multipart_response(body.decode(), attachments)
        target = self.target
        return post_statements(
            target.endpoint, target.username, self.secret, target.version, body, content_type, self.settings.timeout,
            allow_private=self.settings.allow_private,
        )  # fmt: skip

    def _delivered(self, rows: list[QueuedStatement]) -> None:
        with self.engine.begin() as conn:
            remove_delivered(conn, self.target.id, [row.seq for row in rows])
            record_success(conn, self.target.id, _now())
        self.report.delivered += len(rows)

    def _reject(self, row: QueuedStatement, answer: Answer, *, dead: bool = False) -> None:
        attempts = row.attempts + 1
        now = _now()
        dead_at = now if dead or attempts >= self.settings.max_attempts else None
        retry_at = now + timedelta(seconds=rejection_delay(attempts, self.settings))
        with self.engine.begin() as conn:
            reject_statement(conn, self.target.id, row.seq, answer.detail, retry_at, dead_at)
        self.report.rejected += 1
        self.report.dead_lettered += dead_at is not None
        log.warning("forwarding target %s rejected statement seq %s: %s", self.target.id, row.seq, answer.detail)

    def _fail(self, answer: Answer, rows: list[QueuedStatement]) -> None:
        if answer.is_transient:
            delay = transient_delay(self.target.failures + 1, self.settings)
        else:
            delay = self.settings.reject_seconds
        with self.engine.begin() as conn:
            record_failure(conn, self.target.id, answer.detail, _now() + timedelta(seconds=delay))
            note_error(conn, self.target.id, [row.seq for row in rows], answer.detail)
        self.report.failed_targets.append(self.target.credential_key)
        log.warning("forwarding to %s failed, retrying in %.0f s: %s", self.target.endpoint, delay, answer.detail)


def _before_voiding_of_own(rows: list[QueuedStatement]) -> list[QueuedStatement]:
    """End the batch before a voiding statement whose target is in it: LRSs (ours too) void only what they hold."""
    ids: set[str] = set()
    for index, row in enumerate(rows):
        stmt = orjson.loads(row.payload)
        obj = stmt["object"]
        if stmt["verb"]["id"] == VOIDED and obj.get("objectType") == "StatementRef" and obj["id"] in ids:
            return rows[:index]
        ids.add(stmt["id"])
    return rows


def _holds(payload: str, body: bytes) -> bool:
    """Whether the statement the target returned is the one we sent (the fields an LRS sets left aside)."""
    try:
        held = orjson.loads(body)
    except orjson.JSONDecodeError:
        return False
    return isinstance(held, dict) and is_same_statement(orjson.loads(payload), held)


def _body(payloads: list[str]) -> bytes:
    """The stored statements verbatim, as one JSON array."""
    return ("[" + ",".join(payloads) + "]").encode()
