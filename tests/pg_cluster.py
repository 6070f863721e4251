"""A PostgreSQL high-availability group managed by pg_auto_failover, all on loopback ports in a temporary folder:
a monitor, a primary and a synchronous standby, each its own `pg_autoctl` service in its own process group.

Used by tests/test_failover.py (and bench/failover.py for longer runs). Durable as in production (pg_autoctl's own
settings: fsync on, synchronous_commit on, the standby named in synchronous_standby_names); only the monitor's
timeouts are shortened, so that a fail-over takes seconds instead of the ~30 s the defaults allow for.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

import psycopg

PGBIN = max(Path("/usr/lib/postgresql").glob("*/bin"), default=None, key=lambda p: int(p.parent.name))
PG_AUTOCTL = shutil.which("pg_autoctl")
READY_TIMEOUT = 90.0  # two initdb/basebackups and three servers on a busy 2-core machine

# The monitor's defaults (ms): health check every 5 s with 2 retries, a node unhealthy after 20 s, and a 30 s wait
# for a primary its keeper no longer reports from before the standby may take over (so that a primary cut off
# from the monitor has demoted itself first: the keeper's network_partition_timeout, 20 s). A test cannot wait
# that long; production keeps the defaults (docs/high-availability.md).
TEST_MONITOR_SETTINGS = {
    "pgautofailover.health_check_period": 1000,
    "pgautofailover.health_check_timeout": 1000,
    "pgautofailover.health_check_max_retries": 1,
    "pgautofailover.health_check_retry_delay": 500,
    "pgautofailover.node_considered_unhealthy_timeout": 2000,
    "pgautofailover.primary_demote_timeout": 2000,
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class AutoFailoverGroup:
    """A monitor and two database nodes, "a" and "b"; `url` reaches whichever of them takes writes."""

    def __init__(self) -> None:
        if PGBIN is None or PG_AUTOCTL is None:
            raise FileNotFoundError("pg_auto_failover needs PostgreSQL and postgresql-15-auto-failover")
        self.root = Path(tempfile.mkdtemp(prefix="vtc-failover-"))  # the postgres user cannot enter pytest's tmp
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.monitor_port = free_port()
        self.ports = {"a": free_port(), "b": free_port()}
        self.services: dict[str, subprocess.Popen[bytes]] = {}
        self.monitor_url = f"postgresql://autoctl_node@127.0.0.1:{self.monitor_port}/pg_auto_failover"
        hosts = "&".join(f"host=127.0.0.1:{port}" for port in self.ports.values())
        # libpq tries the hosts in turn and keeps the one that takes writes; 2 s per host at most
        self.url = f"postgresql+psycopg://vtc@/vtc?{hosts}&target_session_attrs=read-write&connect_timeout=2"

    def _env(self) -> list[str]:
        return [f"XDG_CONFIG_HOME={self.root}/config", f"XDG_DATA_HOME={self.root}/share",
                f"XDG_RUNTIME_DIR={self.root}/run", f"PATH={PGBIN}:/usr/bin:/bin"]  # fmt: skip

    def _as_postgres(self, *command: str) -> list[str]:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return [*prefix, "env", *self._env(), *command]

    def _service(self, name: str, *create: str) -> None:
        """`pg_autoctl create … --run` in a process group of its own: killing that group is losing the machine."""
        with (self.root / f"{name}.log").open("ab") as log:
            self.services[name] = subprocess.Popen(
                self._as_postgres(
                    str(PG_AUTOCTL),
                    "create",
                    *create,
                    "--pgdata",
                    str(self.root / name),
                    "--hostname",
                    "127.0.0.1",
                    "--auth",
                    "trust",
                    "--no-ssl",
                    "--pgctl",
                    str(PGBIN / "pg_ctl"),
                    "--run",
                ),
                stdout=log,
                stderr=log,
                start_new_session=True,
            )

    def start(self) -> None:
        self._service("monitor", "monitor", "--pgport", str(self.monitor_port))
        self._wait(lambda: self._monitor_answers(), "the monitor answers")
        for name, port in self.ports.items():
            self._service(name, "postgres", "--pgport", str(port), "--listen", "127.0.0.1", "--name", name,
                          "--dbname", "vtc", "--username", "vtc", "--monitor", self.monitor_url)  # fmt: skip
            wanted = {"single"} if name == "a" else {"primary", "secondary"}
            self._wait(lambda wanted=wanted: self._states_settled(wanted), f"node {name} is up")  # type: ignore[misc]
            if name == "a":  # the standby's copy starts with a checkpoint, spread over minutes unless told not to
                self._settings(port, {"checkpoint_completion_target": 0})
        # Shortened once both are up: while the standby is being copied its server is not running yet, and a
        # monitor this quick would take it for lost and keep it from ever becoming the standby.
        self._settings(self.monitor_port, TEST_MONITOR_SETTINGS, dbname="pg_auto_failover")

    @staticmethod
    def _settings(port: int, settings: dict[str, int], dbname: str = "postgres") -> None:
        """ALTER SYSTEM and reload, as the servers' superuser."""
        with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname={dbname}", autocommit=True) as conn:
            for setting, value in settings.items():
                conn.execute(f"ALTER SYSTEM SET {setting} = {int(value)}")  # names and ints of our own
            conn.execute("SELECT pg_reload_conf()")

    def states(self) -> dict[str, tuple[str, str]]:
        """Each node's reported and assigned state, as the monitor has them."""
        with psycopg.connect(self.monitor_url, connect_timeout=2) as monitor:
            rows = monitor.execute(
                "SELECT nodename, current_group_state, assigned_group_state"
                " FROM pgautofailover.current_state('default')"
            ).fetchall()
        return {str(name): (str(reported), str(assigned)) for name, reported, assigned in rows}

    def primary(self) -> str:
        """The node the monitor has as primary now."""
        return next(name for name, (reported, _) in self.states().items() if reported == "primary")

    def lose(self, name: str) -> None:
        """kill -9 of the node's postmaster together with its keeper (its whole process group), as when the
        machine dies. A postmaster killed alone is started again by its keeper within a second: that is a crash
        and restart (tests/test_database_down.py), not a fail-over."""
        os.killpg(self.services[name].pid, signal.SIGKILL)
        self.services[name].wait(timeout=30)

    def rejoin(self, name: str) -> None:
        """The lost machine is back: start its keeper again (`pg_autoctl run`). The monitor has it demoted, so it
        rewinds its data to the new primary's timeline and follows it as the synchronous standby; the group can
        then fail over once more (bench/failover.py)."""
        with (self.root / f"{name}.log").open("ab") as log:
            self.services[name] = subprocess.Popen(
                self._as_postgres(str(PG_AUTOCTL), "run", "--pgdata", str(self.root / name)),
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        self._wait(lambda: self._states_settled({"primary", "secondary"}), f"node {name} follows the new primary")

    def stop(self) -> None:
        """Stop what is left (the keepers stop their servers), then remove every file."""
        for process in self.services.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.services.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        for data in self.root.glob("*/postmaster.pid"):  # a server whose keeper was killed first
            with contextlib.suppress(ValueError, ProcessLookupError, OSError):
                os.kill(int(data.read_text().split()[0]), signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        return "\n".join(f"== {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in self.root.glob("*.log"))

    def _monitor_answers(self) -> bool:
        try:
            with psycopg.connect(self.monitor_url, connect_timeout=2) as monitor:
                monitor.execute("SELECT 1 FROM pgautofailover.node LIMIT 1")
            return True
        except psycopg.Error:
            return False

    def _states_settled(self, wanted: set[str]) -> bool:
        states = self.states()
        return {reported for reported, _ in states.values()} == wanted and all(r == a for r, a in states.values())

    def _wait(self, ready: object, what: str) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while not ready():  # type: ignore[operator]
            for name, process in self.services.items():
                if process.poll() is not None:
                    raise RuntimeError(f"pg_autoctl {name} ended ({process.returncode}) before: {what}\n{self.log()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"not within {READY_TIMEOUT} s: {what}\n{self.log()}")
            time.sleep(0.2)


class Ingestion:
    """Clients that POST one statement at a time with their own ids, and send a refused one again, as an xAPI
    client should (a statement whose commit reached the standby but whose answer was lost is then answered 200
    without being stored twice). Used by tests/test_failover.py and bench/failover.py.

    `answers` counts (phase, status): "before" the loss the main thread notes in `lost_at`, "during" until the
    first 200 to a request sent after it (`first_after`), "after" from then on; status 0 is no answer at all."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.url, self.headers = url, {**headers, "Content-Type": "application/json"}
        self.answers: Counter[tuple[str, int]] = Counter()
        self.acknowledged: list[str] = []
        self.sent: set[str] = set()
        self.without_retry_after = 0
        self.lost_at: float | None = None
        self.first_after: float | None = None
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def post(self, statement: dict[str, object]) -> int:
        request = urllib.request.Request(  # noqa: S310 — http://127.0.0.1 only, the caller's own server
            f"{self.url}/xapi/statements", json.dumps(statement).encode(), self.headers
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return int(response.status)
        except urllib.error.HTTPError as error:
            if error.code == 503 and int(error.headers.get("Retry-After") or 0) <= 0:
                with self.lock:
                    self.without_retry_after += 1
            error.read()
            error.close()  # its socket, else reported by the GC later
            return int(error.code)
        except OSError:
            return 0  # no answer at all: counted, never expected (the app nodes stay up)

    def client(self) -> None:
        statement: dict[str, object] | None = None
        while not self.stop.is_set():
            statement = statement or {
                "id": str(uuid.uuid4()),
                "actor": {"mbox": "mailto:a@example.test"},
                "verb": {"id": "http://x.test/v"},
                "object": {"id": "http://x.test/o"},
            }
            with self.lock:
                self.sent.add(str(statement["id"]))
            started = time.monotonic()
            status = self.post(statement)
            with self.lock:
                phase = "before" if self.lost_at is None else "after" if self.first_after else "during"
                self.answers[(phase, status)] += 1
                if status == 200:
                    self.acknowledged.append(str(statement["id"]))
                    # the first one sent after the loss (one sent before may have been committed just before it)
                    if self.lost_at is not None and self.first_after is None and started > self.lost_at:
                        self.first_after = time.monotonic()
            if status == 200:
                statement = None
            else:
                time.sleep(0.1)  # a real client waits Retry-After; the fail-over would be over before it

    def by_status(self) -> Counter[int]:
        """The answers of all phases, by status."""
        totals: Counter[int] = Counter()
        for (_phase, status), count in self.answers.items():
            totals[status] += count
        return totals
