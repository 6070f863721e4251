"""Fewer round trips to PostgreSQL per request: a transaction only once a statement needs one, and no ping of a
pooled connection that is still open.

Why: on PostgreSQL every round trip costs the worker ~80 us of CPU and the server as much again on the machines we
measure on (docs/performance.md, fourth round), and a page's own work is two or three statements. Before, a step
view sent six: a ping (`pool_pre_ping`), BEGIN, three SELECTs and ROLLBACK; a step seen before writes nothing.

1. **A transaction begins at the first statement that needs one.** Each request's connection starts in
   autocommit; right before the first statement that writes or locks, psycopg is switched back to transactions and
   sends BEGIN, and the request's commit or rollback ends that transaction as before. A request that only reads
   sends neither BEGIN nor ROLLBACK. This is what Python's sqlite3 module has always done for SQLite (it begins
   before the first INSERT/UPDATE/DELETE), and it changes what a read sees nowhere: under PostgreSQL's READ
   COMMITTED, the level we use, every statement in a transaction takes its own snapshot too. Whatever is not a
   plain SELECT starts the transaction: every write, SAVEPOINT, SET, a SELECT ... FOR UPDATE/SHARE (its row locks
   must last until the commit) and a SELECT of any `pg_` function (advisory locks, `pg_notify`, snapshots) or of
   `nextval`/`setval`. Once begun, the request stays in its transaction (a commit starts the next one at the next
   statement, as psycopg does anyway).
2. **A pooled connection is pinged only when the server has sent it something since it was last used, or when it
   sat unused for more than 30 s.** An idle connection in the pool receives nothing; a server that restarts, fails
   over or ends idle sessions closes the socket or sends a termination message first, which makes the socket
   readable. So at checkout one `poll()` with no timeout (a system call, no round trip) decides: nothing to read,
   use it; something to read, send the real ping, and a failed ping drops the connection and takes another
   (SQLAlchemy's DisconnectionError). A host that crashed and came back closed nothing, hence the ping after 30 s
   unused; under load connections come back within milliseconds and are never pinged. The first request after a
   restart still works (`tests/test_database_down.py`), as with `pool_pre_ping`.

The main thread's request sessions run on a connection it keeps between requests (learning/kept_connections.py),
tested by the same check before each request instead of at checkout.

SQLite is left as it is: it has no round trips, and its own driver already begins lazily.
"""

from __future__ import annotations

import re
import select
import time
from functools import lru_cache
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from learning import direct_reads, pg_cursor
from learning.db import db
from learning.kept_connections import KEEPER, KeptConnections

LAZY_BEGIN = "vtc_lazy_begin"
"""Marks a request's session (session.info) and the connection it took (the pool record's info) as beginning at
the first statement that needs a transaction."""

# In a SELECT: a row lock (it must last until the commit), or a function that changes something or lasts for the
# transaction (advisory locks and notifications are pg_ functions; sequences; transaction-local settings; large
# objects).
_NEEDS_TRANSACTION = re.compile(
    r"\bFOR\s+(?:NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b|\b(?:PG_\w+|NEXTVAL|SETVAL|SET_CONFIG|LO_\w+)\s*\(",
    re.IGNORECASE,
)
PING_AFTER_IDLE_SECONDS = 30.0
"""A pooled connection unused for longer is pinged whatever its socket says: a database host that crashed and came
back never closed it (the first statement would fail), and a connection in steady use is never idle this long."""
_CHECKED_IN_AT = "vtc_checked_in_at"


@lru_cache(maxsize=4096)
def needs_transaction(statement: str) -> bool:
    """Whether a statement must run inside the request's transaction (anything but a plain SELECT).

    Kept per statement text: SQLAlchemy sends the same string object for a cached statement, whose hash Python
    keeps, so a known statement costs a lookup instead of a scan of the joined page reads' ~2 KB (the app has a
    few hundred distinct statements)."""
    if statement.lstrip()[:6].upper() != "SELECT":
        return True
    return _NEEDS_TRANSACTION.search(statement) is not None


def begin_lazily() -> None:
    """before_request: this request's session starts each transaction in autocommit (nothing is connected yet, so a
    request that never touches the database still takes no connection)."""
    session = db.session()
    if not session.in_transaction():  # a session already at work (a test's own app context): leave it as it is
        session.info[LAZY_BEGIN] = True
        keeper = current_app.extensions.get(KEEPER)
        if keeper is not None:  # and on the main thread's kept connection (learning/kept_connections.py)
            session.info[KEEPER] = keeper


def _start_in_autocommit(session: Session, transaction: SessionTransaction, connection: Connection) -> None:
    """Session after_begin, when the session has taken a connection and before it sends anything: psycopg in
    autocommit, so no BEGIN goes out with the first SELECT. The pool record remembers it (see _restore)."""
    if not session.info.get(LAZY_BEGIN) or connection.dialect.name != "postgresql":
        return
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection is None or dbapi_connection.autocommit:
        return
    dbapi_connection.autocommit = True
    connection.info[LAZY_BEGIN] = True


def _begin_at_first_need(conn: Connection, cursor: Any, statement: str, *_: Any) -> None:
    """before_cursor_execute: switch a lazily begun connection to a transaction before the statement that needs it.

    psycopg sends BEGIN before the next statement once autocommit is off; SQLAlchemy commits and rolls back through
    the DBAPI connection as always, so the request's commit or rollback, or the pool's reset, ends it."""
    if not conn.info.get(LAZY_BEGIN):
        return
    dbapi_connection = conn.connection.dbapi_connection
    if dbapi_connection is not None and dbapi_connection.autocommit and needs_transaction(statement):
        dbapi_connection.autocommit = False


def _restore(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    """Pool checkin (after the reset's rollback): a connection goes back to the pool as it came, in transactions,
    with the time it came back (see PING_AFTER_IDLE_SECONDS)."""
    record.info[_CHECKED_IN_AT] = time.monotonic()
    if record.info.pop(LAZY_BEGIN, False) and dbapi_connection is not None and dbapi_connection.autocommit:
        dbapi_connection.autocommit = False


def server_has_spoken(dbapi_connection: Any) -> bool:
    """Whether an idle psycopg connection's socket has something to read (or was closed) since its last use."""
    poller = select.poll()
    poller.register(dbapi_connection.pgconn.socket, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


def _ping_if_spoken_to(dbapi_connection: Any, record: ConnectionPoolEntry, proxy: PoolProxiedConnection) -> None:
    """Pool checkout: a connection the server sent something to (most often: closed), or one idle for longer than
    PING_AFTER_IDLE_SECONDS, gets a real ping; a dead one is replaced by a new connection (SQLAlchemy retries the
    checkout on DisconnectionError)."""
    ping_if_spoken_to(dbapi_connection, record.info.get(_CHECKED_IN_AT))


def ping_if_spoken_to(dbapi_connection: Any, idle_since: float | None) -> None:
    """Ping a psycopg connection that is closed, that the server sent something to, or that has been unused since
    `idle_since` (time.monotonic) for longer than PING_AFTER_IDLE_SECONDS; raise DisconnectionError if it is dead.

    Shared by the pool's checkout and the main thread's kept connection (learning/kept_connections.py)."""
    idle_long = idle_since is not None and time.monotonic() - idle_since > PING_AFTER_IDLE_SECONDS
    if dbapi_connection.closed or idle_long or server_has_spoken(dbapi_connection):
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute(";")
        except Exception as exc:  # the driver's own error: the server is gone or ended this session
            raise DisconnectionError(f"a pooled connection was closed by the server: {exc}") from exc
        if not dbapi_connection.autocommit:
            dbapi_connection.rollback()  # the ping opened no transaction in autocommit; otherwise end the one it did


def install(app: Flask) -> None:
    """On PostgreSQL: lazy transactions for every request and the cheap liveness check at checkout.

    Call right after db.init_app, before any hook that reads the database."""
    with app.app_context():
        engine: Engine = db.engine
    if engine.dialect.name != "postgresql":
        return
    pg_cursor.install(engine)  # before the first connection: each one describes its results only when asked
    # it never reads the execution context, so the per-request read keeps its direct path (learning/direct_reads.py)
    direct_reads.listen_context_free(engine, "before_cursor_execute", _begin_at_first_need)
    event.listen(engine, "checkout", _ping_if_spoken_to)
    event.listen(engine, "checkin", _restore)
    app.extensions[KEEPER] = KeptConnections(engine, ping_if_spoken_to)
    if not event.contains(Session, "after_begin", _start_in_autocommit):
        event.listen(Session, "after_begin", _start_in_autocommit)  # every app's sessions; it checks the dialect
    app.before_request(begin_lazily)
