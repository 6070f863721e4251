"""Appending to the access log and verifying it.

An entry is written in its own short transaction on its own connection, before the page or export is sent: a read
that cannot be logged fails (no read goes unlogged), and whatever the request's session holds is neither committed
nor rolled back by the log. Appends must be serialised, or two writers would chain onto the same last row:
- PostgreSQL: `pg_advisory_xact_lock(APPEND_LOCK)` inside the transaction, before the last row is read; it is
  released at commit. Readers are not blocked.
- SQLite: `BEGIN IMMEDIATE` takes the database's write lock before the last row is read (a plain BEGIN would
  take it only at the INSERT, after another writer may have read the same last row); other writers wait up to
  the busy timeout.
The unique `prev_hash` backs both up: a forked chain cannot be stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, cast

from sqlalchemy import Connection, Table, func, insert, or_, select, update

from learning.audit.chain import GENESIS, REDACTED, Fields, Link, Verdict, row_hash, walk
from learning.audit.models import AccessLogEntry
from learning.db import db

APPEND_LOCK = 0x7674_6361_7564_6974  # "vtcaudit": the advisory lock key of appends (any constant, used only here)
LIMITS = {"actor": 100, "actor_role": 40, "action": 40, "subject": 300, "purpose": 100, "path": 500}
VERIFY_BATCH = 5_000
table = cast(Table, AccessLogEntry.__table__)
# Built once, not on every append: an append runs on every logged read (every /progress view).
_LOCK = select(func.pg_advisory_xact_lock(APPEND_LOCK))
_LAST = select(table.c.id, table.c.hash).order_by(table.c.id.desc()).limit(1)
_INSERT = insert(table)


def _fit(fields: Fields) -> Fields:
    """Cut over-long text to its column (an xAPI query can be long); the stored text is what gets hashed."""
    values = {name: _cut(getattr(fields, name), size) for name, size in LIMITS.items()}
    return Fields(at=fields.at, **values)


def _cut(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(_LOCK)
    elif conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def append(fields: Fields) -> int:
    """Chain one entry onto the log and commit it; return its id."""
    with db.engine.connect() as conn:
        _lock(conn)
        row_id = _chain(conn, fields)
        conn.commit()
    return row_id


def _chain(conn: Connection, fields: Fields) -> int:
    """Insert an entry after the newest one, hashed onto it; the caller holds the lock and commits."""
    fields = _fit(fields)
    last = conn.execute(_LAST).first()
    row_id, prev_hash = (last.id + 1, last.hash) if last else (1, GENESIS)
    conn.execute(
        _INSERT, {"id": row_id, **vars(fields), "prev_hash": prev_hash, "hash": row_hash(row_id, fields, prev_hash)}
    )
    return row_id


def _link(row: Any) -> Link:
    fields = Fields(row.at, row.actor, row.actor_role, row.action, row.subject, row.purpose, row.path)
    return Link(row.id, fields, row.prev_hash, row.hash)


def _links(conn: Connection, after: int = 0) -> Iterator[Link]:
    """Every row after id `after` in id order, read in batches by keyset so a long log is never held in memory."""
    while True:
        rows = conn.execute(select(table).where(table.c.id > after).order_by(table.c.id).limit(VERIFY_BATCH)).all()
        yield from (_link(row) for row in rows)
        if len(rows) < VERIFY_BATCH:
            return
        after = rows[-1].id


def verify() -> Verdict:
    """Walk the whole chain from the first row and report the first broken one."""
    with db.engine.connect() as conn:
        return walk(_links(conn))


def verify_newest(count: int) -> Verdict:
    """Walk only the newest `count` entries, from the stored row before them: what a page can afford on every view.

    Every xAPI read adds an entry, so the whole chain grows without bound (about 1.8 s per 100,000 entries on
    SQLite); `flask audit verify`, run from cron, checks it all. A short log is checked from its first entry.
    """
    with db.engine.connect() as conn:
        newest = conn.execute(select(func.max(table.c.id))).scalar() or 0
        before = conn.execute(
            select(table).where(table.c.id <= newest - count).order_by(table.c.id.desc()).limit(1)
        ).first()
        if before is None:
            return walk(_links(conn))
        return walk(_links(conn, before.id), after=_link(before))


def hash_of(row_id: int) -> str | None:
    """Return the stored hash of one row, or None when there is no such row."""
    with db.engine.connect() as conn:
        return conn.execute(select(table.c.hash).where(table.c.id == row_id)).scalar_one_or_none()


def redact_person(user_id: int, texts: Iterable[str], erasure: Fields) -> int:
    """Make every entry that names a person anonymous and append the erasure's own entry; return how many changed.

    The person is named as `user:<id>` (actor or subject) or by one of `texts` (xAPI account name, e-mail address)
    in a subject or path. Those fields become REDACTED; the rest of the row and its hashes stay, so the chain still
    verifies (chain.py). `erasure`'s subject gets "; <n> access-log entries made anonymous" appended, the count the
    verifier checks. Both happen under the append lock, so no entry about the person slips in between.
    """
    who = f"user:{user_id}"
    names = [t for t in texts if t]
    pattern = re.compile("|".join([rf"\b{re.escape(who)}\b", *(re.escape(t) for t in names)]))
    likes = [table.c.actor == who, table.c.subject.contains(who, autoescape=True)]
    likes += [column.contains(t, autoescape=True) for t in names for column in (table.c.subject, table.c.path)]
    with db.engine.connect() as conn:
        _lock(conn)
        changed = 0
        for row in conn.execute(select(table).where(or_(*likes))).all():
            values = _anonymous(row, who, pattern)
            if values:
                conn.execute(update(table).where(table.c.id == row.id).values(**values))
                changed += 1
        _chain(
            conn,
            Fields(**{**vars(erasure), "subject": f"{erasure.subject}; {changed} access-log entries made anonymous"}),
        )
        conn.commit()
    return changed


def _anonymous(row: Any, who: str, pattern: re.Pattern[str]) -> dict[str, str]:
    """The fields of a row to replace: its actor if that is the person; subject and path if they name them."""
    values = {}
    if row.actor == who:
        values["actor"] = REDACTED
    if pattern.search(row.subject):
        values["subject"] = values["path"] = REDACTED  # the path repeats the subject (/admin/.../people/12)
    elif pattern.search(row.path):
        values["path"] = REDACTED
    return values


ACCOUNT_MARK = "account:"  # how recording.summarise_query names an account agent it could not resolve to an account


def redact_pseudonyms(retired: Iterable[str], rotation: Fields) -> int:
    """Make anonymous every entry whose subject names an xAPI account by a retired pseudonym, and append the
    rotation's own entry declaring how many; return that number.

    Entries name our learners as `user:<id>` (recording.py), which a rotation leaves valid; only entries written
    before that, or naming a pseudonym no account had at the time, can hold one. Like an erasure, the fields
    become REDACTED and the chain still verifies.
    """
    names = set(retired)
    with db.engine.connect() as conn:
        _lock(conn)
        changed = 0
        rows = conn.execute(select(table.c.id, table.c.subject).where(table.c.subject.contains(ACCOUNT_MARK))).all()
        for row in rows:
            if names & set(re.findall(r"[A-Za-z0-9-]+", row.subject)):
                conn.execute(update(table).where(table.c.id == row.id).values(subject=REDACTED, path=REDACTED))
                changed += 1
        _chain(
            conn,
            Fields(**{**vars(rotation), "subject": f"{rotation.subject}; {changed} access-log entries made anonymous"}),
        )
        conn.commit()
    return changed
