"""The LRS's own engine, made from LRS_DATABASE_URI, and its migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import OperationalError

MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """WAL lets readers run beside a writer; busy_timeout makes a second writer wait instead of failing.

    synchronous=FULL fsyncs the WAL at every commit: an acknowledged statement survives a power cut, not only a
    crashed process (NORMAL may lose the last commits then). It costs ~0.2 ms per commit here.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def storage_problem(error: BaseException) -> str:
    """Name what kind of unavailable the database is: "full" (its disk is), "read-only" or "unreachable".

    Read from the driver's own code, never from its message: SQLite's extended result code, PostgreSQL's SQLSTATE.
    """
    original = getattr(error, "orig", None)
    code = getattr(original, "sqlite_errorcode", None)
    if isinstance(code, int):
        primary = code & 0xFF  # extended codes keep the primary one in the low byte
        return {sqlite3.SQLITE_FULL: "full", sqlite3.SQLITE_READONLY: "read-only"}.get(primary, "unreachable")
    state = getattr(original, "sqlstate", None)
    return {"53100": "full", READ_ONLY_SQLSTATE: "read-only"}.get(state or "", "unreachable")


READ_ONLY_SQLSTATE = "25006"
"""PostgreSQL's read_only_sql_transaction: the server takes no writes (a standby, a primary being demoted during a
fail-over, `default_transaction_read_only`)."""


def _read_only_server(context: ExceptionContext) -> BaseException | None:
    """A write refused because the server is read-only is an unavailable database, not a bug in the request.

    psycopg raises SQLSTATE 25006 as an InternalError, which the app would answer with a 500; raised instead as an
    OperationalError it gets the same 503 with Retry-After as an unreachable server. The connection is dropped from
    the pool: a server that was read-only for this one stays so, and a new connection (with a libpq multi-host URL
    and `target_session_attrs=read-write`) finds the primary that now takes the writes.
    """
    original = context.original_exception
    if getattr(original, "sqlstate", None) != READ_ONLY_SQLSTATE or not isinstance(original, Exception):
        return None
    context.is_disconnect = True
    return OperationalError(context.statement, context.parameters, original)


def read_only_is_unavailable(engine: Engine) -> None:
    """Have `engine` raise a read-only server's refusal as an unavailable database (see _read_only_server)."""
    event.listen(engine, "handle_error", _read_only_server)


def make_engine(url: str) -> Engine:
    """Return an engine for the LRS database."""
    engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        read_only_is_unavailable(engine)
    return engine


def upgrade_database(url: str) -> None:
    """Bring the `lrs_` tables to the newest migration."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")
