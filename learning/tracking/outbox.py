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
from typing import Any

from flask import Flask, current_app
from sqlalchemy import delete, select, update

from learning.db import db
from learning.tracking.client import DeliveryError, StatementSink
from learning.tracking.models import OutboxStatement

log = logging.getLogger(__name__)
BATCH = 100


def record(statements: Sequence[dict[str, Any]]) -> None:
    """Queue statements in the current transaction; they are sent after the caller commits and calls flush()."""
    for statement in statements:
        db.session.add(OutboxStatement(statement_id=statement["id"], payload=json.dumps(statement)))


def deliver_pending(sink: StatementSink, *, limit: int = 10_000) -> int:
    """Send what is queued, oldest first, in batches; return how many were delivered.

    A batch the LRS refuses stays queued with its error, so a later run retries it.
    """
    delivered = 0
    while delivered < limit:
        rows = db.session.scalars(select(OutboxStatement).order_by(OutboxStatement.id).limit(BATCH)).all()
        if not rows:
            break
        try:
            sink.send([json.loads(row.payload) for row in rows])
        except DeliveryError as exc:
            ids = [row.id for row in rows]
            db.session.execute(
                update(OutboxStatement)
                .where(OutboxStatement.id.in_(ids))
                .values(attempts=OutboxStatement.attempts + 1, last_error=str(exc)[:1000])
            )
            db.session.commit()
            log.warning("xAPI delivery failed, %d statements kept in the outbox: %s", len(ids), exc)
            break
        db.session.execute(delete(OutboxStatement).where(OutboxStatement.id.in_([row.id for row in rows])))
        db.session.commit()
        delivered += len(rows)
    return delivered


def pending_count() -> int:
    """Return how many statements wait for delivery."""
    return db.session.query(OutboxStatement).count()


class Tracker:
    """Owns the wired sink and, for a remote LRS, one delivery thread per worker process."""

    def __init__(self, app: Flask, sink: StatementSink, *, retry_seconds: float = 30.0) -> None:
        self.app, self.sink, self.retry_seconds = app, sink, retry_seconds
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._thread_pid: int | None = None
        self._lock = threading.Lock()

    def flush(self) -> None:
        """Deliver now if the LRS is in-process, else wake the background worker."""
        if self.sink.is_local:
            deliver_pending(self.sink)
            return
        self._ensure_worker()
        self._wake.set()

    def _ensure_worker(self) -> None:
        with self._lock:  # gunicorn forks after import: each worker process needs its own thread
            if self._thread_pid == os.getpid():
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
        while True:
            self._wake.wait(self.retry_seconds)
            self._wake.clear()
            if self._stopping:
                return
            with self.app.app_context():
                try:
                    deliver_pending(self.sink)
                except Exception:  # keep the worker alive; the rows stay queued
                    log.exception("outbox delivery crashed")
                finally:
                    db.session.remove()


def flush() -> None:
    """Deliver what the current request recorded (call after commit)."""
    tracker: Tracker = current_app.extensions["vtc.tracker"]
    tracker.flush()
