"""The process's main thread keeps its PostgreSQL connection from one request to the next, instead of taking one
from the pool and giving it back on every request.

Why: measured in-process on PostgreSQL (docs/performance.md, ninth round), a request's session given a connection
and closed cost ~115 us of CPU, of which ~55 us was the round trip through the pool: a new `Connection` object, the
checkout and checkin events, the pool's reset rollback after the session's own, psycopg switched out of and back
into transactions. A gunicorn sync worker (`make run`) serves one request at a time on its main thread, so that
thread may as well hold its connection; the session of each request still begins and ends its own transaction on
it.

What stays as it was:
- **Only a request's session on the main thread uses it** (`round_trips.begin_lazily` marks the session). The CLI,
  the background jobs, sessions outside a request and requests on other threads (a threaded server such as
  werkzeug's, which starts a thread per request, or gunicorn's gthread workers) take pooled connections as before:
  a connection kept by a thread that ends would be held until the garbage collector found it.
- **Lazy BEGIN** (learning/round_trips.py): each of the session's transactions begins on the kept connection, and
  the session's `after_begin` puts psycopg in autocommit until the first statement that needs a transaction.
- **A dead connection is replaced before a request uses it**, by the pool's own test (round_trips.ping_if_spoken_to):
  the socket is polled (no round trip) and, if the server spoke to it or closed it, or if it sat idle for longer
  than PING_AFTER_IDLE_SECONDS, a real ping is sent; a failed ping drops it and a new one is taken from the pool. A
  connection that failed during a request (SQLAlchemy invalidates it) is replaced at the next one.
- **A connection is replaced when the pool replaces its own**: when any connection of the engine is found dead,
  SQLAlchemy recycles every older pooled connection at its next checkout; the kept connection is replaced before
  the next request.
- **Nothing is left open**: `engine.dispose()` (tests, a restart of the pool) closes the kept connection, and a
  process forked from one that held it never touches the parent's kept connection (its socket).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DisconnectionError

KEEPER = "vtc_keeper"
"""session.info: the KeptConnections whose connection this request's session may use (set per request)."""
KEPT = "vtc_kept"
"""session.info: the kept connection once tested for this request (the test runs once per request, not per
statement)."""

_INHERITED: list[Connection] = []
"""Kept connections a forked process inherited: its parent's sockets. Held here so that the garbage collector never
returns one to the pool, which would send a rollback over a socket the parent still uses."""


class KeptConnections:
    """One engine's kept connection: the main thread's, between its requests."""

    def __init__(self, engine: Engine, check_alive: Callable[[Any, float | None], None]) -> None:
        """`check_alive(dbapi_connection, idle_since)` raises DisconnectionError for a dead connection."""
        self.engine = engine
        self._check_alive = check_alive
        self._kept: Connection | None = None
        self._pid = 0
        self._used_at = 0.0
        self._stale = False
        self._kept_driver_connection: Any = None
        event.listen(engine, "engine_disposed", self._close)
        event.listen(engine, "invalidate", self._another_invalidated)

    def for_this_request(self) -> Connection | None:
        """The main thread's connection, tested as the pool tests one at checkout (a dead one is replaced); None on
        any other thread, or while another session has a transaction open on it."""
        if threading.get_ident() != threading.main_thread().ident:
            return None
        kept = self._kept
        if kept is not None and self._pid != os.getpid():
            _INHERITED.append(kept)
            kept = None
        if kept is not None and kept.in_transaction():
            return None  # a session of an enclosing context is at work on it: never join its transaction
        if kept is not None and (self._stale or not self._alive(kept)):
            kept.close()  # a stale one goes back to the pool, which recycles it at its next checkout
            kept = self._kept = None
        if kept is None:
            self._stale = False
            kept = self.engine.connect()  # from the pool, whose checkout tests it
            self._kept, self._pid = kept, os.getpid()
            self._kept_driver_connection = kept.connection.dbapi_connection
        self._used_at = time.monotonic()
        return kept

    def _alive(self, kept: Connection) -> bool:
        if kept.closed or kept.invalidated:
            return False
        dbapi_connection = kept.connection.dbapi_connection
        if dbapi_connection is None:
            return False
        try:
            self._check_alive(dbapi_connection, self._used_at)
        except DisconnectionError:
            kept.invalidate()  # closes its socket; it never goes back to the pool
            return False
        return True

    def _another_invalidated(self, dbapi_connection: Any, record: Any, exception: BaseException | None) -> None:
        """Pool event: a connection was found dead. SQLAlchemy then recycles every older pooled connection at its
        next checkout (a restarted server, a fail-over to a new primary, a server turned read-only); the kept
        connection is never checked out, so it is replaced before the next request instead."""
        if self._kept is not None and dbapi_connection is not self._kept_driver_connection:
            self._stale = True  # read by the main thread before its next request; nothing else is touched here

    def _close(self, engine: Engine) -> None:
        """engine_disposed: close the kept connection (the next request takes a new one)."""
        kept, self._kept = self._kept, None
        if kept is None or kept.closed:
            return
        if self._pid != os.getpid():
            _INHERITED.append(kept)  # the parent's socket: left alone
            return
        kept.invalidate()  # closes the socket; an invalidated connection is not put back into a pool
        kept.close()


class KeepingSession(FlaskSession):
    """Flask-SQLAlchemy's session; a request's session (marked with KEEPER) runs on the main thread's kept
    connection whenever it would have taken one from the keeper's engine."""

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None, **kwargs: Any) -> Any:
        chosen = super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)
        if bind is not None:
            return chosen
        info = self.info
        kept: Connection | None = info.get(KEPT)
        if kept is not None:
            return kept if kept.engine is chosen else chosen
        keeper: KeptConnections | None = info.get(KEEPER)
        if keeper is None or keeper.engine is not chosen:
            return chosen
        kept = keeper.for_this_request()
        if kept is None:
            return chosen
        info[KEPT] = kept
        return kept
