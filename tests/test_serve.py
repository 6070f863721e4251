"""`make run`'s server (scripts/serve.py) starts cleanly after a crash of the previous one: real gunicorn processes,
real signals, real HTTP. Before, after kill -9 of the master its orphaned workers held the port for ~30 s and the
next start failed with "Connection in use". And kill -9 of a worker and of the master while clients post statements
loses none that got a 200 and stores none twice."""

from __future__ import annotations

import base64
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
from helpers import FIXTURE_APPROVER
from kill_load import Learners, Receiver
from sqlalchemy import create_engine, text

from app import ROOT
from learning.accounts.models import Role
from learning.content.services import load_content
from learning.tracking.statements import device_statement_id
from lrs.service.forwarding import ForwardSettings, set_forwarding

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

    def start(port: int, **settings: str) -> subprocess.Popen[bytes]:
        command = [sys.executable, str(ROOT / "scripts" / "serve.py"), "--port", str(port), "--workers", "2",
                   "--run-dir", str(tmp_path / "run")]  # fmt: skip
        with (tmp_path / f"server-{len(started)}.log").open("wb") as log:
            started.append(subprocess.Popen(command, env={**env, **settings}, stdout=log, stderr=log,
                                            start_new_session=True))  # fmt: skip
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
                error.close()  # else its socket is reported by the GC in some later test
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


# forwarding in the background to a receiver on loopback; a session cookie over plain http (the test's loopback)
UNDER_LOAD = {"LMS_LRS_FORWARD_BACKGROUND": "true", "LMS_LRS_FORWARD_ALLOW_PRIVATE": "true",
              "LMS_LRS_FORWARD_POLL_SECONDS": "0.5", "LMS_SESSION_COOKIE_SECURE": "false"}  # fmt: skip
MODULES = ("elke-dag-wegen-hartfalen", "bloeddruk-thuis-meten")
LEARNERS = 40  # more than the two learner threads get through before the test stops them
ANSWERED = "%/answered"


def forward_to(app, receiver: Receiver, headers: dict[str, str]) -> None:
    """Forward what this credential stores to the receiver, as `flask lrs set-forwarding` does."""
    key = base64.b64decode(headers["Authorization"].split()[1]).decode().split(":")[0]
    settings = ForwardSettings.from_config({**app.config, "LRS_FORWARD_ALLOW_PRIVATE": True})
    set_forwarding(app.extensions["lrs"].engine, settings, key, receiver.endpoint, "receiver", "receiver-secret")


def queued(engine) -> tuple[int, int]:
    """Rows waiting in the outbox (LMS → LRS) and in the forwarding queue (LRS → the external LRS)."""
    with engine.connect() as conn:
        outbox = conn.execute(text("SELECT count(*) FROM outbox_statement")).scalar_one()
        forwarding = conn.execute(text("SELECT count(*) FROM lrs_forward_queue")).scalar_one()
    return int(outbox), int(forwarding)


def actor_name(payload: str) -> str:
    return str(json.loads(payload)["actor"]["account"]["name"])


def learner_load(learners: Learners, more: int, what: str) -> float:
    target = len(learners.acknowledged()) + more
    return wait_until(lambda: len(learners.acknowledged()) >= target, START_TIMEOUT, what)


@pytest.fixture
def two_modules(app, tmp_path) -> None:
    """Two patient modules, approved (all thirteen would take seconds to load; two give the learners enough)."""
    folder = tmp_path / "content"
    folder.mkdir()
    for slug in MODULES:
        (folder / slug).symlink_to(ROOT / "modules_content" / slug)
    with app.app_context():
        load_content(folder, FIXTURE_APPROVER)


def test_kill_9_of_a_worker_and_of_the_master_while_statements_arrive_and_learners_answer_loses_nothing(
    serve, tmp_path, database_url, app, lrs_auth, two_modules, make_user
):
    """Statements posted over /xapi (and forwarded to an external LRS), learners answering in the player (their
    `answered` statements going through the outbox): a worker is killed, then the master, then the server starts
    again. Every statement and answer that got a 2xx is stored once, in the LMS and in the LRS; both queues are
    delivered in full after the restart, nothing twice in any store."""
    emails = [make_user(Role.PATIENT).email for _ in range(LEARNERS)]
    engine = create_engine(database_url)
    port = free_port()
    with Receiver() as receiver:
        forward_to(app, receiver, lrs_auth)
        first = serve(port, **UNDER_LOAD)
        wait_until(lambda: answers(port), START_TIMEOUT, "the server answers")
        load = Poster(port, lrs_auth)
        learners = Learners(f"http://127.0.0.1:{port}", emails, MODULES)
        threads = [threading.Thread(target=load.client, name=f"poster-{n}") for n in range(3)]
        threads += [threading.Thread(target=learners.client, name=f"learner-{n}") for n in range(2)]
        for thread in threads:
            thread.start()
        try:
            load.wait_for(30, "statements are acknowledged")
            learner_load(learners, 10, "answers are acknowledged")
            at_kills = [queued(engine)]
            os.kill(children(first.pid)[0], signal.SIGKILL)  # a worker dies mid-load; the master starts another
            load.wait_for(30, "ingestion goes on after a worker was killed")
            learner_load(learners, 10, "learners go on after a worker was killed")
            at_kills.append(queued(engine))
            os.kill(first.pid, signal.SIGKILL)  # the master dies: its workers follow (parent-death signal)
            first.wait(timeout=10)
            serve(port, **UNDER_LOAD)
            took = wait_until(lambda: answers(port), START_TIMEOUT, "the restarted server answers")
            with load.lock:
                load.restarted = True
            first_answer = took + learner_load(learners, 1, "a learner's answer is acknowledged after the restart")
            again = learners.send_again()  # an answer whose 2xx the client did not see goes again, same id
            load.wait_for(30, "ingestion goes on after the restart")
            learner_load(learners, 10, "learners go on after the restart")
        finally:
            load.stop.set()
            learners.stop.set()
            for thread in threads:
                thread.join(timeout=60)
        posted = set(load.acknowledged)
        drained = wait_until(
            lambda: queued(engine) == (0, 0) and posted <= set(receiver.stored), 30, "both queues are delivered"
        )
        with engine.connect() as conn:
            stored = [str(row[0]) for row in conn.execute(text("SELECT id FROM lrs_statement"))]
            answered = list(conn.execute(text(
                "SELECT id, registration, object_activity_id, payload FROM lrs_statement WHERE verb_id LIKE :answered"
            ), {"answered": ANSWERED}))  # fmt: skip
            counted = list(conn.execute(text(
                "SELECT u.email, m.slug, aa.item_id, a.registration FROM attempt_answer aa"
                " JOIN attempt a ON a.id = aa.attempt_id JOIN user_account u ON u.id = a.user_id"
                " JOIN module m ON m.id = a.module_id"
            )))  # fmt: skip
            if engine.dialect.name == "sqlite":  # killed mid-write, the file is still whole
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        engine.dispose()

    acknowledged_answers = learners.acknowledged()
    lost = posted - set(stored)
    doubled = len(stored) - len(set(stored))
    in_lms = {(email, slug, item): registration for email, slug, item, registration in counted}
    lost_in_lms = [a for a in acknowledged_answers if (a.email, a.slug, a.item) not in in_lms]
    in_lrs = Counter((row[1], row[2].rsplit("/item/", 1)[1]) for row in answered)  # (registration, question)
    doubled_answers = sum(count - 1 for count in in_lrs.values())
    ids = {(row[1], row[2].rsplit("/item/", 1)[1]): (str(row[0]), row[2], row[3]) for row in answered}
    lost_in_lrs = [a for a in acknowledged_answers if (in_lms.get((a.email, a.slug, a.item)), a.item) not in ids]
    wrong_id = [  # the id of an answer's statement is derived from the id its device fixed before the first send
        answer
        for answer in acknowledged_answers
        if (key := (in_lms.get((answer.email, answer.slug, answer.item)), answer.item)) in ids
        and ids[key][0] != device_statement_id(answer.answer_id, actor_name(ids[key][2]), key[0], ids[key][1])
    ]
    forwarded = {statement for statement in set(stored) if statement in load.sent}
    print(f"kill -9 of a worker and of the master: xAPI answers {dict(load.statuses)}, player answers "
          f"{dict(learners.statuses)}; statements acknowledged {len(posted)}, stored {len(stored)} (with the "
          f"learners'), lost {len(lost)}, doubled {doubled}; answers acknowledged {len(acknowledged_answers)} (of "
          f"{len(learners.answers)} sent), counted {len(counted)}, lost in the LMS {len(lost_in_lms)}, in the LRS "
          f"{len(lost_in_lrs)}, doubled {doubled_answers}; queued at the kills (outbox, forwarding) {at_kills}; "
          f"forwarded {len(receiver.stored)}, received twice {receiver.twice()} (stored once); queues empty "
          f"{drained:.1f} s after the load stopped; restarted server answered {took:.1f} s after its start, the "
          f"first answer {first_answer:.1f} s; the same answer sent again: {again}")  # fmt: skip
    assert set(load.statuses) <= {0, 200}  # a cut connection or a 200: never a 500
    assert set(learners.statuses) <= {0, 200}
    assert load.first_answer_after_restart == 200
    assert took < 30  # generous: only a server that does not recover by itself ends here
    assert first_answer < 30
    assert again == 200
    assert not lost
    assert not lost_in_lms
    assert not lost_in_lrs
    assert not wrong_id
    assert doubled == 0
    assert doubled_answers == 0
    assert len(counted) == len(in_lms) == len(answered)  # each answer counted once, with one statement
    assert set(receiver.stored) == forwarded  # every statement of the forwarding credential, nothing else
