"""Record statements durably, then deliver them to whichever LRS is wired.

A request writes statements into the outbox with the progress they report (one transaction), so nothing is
lost when the LRS is down. Delivery happens after commit: in-process right away (no HTTP involved), to a
remote LRS from a background thread so a request never waits on the network.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from flask import Flask, current_app
from sqlalchemy import CursorResult, delete, func, select, update

from learning.db import DATABASE_UNAVAILABLE, db, storage_problem, utcnow
from learning.tracking.client import DeliveryError, StatementSink
from learning.tracking.models import OutboxStatement

log = logging.getLogger(__name__)
BATCH = 100


def record(statements: Sequence[dict[str, Any]]) -> None:
    """Queue statements in the current transaction; they are sent after the caller commits and calls flush()."""
    for statement in statements:
        db.session.add(OutboxStatement(statement_id=statement["id"], payload=json.dumps(statement)))


@dataclass(frozen=True)
class _Queued:
    id: int
    statement_id: str
    payload: str


def deliver_pending(sink: StatementSink, *, limit: int = 10_000) -> int:
    """Send what is queued, oldest first, in batches; return how many were delivered.

    A batch the LRS cannot take right now (down, 5xx, our key refused) stays queued with its error and the run
    stops, so a later run retries it. A batch the LRS refuses (a 4xx about statements: 400, 409, 413) is sent
    again one statement at a time: the good ones are delivered, the refused ones set aside, so one bad
    statement never holds up the rest.
    """
    delivered = 0
    while delivered < limit:
        rows = [
            _Queued(*row)  # plain values: each settled row is committed, which would expire ORM objects
            for row in db.session.execute(
                select(OutboxStatement.id, OutboxStatement.statement_id, OutboxStatement.payload)
                .where(OutboxStatement.set_aside_at.is_(None))
                .order_by(OutboxStatement.id)
                .limit(BATCH)
            )
        ]
        if not rows:
            break
        sent, go_on = _send(sink, rows)
        delivered += sent
        if not go_on:
            break
    return delivered


def _send(sink: StatementSink, rows: list[_Queued]) -> tuple[int, bool]:
    """Send rows and settle each one's fate; return how many were delivered and whether the LRS is still taking."""
    statements = [json.loads(row.payload) for row in rows]
    try:
        sink.send(statements)
    except DeliveryError as exc:
        if not exc.refused:
            _keep(rows, exc)
            return 0, False
        if len(rows) > 1:
            return _one_by_one(sink, rows)
        return _settle_refusal(sink, rows[0], statements[0], exc)
    _remove(rows)
    return len(rows), True


def _one_by_one(sink: StatementSink, rows: list[_Queued]) -> tuple[int, bool]:
    delivered = 0
    for row in rows:
        sent, go_on = _send(sink, [row])
        delivered += sent
        if not go_on:  # the LRS went away mid-way: the rest wait, unchanged, for the next run
            return delivered, False
    return delivered, True


def _settle_refusal(
    sink: StatementSink, row: _Queued, statement: dict[str, Any], refusal: DeliveryError
) -> tuple[int, bool]:
    """One statement refused: a 409 for the very statement we sent is a delivery (an answer lost earlier);
    anything else is set aside with the LRS's reason."""
    reason = str(refusal)
    if refusal.conflict:
        try:
            if sink.holds(statement):
                _remove([row])
                return 1, True
        except DeliveryError as exc:
            if exc.transient:
                _keep([row], exc)  # the LRS is down now: compare on the next run
                return 0, False
            reason = f"{reason}; {exc}"
        else:
            reason = f"the LRS holds a different statement with this id: {reason}"
    db.session.execute(
        update(OutboxStatement)
        .where(OutboxStatement.id == row.id)
        .values(attempts=OutboxStatement.attempts + 1, last_error=reason[:1000], set_aside_at=utcnow())
    )
    db.session.commit()
    log.warning("xAPI statement %s refused by the LRS and set aside: %s", row.statement_id, reason)
    return 0, True


def _keep(rows: list[_Queued], exc: DeliveryError) -> None:
    ids = [row.id for row in rows]
    db.session.execute(
        update(OutboxStatement)
        .where(OutboxStatement.id.in_(ids))
        .values(attempts=OutboxStatement.attempts + 1, last_error=str(exc)[:1000])
    )
    db.session.commit()
    log.warning("xAPI delivery failed, %d statements kept in the outbox: %s", len(ids), exc)


def _remove(rows: list[_Queued]) -> None:
    db.session.execute(delete(OutboxStatement).where(OutboxStatement.id.in_([row.id for row in rows])))
    db.session.commit()


def pending_count() -> int:
    """Return how many statements wait for delivery (set-aside ones are not waiting: they need a person)."""
    return db.session.query(OutboxStatement).filter(OutboxStatement.set_aside_at.is_(None)).count()


@dataclass(frozen=True)
class SetAside:
    """A statement the LRS refused, as an administrator needs to see it."""

    statement_id: str
    verb: str
    object: str
    set_aside_at: datetime
    attempts: int
    reason: str


@dataclass(frozen=True)
class Summary:
    """The outbox at a glance: what waits, since when and why, and what the LRS refused."""

    queued: int
    oldest: datetime | None
    last_error: str
    set_aside: list[SetAside]


def summary() -> Summary:
    """Return the queue's state and every set-aside statement, oldest refusal first."""
    waiting = OutboxStatement.set_aside_at.is_(None)
    queued, oldest = db.session.execute(select(func.count(), func.min(OutboxStatement.created_at)).where(waiting)).one()
    first = select(OutboxStatement.last_error).where(waiting).order_by(OutboxStatement.id).limit(1)
    refused = db.session.scalars(
        select(OutboxStatement)
        .where(OutboxStatement.set_aside_at.is_not(None))
        .order_by(OutboxStatement.set_aside_at, OutboxStatement.id)
    )
    return Summary(queued, oldest, db.session.scalars(first).first() or "", [_set_aside(row) for row in refused])


def _set_aside(row: OutboxStatement) -> SetAside:
    statement = json.loads(row.payload)
    verb = statement.get("verb") or {}
    display = verb.get("display") or {}
    name = display.get("en-US") or next(iter(display.values()), None) or verb.get("id", "")
    obj = statement.get("object") or {}
    set_aside_at = row.set_aside_at or row.created_at  # only set-aside rows come here; the fallback satisfies typing
    return SetAside(row.statement_id, str(name), str(obj.get("id", "")), set_aside_at, row.attempts, row.last_error)


def set_aside_count() -> int:
    """Return how many statements the LRS refused and wait for an administrator."""
    return db.session.query(OutboxStatement).filter(OutboxStatement.set_aside_at.is_not(None)).count()


def retry_set_aside(statement_ids: Sequence[str] = ()) -> int:
    """Put set-aside statements (all, or those named) back in line once the cause is fixed; return how many."""
    query = update(OutboxStatement).where(OutboxStatement.set_aside_at.is_not(None))
    if statement_ids:
        query = query.where(OutboxStatement.statement_id.in_(list(statement_ids)))
    result = cast("CursorResult[Any]", db.session.execute(query.values(set_aside_at=None)))
    count = result.rowcount
    db.session.commit()
    return int(count)


class Tracker:
    """Owns the wired sink and, in each worker process, one background delivery thread.

    A request delivers what it recorded right after its commit (in-process) or wakes the thread (remote LRS). What a
    request could not deliver stays queued: the LRS was down, or the worker was killed between the commit and the
    delivery (kill -9, the OOM killer). With `background` on (production; OUTBOX_BACKGROUND, off under TESTING), the
    thread starts on each process's first request, delivers such leftovers at once and again every retry_seconds,
    so after a crash and restart nothing waits for the next learner's answer.
    """

    def __init__(
        self, app: Flask, sink: StatementSink, *, retry_seconds: float = 30.0, background: bool = False
    ) -> None:
        self.app, self.sink, self.retry_seconds, self.background = app, sink, retry_seconds, background
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._thread_pid: int | None = None
        self._lock = threading.Lock()

    def ensure_started(self) -> None:
        """Called before every request: start this process's thread once (cheap after that)."""
        if self.background and self._thread_pid != os.getpid():
            self._ensure_worker()

    def flush(self) -> None:
        """Deliver now if the LRS is in-process, else wake the background worker."""
        if self.sink.is_local:
            deliver_pending(self.sink)
            return
        self._ensure_worker()
        self._wake.set()

    def _ensure_worker(self) -> None:
        with self._lock:  # gunicorn forks after import: each worker process needs its own thread
            if self._thread_pid == os.getpid() or self._stopping:
                return
            self._thread_pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="xapi-outbox", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the delivery thread after its current batch (what is still queued stays in the outbox)."""
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stopping:  # delivers at once on start: a killed process's leftovers, or what woke it
            self._wake.clear()  # before the run: a wake during it makes the next wait return at once
            with self.app.app_context():
                try:
                    deliver_pending(self.sink)
                except DATABASE_UNAVAILABLE as exc:  # down, or failing over: one line, the next run tries again
                    log.warning(
                        "outbox delivery waits: the database is %s: %s", storage_problem(exc), getattr(exc, "orig", exc)
                    )
                except Exception:  # keep the worker alive; the rows stay queued
                    log.exception("outbox delivery crashed")
                finally:
                    db.session.remove()
            self._wake.wait(self.retry_seconds)


def flush() -> None:
    """Deliver what the current request recorded (call after commit)."""
    tracker: Tracker = current_app.extensions["vtc.tracker"]
    tracker.flush()
