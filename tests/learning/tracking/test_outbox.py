"""The outbox: statements survive a remote LRS that is down and arrive once it is back."""

from __future__ import annotations

import base64
import socket
import threading
import time

import pytest
from helpers import PASSWORD, csrf_token
from werkzeug.serving import make_server

from learning.accounts.models import Role
from learning.db import db
from learning.tracking import outbox


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def remote_lrs(app, lrs_auth):
    """The built-in LRS of `app`, served on a port chosen now but started only when the test says so."""
    port = free_port()
    server = None

    def start():
        nonlocal server
        server = make_server("127.0.0.1", port, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()

    key, secret = base64.b64decode(lrs_auth["Authorization"].split()[1]).decode().split(":", 1)
    yield {"endpoint": f"http://127.0.0.1:{port}/xapi/", "key": key, "secret": secret, "start": start}
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
    deadline = time.monotonic() + 30  # generous: CI machines are shared and the worker runs beside the test
    while statement_count(app.test_client(), lrs_auth) < 3 and time.monotonic() < deadline:
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
