"""One live sync at a time across every worker process (and, on PostgreSQL, every machine).

Two workers syncing at once would do no harm (every write of the sync is idempotent) but would read the same
statements twice and fight over the same rows. So a run first takes a lock and skips its turn when another process
holds it: on PostgreSQL a session advisory lock (held by the server, so it spans app nodes and is released when the
holder's connection dies), on SQLite an exclusive `flock` on a file beside the database (one machine by nature).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, text

ADVISORY_KEY = 0x5654_4C49_5645  # "VTLIVE": one key for the whole platform


@contextlib.contextmanager
def exclusive_run(engine: Engine) -> Iterator[bool]:
    """Yield True when this process may run now (and hold the lock while inside), False when another one runs."""
    if engine.dialect.name == "postgresql":
        with _advisory(engine) as held:
            yield held
    else:
        with _file_lock(_lock_path(engine)) as held:
            yield held


@contextlib.contextmanager
def _advisory(engine: Engine) -> Iterator[bool]:
    with engine.connect() as conn:
        held = bool(conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}))
        conn.commit()  # do not keep a transaction open while the sync runs on its own connections
        try:
            yield held
        finally:
            if held:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
                conn.commit()


def _lock_path(engine: Engine) -> Path | None:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None  # an in-memory database lives in one process: nobody else can run
    return Path(f"{database}.live-sync.lock")


@contextlib.contextmanager
def _file_lock(path: Path | None) -> Iterator[bool]:
    if path is None:
        yield True
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
