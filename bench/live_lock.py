"""How long the live job shuts other writers out of a SQLite database: the first run after `flask demo seed`.

SQLite has one write lock per database. A request that writes (a log-in, an answer) waits for it up to the
busy_timeout (10 s) and then gets the "busy" page (503). This script seeds the demo region at --scale into a fresh
database file with the durable settings (WAL, synchronous=FULL), then runs the live job once (the same
`run_once` as the job's thread: xAPI sync of everything the seed stored, the recompute of every month it queued,
retention) and prints
- every write transaction of the run: how many, the longest and the total time they held the lock, and
- what a writer beside it saw: a probe takes the write lock (BEGIN IMMEDIATE; COMMIT) every 50 ms on its own
  connection and records how long it had to wait; the longest wait is what a log-in would have waited.

    python bench/live_lock.py --scale 0.1 --database /tmp/live01.db            # seed, then measure
    python bench/live_lock.py --scale 1 --database /tmp/live1.db --reuse       # copy of a seeded file, measure
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).resolve().parent.parent)]

from sqlalchemy import event  # noqa: E402

import lrs  # noqa: E402
from app import create_app  # noqa: E402
from bench.server import durability  # noqa: E402
from learning.db import db, upgrade_database  # noqa: E402
from learning.live import run_once  # noqa: E402
from learning.metrics.arrivals import queue_months  # noqa: E402
from learning.metrics.changes import data_range  # noqa: E402
from learning.metrics.periods import Period  # noqa: E402


class WriteLockClock:
    """Times each write transaction of an engine, from the statement that opened it to commit or rollback
    (SQLite's Python driver begins one just before the first INSERT, UPDATE or DELETE: when the lock is taken)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.holds: list[float] = []
        self._since: dict[int, float] = {}
        event.listen(engine, "after_cursor_execute", self._executed)
        event.listen(engine, "commit", self._ended)
        event.listen(engine, "rollback", self._ended)

    def _executed(self, conn: Any, *_args: Any) -> None:
        raw = conn.connection.dbapi_connection
        if getattr(raw, "in_transaction", False):
            self._since.setdefault(id(raw), time.perf_counter())

    def _ended(self, conn: Any) -> None:
        began = self._since.pop(id(conn.connection.dbapi_connection), None)
        if began is not None:
            self.holds.append(time.perf_counter() - began)

    def remove(self) -> None:
        event.remove(self.engine, "after_cursor_execute", self._executed)
        event.remove(self.engine, "commit", self._ended)
        event.remove(self.engine, "rollback", self._ended)


class Probe(threading.Thread):
    """Another writer: takes and releases the write lock every 50 ms and records how long each take waited."""

    def __init__(self, path: Path) -> None:
        super().__init__(name="write-probe", daemon=True)
        self.path, self.stop = path, threading.Event()
        self.waits: list[float] = []

    def run(self) -> None:
        conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        try:
            while not self.stop.wait(0.05):
                began = time.perf_counter()
                conn.execute("BEGIN IMMEDIATE")
                self.waits.append(time.perf_counter() - began)
                conn.execute("COMMIT")
        finally:
            conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--database", type=Path, required=True, help="a SQLite file (created, or copied with --reuse)")
    parser.add_argument("--reuse", action="store_true", help="measure on a copy of an already seeded --database")
    args = parser.parse_args()
    path: Path = args.database
    if args.reuse:
        work = path.with_suffix(".run.db")
        copy_database(path, work)
        path = work
    else:
        path.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    upgrade_database(url)
    lrs.upgrade_database(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LRS_DATABASE_URI": url, "LIVE_SYNC_SECONDS": 0,
                      "SPEECH_ON_LOAD": False})  # fmt: skip
    print(f"database: {durability(url)}")
    if not args.reuse:  # what `make setup` does before it serves, less the sync and recompute the job will do
        cli = app.test_cli_runner()
        began = time.perf_counter()
        for command in (["content", "load"], ["demo", "seed", "--scale", str(args.scale)]):
            result = cli.invoke(args=command)
            if result.exit_code != 0:
                raise SystemExit(f"{' '.join(command)} failed: {result.output}")
        print(f"seeded scale {args.scale} in {time.perf_counter() - began:.1f} s")
        copy_database(path, path.with_suffix(".seeded.db"))  # --reuse measures again from a copy of this
    with app.app_context():
        measure("first run after the seed", app, path)
        span = data_range()
        if span is not None:  # the next tick after a statement of this month: a narrow run, which repairs summaries
            queue_months([(None, Period.of(span[1]).start)])
            db.session.commit()
            measure("next run, one new month", app, path)


def measure(label: str, app: Any, path: Path) -> None:
    """Run the live job once and print its write transactions and what a writer beside it waited."""
    clock, probe = WriteLockClock(db.engine), Probe(path)
    probe.start()
    began = time.perf_counter()
    report = run_once()
    took = time.perf_counter() - began
    probe.stop.set()
    probe.join()
    clock.remove()
    holds = sorted(clock.holds) or [0.0]
    print(f"{label}: {took:.1f} s, {report.read if report else 0} statements read, "
          f"{report.recomputed_months if report else 0} months recomputed")  # fmt: skip
    print(f"  write transactions: {len(holds)}, longest {holds[-1]:.3f} s, total {sum(holds):.2f} s")
    print(f"  probe writer: {len(probe.waits)} takes, longest wait {max(probe.waits, default=0):.3f} s")


def copy_database(source: Path, target: Path) -> None:
    """Copy a live WAL database whole (the online backup API; a file copy could miss what is still in the WAL)."""
    target.unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


if __name__ == "__main__":
    main()
