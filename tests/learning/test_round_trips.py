"""Requests on PostgreSQL begin their transaction at the first statement that needs one, and a pooled connection is
pinged only when the server closed it (learning/round_trips.py). On SQLite nothing changes."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import event, func, select, text

from learning.accounts.models import Organisation, Role
from learning.db import db
from learning.round_trips import LAZY_BEGIN, begin_lazily, needs_transaction, server_has_spoken


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO organisation (name) VALUES (%(name)s)",
        "UPDATE attempt SET current_step=%(s)s",
        "DELETE FROM attempt_step",
        "SAVEPOINT sa_savepoint_1",
        "SET LOCAL statement_timeout = 1000",
        "WITH moved AS (DELETE FROM outbox RETURNING id) SELECT count(*) FROM moved",
        "SELECT attempt.id FROM attempt WHERE attempt.id = %(id)s FOR UPDATE",
        "select id from lrs_document for no key update",
        "SELECT id FROM attempt FOR SHARE SKIP LOCKED",
        "SELECT pg_advisory_xact_lock(%(pg_advisory_xact_lock_1)s) AS pg_advisory_xact_lock_1",
        "SELECT pg_notify('live', 'x')",
        "SELECT nextval('attempt_id_seq')",
        "SELECT id FROM attempt WHERE id = %(id)s\nFOR\tUPDATE",  # written by hand, across lines
        "SELECT set_config('app.actor', 'x', true)",
        "SELECT lo_create(0)",
    ],
)
def test_anything_but_a_plain_select_needs_the_transaction(statement):
    assert needs_transaction(statement)


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT user_account.id, user_account.email FROM user_account WHERE user_account.id = %(user_id)s",
        "\n  SELECT count(*) FROM attempt_step WHERE attempt_step.attempt_id = %(a)s",
        "SELECT module.id, EXISTS (SELECT * FROM staff_member WHERE staff_member.user_id = %(u)s) AS a FROM module",
    ],
)
def test_a_plain_select_runs_without_one(statement):
    assert not needs_transaction(statement)


def _terminate(database_url: str, pid: int) -> bool:
    """End a server session from a connection of its own (outside the app's pool), as a restart would."""
    import psycopg

    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as other:
        row = other.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()
    return bool(row and row[0])


def _in_a_request(app):
    """A request context whose session begins as a request's does."""
    context = app.test_request_context("/progress")
    context.push()
    begin_lazily()
    return context


def _autocommit() -> bool:
    return bool(db.session.connection().connection.dbapi_connection.autocommit)


@pytest.mark.postgresql_only
def test_reads_run_in_autocommit_until_a_write_then_the_request_is_one_transaction(app, database_url):
    """Two writes after a read: the read sends no BEGIN; both writes are undone together by the rollback."""
    context = _in_a_request(app)
    try:
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0
        assert _autocommit()  # the read went out without a transaction
        db.session.add(Organisation(name="Eerste", kind="hospital"))
        db.session.flush()
        assert not _autocommit()  # the INSERT began it
        db.session.add(Organisation(name="Tweede", kind="hospital"))
        db.session.flush()
        db.session.rollback()
    finally:
        db.session.remove()
        context.pop()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0  # nothing of either stayed


@pytest.mark.postgresql_only
def test_a_locking_read_begins_the_transaction_so_its_lock_lasts_until_the_commit(app, database_url):
    with app.app_context():
        db.session.add(Organisation(name="Slot", kind="hospital"))
        db.session.commit()
    context = _in_a_request(app)
    try:
        db.session.scalars(select(Organisation).with_for_update()).one()
        assert not _autocommit()
        held = db.session.scalar(
            text("SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'transactionid'")
        )
        assert held == 1  # a FOR UPDATE holds its transaction id (its row lock) until the end, not one statement
        db.session.commit()
    finally:
        db.session.remove()
        context.pop()


def test_only_postgresql_requests_begin_lazily(app, database_url):
    """SQLite keeps its driver's own transactions (it already begins before the first write)."""
    context = _in_a_request(app)
    try:
        db.session.scalar(select(func.count()).select_from(Organisation))
        assert (LAZY_BEGIN in db.session.connection().info) is database_url.startswith("postgresql")
    finally:
        db.session.remove()
        context.pop()


@pytest.mark.postgresql_only
def test_a_pooled_connection_is_pinged_only_after_the_server_closed_it(app, database_url):
    """An idle pooled connection has nothing to read; one whose backend was terminated does, and a request on the
    app after every pooled backend was terminated still answers (the dead connections are replaced)."""
    with app.app_context():
        engine = db.engine
    raw = engine.raw_connection()
    try:
        dbapi_connection = raw.dbapi_connection
        assert not server_has_spoken(dbapi_connection)
        assert _terminate(database_url, dbapi_connection.info.backend_pid)
        for _ in range(100):  # the backend's goodbye arrives within milliseconds
            if server_has_spoken(dbapi_connection):
                break
            time.sleep(0.01)
        assert server_has_spoken(dbapi_connection)
    finally:
        raw.invalidate()


@pytest.mark.postgresql_only
def test_a_request_after_the_server_ended_its_pooled_sessions_answers(app, client, login, make_user, database_url):
    """As after a restart of the server: the connections the app holds (in the pool, and the main thread's kept
    one) are closed by the server between requests."""
    with app.app_context():
        engine = db.engine
    pids: set[int] = set()

    def remember(dbapi_connection, record, proxy):
        pids.add(dbapi_connection.info.backend_pid)

    event.listen(engine, "checkout", remember)
    try:
        login(make_user(Role.PATIENT))
        assert client.get("/progress").status_code == 200
    finally:
        event.remove(engine, "checkout", remember)
    assert pids
    ended = [_terminate(database_url, pid) for pid in pids]
    assert all(ended)
    time.sleep(0.2)  # the backends' goodbyes have arrived
    assert client.get("/progress").status_code == 200
    assert client.get("/").status_code == 200


@pytest.mark.postgresql_only
def test_a_connection_in_steady_use_is_not_pinged_and_one_idle_for_long_is(app, database_url, monkeypatch):
    """The round trip pool_pre_ping spent on every checkout is gone: a connection back from the pool a moment ago
    sends nothing before the request's first statement; one unused for longer than PING_AFTER_IDLE_SECONDS is
    pinged (a host that crashed and came back closed nothing). What the server last received tells."""
    import psycopg

    from learning import round_trips

    with app.app_context():
        engine = db.engine
    with engine.connect() as conn:
        pid = conn.connection.dbapi_connection.info.backend_pid
        conn.exec_driver_sql("SELECT 'steady use'")
        conn.commit()
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as observer:

        def last_received() -> str:
            row = observer.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
            assert row is not None
            return str(row[0])

        before = last_received()
        with engine.connect() as conn:
            assert conn.connection.dbapi_connection.info.backend_pid == pid  # the same pooled connection
            assert last_received() == before  # checked out without a ping
        monkeypatch.setattr(round_trips, "PING_AFTER_IDLE_SECONDS", 0.05)
        time.sleep(0.2)
        with engine.connect() as conn:
            assert conn.connection.dbapi_connection.info.backend_pid == pid
            assert last_received() != before  # pinged at checkout: the server heard from it
