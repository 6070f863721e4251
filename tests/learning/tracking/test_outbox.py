"""The outbox: statements survive a remote LRS that is down and arrive once it is back."""

from __future__ import annotations

import base64
import io
import json
import socket
import threading
import time
import uuid

import pytest
from helpers import PASSWORD, csrf_token
from werkzeug.serving import make_server
from xapi_helpers import make_statement

from learning.accounts.models import Role
from learning.db import db
from learning.tracking import outbox
from learning.tracking.client import DeliveryError, RemoteSink


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gate:
    """WSGI middleware in front of the LRS: notes the ids of every POST the LRS took, and can stand in for
    trouble on the way (a 5xx) or for another vendor's LRS that answers 409 for any id it already holds."""

    def __init__(self, app) -> None:
        self.app = app
        self.accepted: list[str] = []
        self.posts = 0
        self.answer_status: str | None = None
        self.conflict_on_known = False

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        if environ["REQUEST_METHOD"] != "POST" or environ["PATH_INFO"] != "/xapi/statements":
            return self.app(environ, start_response)
        self.posts += 1
        sent = json.loads(body)
        sent = sent if isinstance(sent, list) else [sent]
        if self.answer_status:
            start_response(self.answer_status, [("Content-Type", "text/plain")])
            return [b"try again later"]
        if self.conflict_on_known and any(self._holds(environ, s["id"]) for s in sent):
            start_response("409 Conflict", [("Content-Type", "application/json")])
            return [b'{"error": "a statement with this id exists"}']
        statuses: list[str] = []

        def note(status, headers, exc_info=None):
            statuses.append(status)
            return start_response(status, headers, exc_info)

        result = list(self.app(environ, note))
        if statuses[0].startswith("2"):
            self.accepted += [s["id"] for s in sent]
        return result

    def _holds(self, environ, statement_id: str) -> bool:
        headers = {"Authorization": environ["HTTP_AUTHORIZATION"], "X-Experience-API-Version": "1.0.3"}
        response = self.app.test_client().get(f"/xapi/statements?statementId={statement_id}", headers=headers)
        return response.status_code == 200


@pytest.fixture
def remote_lrs(app, lrs_auth):
    """The built-in LRS of `app`, behind a Gate, served on a port chosen now but started only when the test says."""
    port = free_port()
    server = None
    gate = Gate(app)

    def start():
        nonlocal server
        server = make_server("127.0.0.1", port, gate, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()

    key, secret = base64.b64decode(lrs_auth["Authorization"].split()[1]).decode().split(":", 1)
    yield {"endpoint": f"http://127.0.0.1:{port}/xapi/", "key": key, "secret": secret, "start": start, "gate": gate}
    if server is not None:
        server.shutdown()


@pytest.fixture
def lms(make_app, remote_lrs):
    """A second app whose LMS sends to the remote LRS over HTTP (same database, as a real deployment may)."""
    application = make_app(
        LRS_ENDPOINT=remote_lrs["endpoint"], LRS_KEY=remote_lrs["key"], LRS_SECRET=remote_lrs["secret"], LRS_TIMEOUT=2.0
    )
    yield application
    application.extensions["vtc.tracker"].stop()


def take_first_step(lms, user):
    client = lms.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)})
    response = client.post("/modules/elke-dag-wegen-hartfalen/start", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302  # the learner is not held up by the LRS being down
    client.get(response.headers["Location"])


def statement_count(client, lrs_auth) -> int:
    return len(client.get("/xapi/statements", headers=lrs_auth).json["statements"])


def test_nothing_is_lost_while_remote_lrs_is_down(app, lms, remote_lrs, make_user, content, lrs_auth):
    take_first_step(lms, make_user(Role.PATIENT))
    with lms.app_context():
        queued = outbox.pending_count()
        assert queued == 3  # launched, initialized, experienced
        assert outbox.deliver_pending(lms.extensions["vtc.tracker"].sink) == 0
        assert outbox.pending_count() == 3
        assert "unreachable" in db.session.scalars(db.select(outbox.OutboxStatement)).first().last_error
    remote_lrs["start"]()
    result = lms.test_cli_runner().invoke(args=["tracking", "flush"])
    assert "Delivered 3 statement(s); 0 still queued." in result.output
    assert statement_count(app.test_client(), lrs_auth) == 3


def test_background_worker_delivers_after_the_request(app, lms, remote_lrs, make_user, content, lrs_auth):
    remote_lrs["start"]()
    take_first_step(lms, make_user(Role.PATIENT))

    def settled() -> bool:  # the worker removes a row just after the LRS stored it: wait for both
        with lms.app_context():
            return statement_count(app.test_client(), lrs_auth) == 3 and outbox.pending_count() == 0

    deadline = time.monotonic() + 30  # generous: CI machines are shared and the worker runs beside the test
    while not settled() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert statement_count(app.test_client(), lrs_auth) == 3
    with lms.app_context():
        assert outbox.pending_count() == 0


def test_redelivery_of_the_same_statements_is_harmless(app, make_user, content, lrs_auth):
    """A batch that was stored but whose answer got lost is sent again: the LRS keeps one copy."""
    take_first_step(app, make_user(Role.PATIENT))
    client = app.test_client()
    statements = client.get("/xapi/statements", headers=lrs_auth).json["statements"]
    original = [{k: v for k, v in s.items() if k not in {"stored", "authority", "version"}} for s in statements]
    with app.app_context():
        outbox.record(original)
        db.session.commit()
        assert outbox.deliver_pending(app.extensions["vtc.tracker"].sink) == 3
    assert statement_count(client, lrs_auth) == 3


def good(n: int = 1) -> list[dict]:
    return [make_statement(id=str(uuid.uuid4())) for _ in range(n)]


def stored_ids(client, lrs_auth) -> set[str]:
    return {s["id"] for s in client.get("/xapi/statements?limit=500", headers=lrs_auth).json["statements"]}


def queue(application, statements: list[dict]) -> None:
    with application.app_context():
        outbox.record(statements)
        db.session.commit()


def deliver(application) -> int:
    with application.app_context():
        return outbox.deliver_pending(application.extensions["vtc.tracker"].sink)


def test_a_refused_statement_is_set_aside_and_the_rest_of_its_batch_arrives_once(app, lms, remote_lrs, lrs_auth):
    """Before: the 400 and the 409 held up the whole batch, retried with it forever; nothing arrived."""
    remote_lrs["start"]()
    client = app.test_client()
    [theirs] = good()
    assert client.post("/xapi/statements", json=theirs, headers=lrs_auth).status_code == 200
    first, second = good(2)
    bad = make_statement(id=str(uuid.uuid4()), result={"score": {"scaled": 5}})  # scaled is at most 1: a 400
    conflicting = make_statement(id=theirs["id"], verb={"id": "http://adlnet.gov/expapi/verbs/attempted"})
    queue(lms, [first, bad, conflicting, second])
    assert deliver(lms) == 2
    gate = remote_lrs["gate"]
    assert sorted(gate.accepted) == sorted([first["id"], second["id"]])  # each good one once
    assert stored_ids(client, lrs_auth) == {theirs["id"], first["id"], second["id"]}
    with lms.app_context():
        assert outbox.pending_count() == 0
        refused = {row.statement_id: row for row in outbox.summary().set_aside}
        assert set(refused) == {bad["id"], conflicting["id"]}
        assert "400" in refused[bad["id"]].reason
        assert "scaled" in refused[bad["id"]].reason  # the LRS's own reason, for the administrator
        assert "different statement" in refused[conflicting["id"]].reason
        assert all(row.set_aside_at is not None for row in refused.values())
    posts = gate.posts
    queue(lms, good())
    assert deliver(lms) == 1
    assert gate.posts == posts + 1  # set-aside statements are not sent again with the next batch


def test_after_a_5xx_the_same_batch_is_delivered_on_the_next_run(app, lms, remote_lrs, lrs_auth):
    remote_lrs["start"]()
    gate = remote_lrs["gate"]
    gate.answer_status = "503 Service Unavailable"
    statements = good(3)
    queue(lms, statements)
    assert deliver(lms) == 0
    with lms.app_context():
        assert outbox.pending_count() == 3  # a 5xx is nobody's statement's fault: nothing is set aside
        assert outbox.set_aside_count() == 0
        assert "503" in outbox.summary().last_error
    gate.answer_status = None
    assert deliver(lms) == 3
    assert sorted(gate.accepted) == sorted(s["id"] for s in statements)
    assert stored_ids(app.test_client(), lrs_auth) == {s["id"] for s in statements}


def test_a_409_for_the_very_statement_sent_counts_as_delivered(app, lms, remote_lrs, lrs_auth):
    """An LRS that answers 409 for any id it holds: a resend whose first answer was lost is still a delivery."""
    remote_lrs["start"]()
    gate = remote_lrs["gate"]
    [already] = good()
    queue(lms, [already])
    assert deliver(lms) == 1
    gate.conflict_on_known = True
    [fresh] = good()
    queue(lms, [already, fresh])  # the answer to the first send got lost: it is queued again
    assert deliver(lms) == 2
    with lms.app_context():
        assert (outbox.pending_count(), outbox.set_aside_count()) == (0, 0)
    assert gate.accepted == [already["id"], fresh["id"]]  # each stored once


def test_the_built_in_lrs_refusing_a_statement_sets_only_that_one_aside(app, lrs_auth):
    statements = good(2)
    bad = make_statement(id=str(uuid.uuid4()), result={"score": {"scaled": 5}})
    queue(app, [statements[0], bad, statements[1]])
    assert deliver(app) == 2
    assert stored_ids(app.test_client(), lrs_auth) == {s["id"] for s in statements}
    with app.app_context():
        [row] = outbox.summary().set_aside
        assert row.statement_id == bad["id"]
        assert "scaled" in row.reason


def test_an_administrator_sees_set_aside_statements_and_can_send_them_again(app, lrs_auth):
    bad = make_statement(id=str(uuid.uuid4()), result={"score": {"scaled": 5}})
    queue(app, [bad])
    runner = app.test_cli_runner()
    flushed = runner.invoke(args=["tracking", "flush"]).output
    assert "Delivered 0 statement(s); 0 still queued." in flushed
    assert "1 statement(s) set aside" in flushed
    status = runner.invoke(args=["tracking", "status"]).output
    assert f"set aside {bad['id']} at " in status
    assert "scaled" in status
    assert "Set aside: 1." in status
    with app.app_context():  # the cause is fixed (here: the statement is corrected where it is kept)
        row = db.session.scalars(db.select(outbox.OutboxStatement)).one()
        row.payload = json.dumps({**bad, "result": {"score": {"scaled": 0.5}}})
        db.session.commit()
    assert "1 statement(s) back in the queue" in runner.invoke(args=["tracking", "retry-set-aside", bad["id"]]).output
    assert "Delivered 1 statement(s); 0 still queued." in runner.invoke(args=["tracking", "flush"]).output
    assert stored_ids(app.test_client(), lrs_auth) == {bad["id"]}


def test_a_statement_that_is_not_valid_xapi_is_refused_before_sending(app, lms, remote_lrs):
    remote_lrs["start"]()
    sink = lms.extensions["vtc.tracker"].sink
    assert isinstance(sink, RemoteSink)
    with pytest.raises(DeliveryError) as refused:
        sink.send([make_statement(id=str(uuid.uuid4()), context={"language": "!!"})])
    assert refused.value.refused
    assert remote_lrs["gate"].posts == 0


def test_what_a_killed_worker_left_queued_is_delivered_on_the_next_process_s_first_request(make_app, lrs_auth):
    """A worker killed between its commit and the delivery leaves the statement queued. Before, it waited there
    until some later request recorded a statement of its own; now each process's delivery thread sends it at once."""
    served = make_app(OUTBOX_BACKGROUND=True)
    left = good(2)
    with served.app_context():
        outbox.record(left)  # committed with the progress it reports; the process died before flush()
        db.session.commit()
    client = served.test_client()
    assert client.get("/xapi/about").status_code == 200  # any request, even one that records nothing

    def settled() -> bool:  # the thread removes the rows just after the LRS stored them: wait for both
        with served.app_context():
            return statement_count(client, lrs_auth) == 2 and outbox.pending_count() == 0

    deadline = time.monotonic() + 30  # generous: only a thread that never delivers ends here
    while not settled() and time.monotonic() < deadline:
        time.sleep(0.05)
    stored = {s["id"] for s in client.get("/xapi/statements", headers=lrs_auth).json["statements"]}
    assert stored == {s["id"] for s in left}
    with served.app_context():
        assert outbox.pending_count() == 0


def test_the_delivery_thread_logs_an_unreachable_database_in_one_line_not_a_traceback(make_app, tmp_path, caplog):
    """During a fail-over the thread found no primary; before, each try logged a full traceback as a crash."""
    served = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'no-such-folder' / 'lms.db'}")
    tracker = outbox.Tracker(served, served.extensions["vtc.tracker"].sink, background=True)
    with caplog.at_level("WARNING", logger="learning.tracking.outbox"):
        tracker.ensure_started()
        deadline = time.monotonic() + 30  # generous: only a thread that never tries ends here
        while not caplog.records and time.monotonic() < deadline:
            time.sleep(0.05)
        tracker.stop()
    (record,) = caplog.records
    assert record.levelname == "WARNING"
    assert record.getMessage().startswith("outbox delivery waits: the database is unreachable")
    assert record.exc_info is None
