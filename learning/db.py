"""The LMS's database handle and schema migrations.

The LMS owns its tables through Flask-SQLAlchemy; the LRS keeps its own metadata (tables prefixed `lrs_`) so that
it can live in another database. Both are migrated with Alembic, each with its own version table.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Engine, MetaData, TypeDecorator, event
from sqlalchemy.engine import Dialect, ExceptionContext
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import DeclarativeBase

from learning.kept_connections import KeepingSession

MIGRATIONS = Path(__file__).parent / "migrations"
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (OperationalError, InterfaceError, PoolTimeout)
"""What SQLAlchemy raises when it cannot reach the database (refused, timed out, dropped, locked, pool exhausted):
the JSON APIs answer 503 with Retry-After for these, not 500."""
RETRY_AFTER_SECONDS = 30


def storage_problem(error: BaseException) -> str:
    """Name what kind of unavailable the database is: "full" (its disk is: 507 Insufficient Storage), "read-only"
    (a read-only file or server: nothing can be written) or "unreachable" (refused, dropped, timed out, locked).

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

    psycopg raises SQLSTATE 25006 as an InternalError, which would be a 500; raised as an OperationalError it gets
    the same 503 (page or JSON) with Retry-After as an unreachable server. The connection is dropped from the pool:
    a new one (libpq multi-host URL with `target_session_attrs=read-write`) finds the primary that takes writes.
    The LRS's engine does the same (the two packages share no code).
    """
    original = context.original_exception
    if getattr(original, "sqlstate", None) != READ_ONLY_SQLSTATE or not isinstance(original, Exception):
        return None
    context.is_disconnect = True
    return OperationalError(context.statement, context.parameters, original)


def read_only_is_unavailable(engine: Engine) -> None:
    """Have `engine` raise a read-only server's refusal as an unavailable database (see _read_only_server)."""
    event.listen(engine, "handle_error", _read_only_server)


class UTCDateTime(TypeDecorator[datetime]):
    """Store aware UTC datetimes; SQLite drops the zone, so it is put back on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC datetime is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        """No processing on PostgreSQL: its columns are `timestamp with time zone` (a test holds every one to it),
        which psycopg returns aware already; a call per value saved (52 on the catalogue's rows)."""
        if dialect.name == "postgresql":
            return self.impl_instance.result_processor(dialect, coltype)
        return super().result_processor(dialect, coltype)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base, session_options={"class_": KeepingSession})  # learning/kept_connections.py


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime (the only kind the models accept)."""
    return datetime.now(UTC)


def upgrade_database(url: str) -> None:
    """Bring the LMS tables to the newest migration."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")
