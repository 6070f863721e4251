"""On PostgreSQL the main thread keeps its connection between requests (learning/kept_connections.py): no pool
checkout per request, the same liveness test as the pool's, nothing left open after dispose, and sessions outside a
request still use the pool. What goes over the wire is read from libpq's own protocol trace."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from learning import kept_connections, round_trips
from learning.accounts.models import Organisation, Role
from learning.db import db

pytestmark = pytest.mark.postgresql_only


@contextmanager
def _recording(engine: Any, event_name: str, record: Callable[..., Any]) -> Iterator[list[Any]]:
    """What `record(*event arguments)` returns for each `event_name` event of the engine while the block runs."""
    seen: list[Any] = []

    def listener(*arguments: Any) -> None:
        seen.append(record(*arguments))

    event.listen(engine, event_name, listener)
    try:
        yield seen
    finally:
        event.remove(engine, event_name, listener)


def _counting_checkouts(engine: Any) -> Any:
    """The backend pid of every connection taken from the pool while the block runs."""
    return _recording(engine, "checkout", lambda dbapi_connection, *_: dbapi_connection.info.backend_pid)


def _statements_on(engine: Any) -> Any:
    """The psycopg connection each statement of the block ran on."""
    return _recording(engine, "before_cursor_execute", lambda conn, *_: conn.connection.dbapi_connection)


@contextmanager
def _wire_trace(dbapi_connection: Any) -> Iterator[list[str]]:
    """libpq's trace of the messages the connection sends and receives while the block runs (its lines, after)."""
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "trace"
        with path.open("w") as sink:
            dbapi_connection.pgconn.trace(sink.fileno())
            try:
                yield lines
            finally:
                dbapi_connection.pgconn.untrace()
        lines.extend(path.read_text().splitlines())


def _pings(trace: list[str]) -> int:
    """Simple-query messages of the liveness ping (`;`) sent to the server."""
    return sum(1 for line in trace if "\tF\t" in line and "Query" in line and '";"' in line)


def _terminate(database_url: str, pid: int) -> None:
    import psycopg

    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (pid,))


def _alive(database_url: str, pid: int) -> bool:
    import psycopg

    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as other:
        row = other.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
    return bool(row and row[0])


def _engine(app: Any) -> Any:
    with app.app_context():
        return db.engine


def _kept_after_a_request(app: Any, client: Any, login: Any, make_user: Any) -> tuple[Any, Any]:
    """Log a patient in and serve one page: the engine, and the psycopg connection the main thread now keeps."""
    login(make_user(Role.PATIENT))
    engine = _engine(app)
    with _statements_on(engine) as used:
        assert client.get("/progress").status_code == 200
    return engine, used[-1]


def test_requests_on_one_thread_use_one_connection_without_a_checkout(app, client, login, make_user):
    login(make_user(Role.PATIENT))
    engine = _engine(app)
    with _counting_checkouts(engine) as taken, _statements_on(engine) as used:
        for page in ("/progress", "/", "/progress"):
            assert client.get(page).status_code == 200
    assert taken == []  # not one trip through the pool
    assert len(used) >= 3
    assert len({id(c) for c in used}) == 1


def test_a_connection_in_steady_use_is_not_pinged_and_one_idle_for_long_is(app, client, login, make_user, monkeypatch):
    engine, kept = _kept_after_a_request(app, client, login, make_user)
    with _wire_trace(kept) as steady:
        assert client.get("/progress").status_code == 200
    assert _pings(steady) == 0
    assert any("\tF\t" in line for line in steady)
    monkeypatch.setattr(round_trips, "PING_AFTER_IDLE_SECONDS", 0.05)
    time.sleep(0.2)
    with _wire_trace(kept) as after_idle, _statements_on(engine) as used_after:
        assert client.get("/progress").status_code == 200
    assert _pings(after_idle) == 1
    assert used_after
    assert all(c is kept for c in used_after)


def test_a_kept_connection_the_server_ended_is_replaced_before_the_request_uses_it(
    app, client, login, make_user, database_url
):
    engine, kept = _kept_after_a_request(app, client, login, make_user)
    pid = kept.info.backend_pid
    _terminate(database_url, pid)
    time.sleep(0.2)  # the backend's goodbye has arrived
    with _counting_checkouts(engine) as taken, _statements_on(engine) as used_after:
        assert client.get("/progress").status_code == 200
    assert len(taken) == 1
    assert taken[0] != pid
    assert {c.info.backend_pid for c in used_after} == {taken[0]}


def test_dispose_closes_the_kept_connection_and_the_next_request_takes_a_new_one(
    app, client, login, make_user, database_url
):
    engine, kept = _kept_after_a_request(app, client, login, make_user)
    pid = kept.info.backend_pid
    engine.dispose()
    for _ in range(100):
        if not _alive(database_url, pid):
            break
        time.sleep(0.01)
    assert not _alive(database_url, pid)
    with _counting_checkouts(engine) as taken:
        assert client.get("/progress").status_code == 200
    assert len(taken) == 1
    assert taken[0] != pid


def test_a_session_outside_a_request_takes_a_pooled_connection(app, client, login, make_user):
    engine, kept = _kept_after_a_request(app, client, login, make_user)
    with _counting_checkouts(engine) as taken, app.app_context():
        assert db.session.connection().connection.dbapi_connection is not kept
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == 1
    assert len(taken) == 1


def test_a_forked_process_leaves_its_parents_connection_alone(app, client, login, make_user, monkeypatch):
    """After a fork the kept connection is the parent's socket: the child takes its own and sends nothing on the
    parent's, neither at its requests nor when it disposes its engine."""
    engine, parents = _kept_after_a_request(app, client, login, make_user)
    inherited_before = list(kept_connections._INHERITED)
    real_pid = kept_connections.os.getpid()
    monkeypatch.setattr(kept_connections.os, "getpid", lambda: real_pid + 1)  # as the forked child sees it
    with _wire_trace(parents) as on_parents_socket:
        with _statements_on(engine) as used_in_child:
            assert client.get("/progress").status_code == 200
        engine.dispose()  # the child's own kept connection is closed, the parent's is not
    assert used_in_child
    assert all(c is not parents for c in used_in_child)
    assert on_parents_socket == []  # not one byte
    monkeypatch.undo()
    left = [c for c in kept_connections._INHERITED if c not in inherited_before]
    assert len(left) == 1
    assert left[0].connection.dbapi_connection is parents
    assert parents.execute("SELECT 1").fetchone() == (1,)  # still the parent's, usable
    kept_connections._INHERITED.remove(left[0])
    left[0].invalidate()  # this test's process is the parent as well: close it


def test_another_connection_found_dead_replaces_the_kept_one_before_the_next_request(
    app, client, login, make_user, database_url
):
    """A background job meets the outage first (its pooled connection is dead): SQLAlchemy recycles every older
    pooled connection, and the kept one is replaced too, so a request does not try the old server first."""
    from sqlalchemy.exc import OperationalError

    engine, kept = _kept_after_a_request(app, client, login, make_user)
    old = kept.info.backend_pid
    with app.app_context():
        background = db.session.connection().connection.dbapi_connection.info.backend_pid
        assert background != old
        _terminate(database_url, background)
        time.sleep(0.2)
        with pytest.raises(OperationalError):
            db.session.execute(select(func.count()).select_from(Organisation)).scalar()
        db.session.rollback()
    with _statements_on(engine) as used:
        assert client.get("/progress").status_code == 200
    assert used
    assert not {c.info.backend_pid for c in used} & {old, background}  # a new connection


def test_a_request_that_fails_after_a_write_leaves_the_kept_connection_clean(app, client, login, make_user):
    """The write is rolled back and the next request runs on the same connection, outside any transaction."""
    from psycopg.pq import TransactionStatus

    def write_then_fail() -> str:
        db.session.add(Organisation(name="Half", kind="hospital"))
        db.session.flush()
        raise RuntimeError("after the write")

    app.add_url_rule("/_test/write-then-fail", "write_then_fail", write_then_fail)
    engine, kept = _kept_after_a_request(app, client, login, make_user)
    with pytest.raises(RuntimeError):
        client.get("/_test/write-then-fail")
    assert kept.info.transaction_status == TransactionStatus.IDLE
    with _statements_on(engine) as used:
        assert client.get("/progress").status_code == 200
    assert all(c is kept for c in used)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Organisation).filter_by(name="Half")) == 0


def test_dispose_after_a_failed_replacement_does_not_raise(app, client, login, make_user, database_url, monkeypatch):
    """The kept connection died and no new one could be had (the server still down): the request fails, and
    disposing of the engine afterwards (a test's clean-up, a restart of the pool) still works."""
    from sqlalchemy.exc import OperationalError

    engine, kept = _kept_after_a_request(app, client, login, make_user)
    _terminate(database_url, kept.info.backend_pid)
    time.sleep(0.2)

    def refused(*_: Any, **__: Any) -> Any:
        raise OperationalError("connect", {}, Exception("connection refused"))

    monkeypatch.setattr(engine, "connect", refused)
    assert client.get("/progress").status_code == 503
    monkeypatch.undo()
    engine.dispose()
    assert client.get("/progress").status_code == 200


def test_a_request_on_another_thread_takes_a_pooled_connection_and_gives_it_back(app, client, login, make_user):
    """A threaded server starts a thread per request: a connection kept by each would stay out of the pool."""
    import threading

    login(make_user(Role.PATIENT))
    engine = _engine(app)
    statuses: list[int] = []
    with _counting_checkouts(engine) as taken:
        worker = threading.Thread(target=lambda: statuses.append(client.get("/progress").status_code))
        worker.start()
        worker.join()
    assert statuses == [200]
    assert len(taken) == 1
    assert engine.pool.checkedout() == 1  # only the main thread's kept connection is out of the pool


def test_a_second_session_never_joins_the_transaction_open_on_the_kept_connection(app, client, login, make_user):
    """Two request sessions on the main thread at once (nested contexts): the inner one takes a pooled connection,
    so its rollback cannot undo the outer one's writes, nor its commit make them permanent."""
    from learning.round_trips import begin_lazily

    login(make_user(Role.PATIENT))
    assert client.get("/progress").status_code == 200  # the main thread now keeps a connection
    outer = app.test_request_context("/progress")
    outer.push()
    try:
        begin_lazily()
        db.session.add(Organisation(name="Buiten", kind="hospital"))
        db.session.flush()  # the outer session's transaction is open on the kept connection
        kept = db.session.connection()
        with app.app_context(), app.test_request_context("/progress"):
            begin_lazily()
            inner = db.session.connection()
            assert inner is not kept
            assert db.session.scalar(select(func.count()).select_from(Organisation).filter_by(name="Buiten")) == 0
            db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Organisation).filter_by(name="Buiten")) == 1
        db.session.rollback()
    finally:
        db.session.remove()
        outer.pop()
