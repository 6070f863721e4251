"""Write the big demo tables in chunks: one executemany and one commit per chunk keeps memory and the SQLite
write-ahead log bounded, whatever the scale."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, insert

from learning.db import db

CHUNK = 10_000


class ChunkedInsert:
    """Collect rows for one table and insert them `CHUNK` at a time with SQLAlchemy Core."""

    def __init__(self, table: Table, chunk: int = CHUNK) -> None:
        self.table, self.chunk = table, chunk
        self.rows: list[dict[str, Any]] = []
        self.written = 0

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.chunk:
            self.flush()

    def extend(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            self.add(row)

    def flush(self) -> None:
        """Insert what is collected and commit it."""
        if self.rows:
            db.session.execute(insert(self.table), self.rows)
            db.session.commit()
            self.written += len(self.rows)
            self.rows = []


def insert_all(target: Any, rows: list[dict[str, Any]]) -> None:
    """Insert a few thousand rows in one executemany (nothing at all for none)."""
    if rows:
        db.session.execute(insert(target), rows)


def insert_returning_ids(table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows in one statement per chunk and return their new ids in the order given."""
    ids: list[int] = []
    for offset in range(0, len(rows), CHUNK):
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        ids.extend(db.session.scalars(statement, rows[offset : offset + CHUNK]))
    return ids
