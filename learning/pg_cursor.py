"""The cursor of the LMS's PostgreSQL connections: a result's column description is built only when it is read.

Why: psycopg builds `cursor.description` anew each time it is read, a `Column` object per column that looks up
its type, and SQLAlchemy reads it after every SELECT only to learn that rows came back: from a statement's second
run on, it describes the rows from what it kept of the first (the compiled statement's result metadata) and never
looks at the columns. That was ~26 us of the worker's CPU for the account's 20 columns and ~63 us for the 47 of an
answer's joined read, on every request (timeit; docs/performance.md, sixth round). SQLite's driver describes a
result once, in C.

How: `description` returns a sequence of psycopg's own `Column` objects, made the first time anything in it is
read, from the result it was asked about (not whatever the cursor holds by then, so it may be read later too).
`install` makes it the cursor of each new connection of an engine (a pool "connect" listener).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

from psycopg import Column, Cursor, pq
from sqlalchemy import Engine, event

_ROWS = (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.SINGLE_TUPLE, pq.ExecStatus.TUPLES_CHUNK)
"""Results that describe columns even when they have none (psycopg's rule: `SELECT ;` has a description)."""


class _OneResult:
    """What psycopg's `Column` reads of a cursor, held at one result: the result itself, and the cursor's text
    encoding and type registry (which do not change from one result to the next)."""

    __slots__ = ("_cursor", "pgresult")

    def __init__(self, cursor: Cursor[Any], result: pq.abc.PGresult) -> None:
        self._cursor = cursor
        self.pgresult = result

    @property
    def _encoding(self) -> str:
        return self._cursor._encoding

    @property
    def adapters(self) -> Any:
        return self._cursor.adapters


class Description(Sequence[Column]):
    """A result's columns, as psycopg describes them, made on first use."""

    __slots__ = ("_columns", "_of")

    def __init__(self, cursor: Cursor[Any], result: pq.abc.PGresult) -> None:
        self._of = _OneResult(cursor, result)
        self._columns: list[Column] | None = None

    def _made(self) -> list[Column]:
        if self._columns is None:
            of = self._of
            self._columns = [Column(of, index) for index in range(of.pgresult.nfields)]  # type: ignore[arg-type]
        return self._columns

    def __len__(self) -> int:
        return self._of.pgresult.nfields

    @overload
    def __getitem__(self, index: int) -> Column: ...
    @overload
    def __getitem__(self, index: slice) -> list[Column]: ...
    def __getitem__(self, index: int | slice) -> Column | list[Column]:
        return self._made()[index]

    def __iter__(self) -> Iterator[Column]:
        return iter(self._made())

    def __eq__(self, other: object) -> bool:
        return list(self) == (list(other) if isinstance(other, Description) else other)

    def __hash__(self) -> int:  # a list is not hashable, nor is this
        raise TypeError("unhashable type: 'Description'")

    def __repr__(self) -> str:
        return repr(self._made())


class DescribedOnUse(Cursor[Any]):
    """psycopg's cursor, whose `description` makes its columns only when they are read."""

    __slots__ = ()

    @property
    def description(self) -> Description | None:  # type: ignore[override]
        result = self.pgresult
        if result and (result.nfields or result.status in _ROWS):
            return Description(self, result)
        return None


def _use_on(dbapi_connection: Any, _record: Any) -> None:
    """Only in place of psycopg's own cursor: a cursor chosen in the engine's options (e.g. a ClientCursor behind
    PgBouncer) is kept."""
    if dbapi_connection.cursor_factory is Cursor:
        dbapi_connection.cursor_factory = DescribedOnUse


def install(engine: Engine) -> None:
    """Give each new connection of a PostgreSQL `engine` this cursor (existing ones keep psycopg's own)."""
    if engine.dialect.name == "postgresql" and not event.contains(engine, "connect", _use_on):
        event.listen(engine, "connect", _use_on)
