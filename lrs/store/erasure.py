"""Hard deletion of statements, documents and attachment data: erasure of a person (GDPR art. 17) and retention.

xAPI itself only voids, and a voided statement stays stored; these functions remove rows for good, with every row
that points at them (agent, activity and StatementRef links, forwarding queue entries), in the caller's
transaction. Attachment data is shared by content hash, so it goes only when no remaining statement names it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, delete, select

from lrs.store.keys import index_key
from lrs.store.tables import (
    attachment,
    document,
    forward_queue,
    statement,
    statement_activity,
    statement_agent,
    statement_ref,
)

CHUNK = 500  # ids per IN list: well below every database's bound-parameter limit


def _chunks(values: Sequence[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield list(values[start : start + CHUNK])


def seqs_naming(conn: Connection, ifis: Iterable[str], texts: Iterable[str]) -> set[int]:
    """The statements whose link rows name one of these agent identities (actor, object, authority, instructor,
    team, group member, context agent, in a sub-statement too), or whose stored JSON contains one of these texts
    anywhere (an identifier in an extension or a result is still about the person).

    The text search reads every payload once: erasure is rare and must be complete, so a scan is the right price.
    """
    keys = sorted({index_key(ifi) for ifi in ifis})
    found: set[int] = set()
    for chunk in _chunks(keys):
        found.update(
            conn.execute(select(statement_agent.c.statement_seq).where(statement_agent.c.ifi.in_(chunk))).scalars()
        )
    for text in sorted({t for t in texts if t}):
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        found.update(
            conn.execute(select(statement.c.seq).where(statement.c.payload.like(pattern, escape="\\"))).scalars()
        )
    return found


def with_references(conn: Connection, seqs: set[int]) -> set[int]:
    """Add the statements that only point at these ones (StatementRef objects, voiding included), transitively:
    a statement "I liked statement X" about an erased statement is about the person as well."""
    result, frontier = set(seqs), set(seqs)
    while frontier:
        ids: list[str] = []
        for chunk in _chunks(sorted(frontier)):
            ids += conn.execute(select(statement.c.id).where(statement.c.seq.in_(chunk))).scalars().all()
        pointing: set[int] = set()
        for chunk in _chunks(ids):
            pointing.update(
                conn.execute(
                    select(statement_ref.c.statement_seq).where(statement_ref.c.target_id.in_(chunk))
                ).scalars()
            )
        frontier = pointing - result
        result |= frontier
    return result


def seqs_stored_before(conn: Connection, moment: datetime, limit: int) -> list[int]:
    """Up to `limit` of the oldest statements stored before `moment` (naive UTC), oldest first."""
    query = select(statement.c.seq).where(statement.c.stored < moment).order_by(statement.c.seq).limit(limit)
    return list(conn.execute(query).scalars())


def delete_statements(conn: Connection, seqs: Iterable[int]) -> tuple[int, set[str]]:
    """Delete these statements and every row that points at them; return how many went and their attachment hashes."""
    ordered = sorted(set(seqs))
    hashes: set[str] = set()
    deleted = 0
    for chunk in _chunks(ordered):
        for payload in conn.execute(select(statement.c.payload).where(statement.c.seq.in_(chunk))).scalars():
            hashes.update(_attachment_hashes(orjson.loads(payload)))
        for table in (forward_queue, statement_agent, statement_activity, statement_ref):
            conn.execute(delete(table).where(table.c.statement_seq.in_(chunk)))
        deleted += conn.execute(delete(statement).where(statement.c.seq.in_(chunk))).rowcount or 0
    return deleted, hashes


def delete_unused_attachments(conn: Connection, hashes: Iterable[str]) -> int:
    """Delete the data of these attachment hashes that no remaining statement names; return how many went."""
    gone = 0
    for sha2 in sorted(hashes):
        pattern = "%" + sha2.replace("%", "").replace("_", "\\_") + "%"
        still_used = conn.execute(
            select(statement.c.seq).where(statement.c.payload.like(pattern, escape="\\")).limit(1)
        )
        if still_used.first() is None:
            gone += conn.execute(delete(attachment).where(attachment.c.sha2 == sha2)).rowcount or 0
    return gone


def delete_agent_documents(conn: Connection, ifis: Iterable[str]) -> int:
    """Delete every State and Agent Profile document kept for these agent identities; return how many went."""
    keys = sorted(set(ifis))
    if not keys:
        return 0
    return conn.execute(delete(document).where(document.c.agent_ifi.in_(keys))).rowcount or 0


def _attachment_hashes(stmt: dict[str, object]) -> Iterable[str]:
    for item in stmt.get("attachments") or []:  # type: ignore[attr-defined]
        if isinstance(item, dict) and isinstance(item.get("sha2"), str):
            yield item["sha2"].lower()
    obj = stmt.get("object")
    if isinstance(obj, dict) and obj.get("objectType") == "SubStatement":
        yield from _attachment_hashes(obj)
