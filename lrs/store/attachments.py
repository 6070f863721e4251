"""Attachment data: stored once per content hash, fetched for GET statements?attachments=true."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select

from lrs.store.tables import attachment
from lrs.xapi.multipart import Attachment


def store_attachments(conn: Connection, parts: Iterable[Attachment]) -> None:
    """Keep each part's bytes unless that hash is already stored (same hash, same bytes)."""
    wanted = {part.sha2: part for part in parts}
    if not wanted:
        return
    known = set(conn.execute(select(attachment.c.sha2).where(attachment.c.sha2.in_(list(wanted)))).scalars())
    now = datetime.now(UTC).replace(tzinfo=None)
    fresh = [
        {"sha2": p.sha2, "content_type": p.content_type, "content": p.content, "stored": now}
        for sha2, p in wanted.items()
        if sha2 not in known
    ]
    if fresh:
        conn.execute(insert(attachment), fresh)


def load_attachments(conn: Connection, hashes: Iterable[str]) -> list[Attachment]:
    """Return the stored parts for these hashes (those sent only as a fileUrl have none)."""
    wanted = sorted(set(hashes))
    if not wanted:
        return []
    rows = conn.execute(
        select(attachment.c.sha2, attachment.c.content_type, attachment.c.content).where(attachment.c.sha2.in_(wanted))
    )
    return [Attachment(row.sha2, row.content_type, bytes(row.content)) for row in rows]
