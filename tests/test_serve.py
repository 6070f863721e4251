"""`make run`'s server (scripts/serve.py) starts cleanly after a crash of the previous one: real gunicorn processes,
real signals, real HTTP. Before, after kill -9 of the master its orphaned workers held the port for ~30 s and the
next start failed with "Connection in use". And kill -9 of a worker and of the master while clients post statements
loses none that got a 200 and stores none twice."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app import ROOT

START_TIMEOUT = 60.0  # two workers import the app on a busy 2-core machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def state(pid: int) -> str | None:
    """Return the process state letter, or None when it is gone (a zombie counts as gone: it holds nothing)."""
    try:
        letter = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None
    return None if letter in "ZX" else letter


def children(pid: int) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def wait_until(predicate, timeout: float, what: str) -> float:
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.1)
    return time.monotonic() - start


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/xapi/about", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def serve(database_url, tmp_path):
    """Start scripts/serve.py like `make run` does (each in its own session); stop whatever is left afterwards."""
    started: list[subprocess.Popen[bytes]] = []
    env = {
        **os.environ,
        "LMS_SQLALCHEMY_DATABASE_URI": database_url,
        "LMS_SECRET_KEY": "test-secret-key",
        "LMS_LRS_FORWARD_BACKGROUND": "false",
    }

    def start(port: int) -> subprocess.Popen[bytes]:
        command = [sys.executable, str(ROOT / "scripts" / "serve.py"), "--port", str(port), "--workers", "2",
                   "--run-dir", str(tmp_path / "run")]  # fmt: skip
        with (tmp_path / f"server-{len(started)}.log").open("wb") as log:
            started.append(subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True))
        return started[-1]

    yield start
    for process in started:  # each started its own process group; end those groups only
        with_group = state(process.pid) is not None or children(process.pid)
        if with_group:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def test_after_kill_9_of_the_master_the_workers_die_and_the_next_start_serves_at_once(serve, tmp_path):
    port = free_port()
    first = serve(port)
    wait_until(lambda: answers(port), START_TIMEOUT, "the first server answers")
    workers = children(first.pid)
    assert len(workers) == 2
    assert (tmp_path / "run" / "gunicorn.pid").read_text().strip() == str(first.pid)
    assert (tmp_path / "run" / "gunicorn.ctl").exists()  # the control socket is ours, not ~/.gunicorn's

    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    gone = wait_until(lambda: all(state(pid) is None for pid in workers), 5, "orphaned workers exit")
    second = serve(port)
    took = wait_until(lambda: answers(port), START_TIMEOUT, "the second server answers")
    assert second.poll() is None, (tmp_path / "server-1.log").read_text()
    assert len(children(second.pid)) == 2
    print(f"workers gone {gone:.1f} s after kill -9; new server answered {took:.1f} s after its start")


def test_a_previous_server_still_holding_the_port_is_stopped_first(serve, tmp_path):
    port = free_port()
    first = serve(port)
    wait_until(lambda: answers(port), START_TIMEOUT, "the first server answers")
    os.kill(first.pid, signal.SIGSTOP)  # hung: it holds the port but answers nothing
    second = serve(port)
    wait_until(lambda: first.poll() is not None, 20, "the hung server is stopped")
    wait_until(lambda: answers(port), START_TIMEOUT, "the new server answers")
    assert second.poll() is None
    assert (tmp_path / "run" / "gunicorn.pid").read_text().strip() == str(second.pid)


def test_a_port_held_by_another_program_is_left_alone(serve, tmp_path):
    port = free_port()
    with socket.socket() as other:  # another program (this test) listens on the port
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        other.bind(("127.0.0.1", port))
        other.listen()
        server = serve(port)
        server.wait(timeout=START_TIMEOUT)  # gunicorn gives up after its retries: the port is not ours to free
        assert server.returncode != 0  # and this test's process, which holds the port, was not signalled
        log = (tmp_path / "server-0.log").read_text()
        assert "Stopping a previous server" not in log
        assert "in use" in log.lower()


class Poster:
    """Clients that POST statements with their own ids as fast as the server takes them, and send one again until
    it is acknowledged (a connection cut by a killed process is no answer: the statement goes again)."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.url = f"http://127.0.0.1:{port}/xapi/statements"
        self.headers = {**headers, "Content-Type": "application/json"}
        self.acknowledged: list[str] = []
        self.sent: set[str] = set()
        self.statuses: Counter[int] = Counter()
        self.first_answer_after_restart: int | None = None
        self.restarted = False
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def client(self) -> None:
        statement: dict[str, object] | None = None
        while not self.stop.is_set():
            statement = statement or {
                "id": str(uuid.uuid4()),
                "actor": {"mbox": "mailto:k@example.test"},
                "verb": {"id": "http://x.test/v"},
                "object": {"id": "http://x.test/o"},
            }
            with self.lock:
                self.sent.add(str(statement["id"]))
            request = urllib.request.Request(self.url, json.dumps(statement).encode(), self.headers)  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 — loopback only
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError:
                status = 0  # refused or cut: the server (or this worker) is gone; no answer
            with self.lock:
                self.statuses[status] += 1
                if status and self.restarted and self.first_answer_after_restart is None:
                    self.first_answer_after_restart = status
                if status == 200:
                    self.acknowledged.append(str(statement["id"]))
                    statement = None
            if status != 200:
                time.sleep(0.05)

    def wait_for(self, more: int, what: str) -> None:
        target = len(self.acknowledged) + more
        wait_until(lambda: len(self.acknowledged) >= target, START_TIMEOUT, what)


def test_kill_9_of_a_worker_and_of_the_master_during_ingestion_loses_no_acknowledged_statement(
    serve, tmp_path, database_url, lrs_auth
):
    port = free_port()
    first = serve(port)
    wait_until(lambda: answers(port), START_TIMEOUT, "the server answers")
    load = Poster(port, lrs_auth)
    clients = [threading.Thread(target=load.client, name=f"poster-{n}") for n in range(3)]
    for thread in clients:
        thread.start()
    try:
        load.wait_for(30, "statements are acknowledged")
        os.kill(children(first.pid)[0], signal.SIGKILL)  # a worker dies mid-ingestion; the master starts another
        load.wait_for(30, "ingestion goes on after a worker was killed")
        os.kill(first.pid, signal.SIGKILL)  # the master dies: its workers follow (parent-death signal)
        first.wait(timeout=10)
        serve(port)
        took = wait_until(lambda: answers(port), START_TIMEOUT, "the restarted server answers")
        with load.lock:
            load.restarted = True
        load.wait_for(30, "ingestion goes on after the restart")
    finally:
        load.stop.set()
        for thread in clients:
            thread.join(timeout=60)
    engine = create_engine(database_url)
    with engine.connect() as conn:
        stored = [str(row[0]) for row in conn.execute(text("SELECT id FROM lrs_statement"))]
        if engine.dialect.name == "sqlite":  # killed mid-write, the file is still whole
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    engine.dispose()
    lost = set(load.acknowledged) - set(stored)
    doubled = len(stored) - len(set(stored))
    print(f"kill -9 of a worker and of the master: answers {dict(load.statuses)}; acknowledged "
          f"{len(set(load.acknowledged))}, stored {len(stored)}, lost {len(lost)}, doubled {doubled}; "
          f"the restarted server answered {took:.1f} s after its start")  # fmt: skip
    assert set(load.statuses) <= {0, 200}  # a cut connection or a 200: never a 500
    assert load.first_answer_after_restart == 200
    assert not lost
    assert doubled == 0
    assert set(stored) <= load.sent
