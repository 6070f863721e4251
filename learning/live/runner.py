"""The live job: while the app serves, read new statements and recompute the metrics every LIVE_SYNC_SECONDS.

Why a thread in each worker and not a broker: on one machine (`make run`, the region's first years) a queue server
would be one more thing to run and watch for a job that takes a few hundred milliseconds. Every gunicorn worker
starts the thread on its first request (after the fork, so the master and CLI commands never run it); at each tick
one of them takes the lock (lock.py) and runs `sync()` — the same function as `flask xapi sync`, which reads
what the LRS stored since its cursor through xAPI, and then drains the queue of months that statements and RPM
imports (CSV upload, JSON API) marked dirty. The others skip that tick. Several app nodes on PostgreSQL share the
advisory lock the same way; a deployment that prefers cron sets LIVE_SYNC_SECONDS=0 and runs
`flask xapi sync` itself (docs/operations.md).

Each finished run is stamped (SyncCursor LAST_RUN), so a dashboard can say "bijgewerkt om 10:42" whichever worker
ran it.

A run may take a minute (the first one after `flask demo seed` recomputes every month), but it never holds the
database's write lock for long: it reads and computes outside any write transaction and writes in short ones (a
page of statements, one month of metric values, a batch of retention), because on SQLite every log-in and answer
waits for that one lock (docs/operations.md, "Live figures").
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import datetime

from flask import Flask
from sqlalchemy import select

from learning.db import db, utcnow
from learning.live.lock import exclusive_run
from learning.metrics.models import SyncCursor
from learning.privacy.retention import apply_if_due
from learning.tracking.reader import current_reader
from learning.tracking.sync import SyncReport, sync

log = logging.getLogger(__name__)
LAST_RUN = "live-sync-run"  # a SyncCursor row: its updated_at is when figures were last brought up to date


def run_once() -> SyncReport | None:
    """Sync and recompute now unless another process is doing it (then None). Needs an app context."""
    with exclusive_run(db.engine) as mine:
        if not mine:
            return None
        report = sync(current_reader())
        if report.error is None:
            _stamp()
            apply_if_due()  # retention (learning/privacy/retention.py), at most once a day
        else:
            log.warning("live sync stopped early: %s", report.error)
        return report


def last_update() -> datetime | None:
    """When the figures were last brought up to date by a finished run (None before the first)."""
    return db.session.scalar(select(SyncCursor.updated_at).where(SyncCursor.name == LAST_RUN))


def _stamp() -> None:
    row = db.session.get(SyncCursor, LAST_RUN)
    if row is None:
        db.session.add(SyncCursor(name=LAST_RUN, position="", updated_at=utcnow()))
    else:
        row.updated_at = utcnow()  # set explicitly: onupdate fires only when a column value changes
    db.session.commit()


class LiveSync:
    """Owns this process's live-sync thread; `ensure_started` is called on every request and is cheap."""

    def __init__(self, app: Flask, interval: float) -> None:
        self.app, self.interval = app, interval
        self._pid: int | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def ensure_started(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:  # gunicorn forks after import: each worker process needs its own thread
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._run, name="live-sync", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the thread to end and wait for a run in progress to finish: an engine disposed under a running
        sync would get a new connection that nobody closes."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            with self.app.app_context():
                try:
                    run_once()
                except Exception:  # keep the thread alive: the next tick tries again
                    log.exception("live sync crashed")
                    db.session.rollback()
                finally:
                    db.session.remove()
