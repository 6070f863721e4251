"""The LRS's own engine, made from LRS_DATABASE_URI, and its migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

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
    return "full" if state == "53100" else "unreachable"  # 53100: disk_full


def make_engine(url: str) -> Engine:
    """Return an engine for the LRS database."""
    engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def upgrade_database(url: str) -> None:
    """Bring the `lrs_` tables to the newest migration."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")
