"""The forwarding queue: one row per statement and target, written in the transaction that stores the statement.

Because the row commits (or rolls back) with the statement, nothing stored is left unsent and nothing is sent
that was not stored. Rows leave the queue when the target has the statement; a statement the target keeps
rejecting is dead-lettered (kept, flagged, skipped) until an administrator retries it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, literal, select, update

from lrs.store.tables import forward_queue, forward_target, statement

ID_CHUNK = 500  # ids per INSERT … SELECT: far below every engine's bound-parameter limit


@dataclass(frozen=True)
class QueuedStatement:
    seq: int
    payload: str
    attempts: int


@dataclass(frozen=True)
class QueueSummary:
    queued: int
    dead: int
    oldest_stored: datetime | None
    last_error: str | None


def enqueue_statements(conn: Connection, credential_key: str | None, ids: Sequence[str], now: datetime) -> int:
    """Queue the just-stored statements for the credential's active target; return how many rows were queued."""
    if credential_key is None or not ids:
        return 0
    target_id = conn.execute(
        select(forward_target.c.id).where(
            forward_target.c.credential_key == credential_key, forward_target.c.active.is_(True)
        )
    ).scalar_one_or_none()
    if target_id is None:
        return 0
    columns = ["target_id", "statement_seq", "attempts", "next_attempt_at"]
    queued = 0
    for start in range(0, len(ids), ID_CHUNK):
        rows = select(literal(target_id), statement.c.seq, literal(0), literal(now)).where(
            statement.c.id.in_(ids[start : start + ID_CHUNK])
        )
        queued += conn.execute(insert(forward_queue).from_select(columns, rows)).rowcount
    return queued


def due_statements(
    conn: Connection, target_id: int, after_seq: int, now: datetime, limit: int
) -> list[QueuedStatement]:
    """Return the next statements to send to a target after after_seq, in stored order."""
    query = (
        select(statement.c.seq, statement.c.payload, forward_queue.c.attempts)
        .join(statement, statement.c.seq == forward_queue.c.statement_seq)
        .where(
            forward_queue.c.target_id == target_id,
            forward_queue.c.statement_seq > after_seq,
            forward_queue.c.dead_at.is_(None),
            forward_queue.c.next_attempt_at <= now,
        )
        .order_by(forward_queue.c.statement_seq)
        .limit(limit)
    )
    return [QueuedStatement(row.seq, row.payload, row.attempts) for row in conn.execute(query)]


def remove_delivered(conn: Connection, target_id: int, seqs: Sequence[int]) -> None:
    """Drop the rows of statements the target now has."""
    if seqs:
        conn.execute(
            delete(forward_queue).where(forward_queue.c.target_id == target_id, forward_queue.c.statement_seq.in_(seqs))
        )


def note_error(conn: Connection, target_id: int, seqs: Sequence[int], error: str) -> None:
    """Show on the rows why their last send failed, without counting it against the statements."""
    if seqs:
        conn.execute(
            update(forward_queue)
            .where(forward_queue.c.target_id == target_id, forward_queue.c.statement_seq.in_(seqs))
            .values(last_error=error[:2000])
        )


def reject_statement(
    conn: Connection, target_id: int, seq: int, error: str, retry_at: datetime, dead_at: datetime | None
) -> None:
    """Count a rejection of one statement: back off until retry_at, or dead-letter it when dead_at is given."""
    conn.execute(
        update(forward_queue)
        .where(forward_queue.c.target_id == target_id, forward_queue.c.statement_seq == seq)
        .values(attempts=forward_queue.c.attempts + 1, next_attempt_at=retry_at, last_error=error[:2000],
                dead_at=dead_at)
    )  # fmt: skip


def retry_soon(conn: Connection, target_id: int, now: datetime) -> None:
    """End the back-off of rejected statements (not dead-lettered ones): the target's settings just changed."""
    conn.execute(
        update(forward_queue)
        .where(forward_queue.c.target_id == target_id, forward_queue.c.dead_at.is_(None))
        .values(next_attempt_at=now)
    )


def revive_dead(conn: Connection, target_id: int, now: datetime) -> int:
    """Put dead-lettered statements back in line with a fresh attempt count; return how many."""
    result = conn.execute(
        update(forward_queue)
        .where(forward_queue.c.target_id == target_id, forward_queue.c.dead_at.is_not(None))
        .values(dead_at=None, attempts=0, next_attempt_at=now)
    )
    return result.rowcount


def summarise_queue(conn: Connection) -> dict[int, QueueSummary]:
    """Return per target: queued and dead-lettered counts, the oldest waiting statement, the newest row error."""
    is_dead = forward_queue.c.dead_at.is_not(None)
    counts = (
        select(
            forward_queue.c.target_id,
            func.count().filter(~is_dead).label("queued"),
            func.count().filter(is_dead).label("dead"),
            func.min(statement.c.stored).filter(~is_dead).label("oldest"),
        )
        .join(statement, statement.c.seq == forward_queue.c.statement_seq)
        .group_by(forward_queue.c.target_id)
    )
    newest = (
        select(forward_queue.c.target_id, func.max(forward_queue.c.statement_seq).label("seq"))
        .where(forward_queue.c.last_error.is_not(None))
        .group_by(forward_queue.c.target_id)
        .subquery()
    )
    errors = select(forward_queue.c.target_id, forward_queue.c.last_error).join(
        newest, (newest.c.target_id == forward_queue.c.target_id) & (newest.c.seq == forward_queue.c.statement_seq)
    )
    last_errors = {row.target_id: row.last_error for row in conn.execute(errors)}
    return {
        row.target_id: QueueSummary(row.queued, row.dead, row.oldest, last_errors.get(row.target_id))
        for row in conn.execute(counts)
    }
