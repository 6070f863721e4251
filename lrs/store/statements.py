"""Statement persistence: one verbatim row each, link rows for agent and activity filters, keyset paging."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, Select, insert, select, update

from lrs.store.tables import ACTOR, OBJECT, statement, statement_activity, statement_agent
from lrs.xapi.params import StatementQuery


@dataclass
class StatementRow:
    """A validated statement ready to store, with the values its filters need."""

    id: str
    stored: datetime
    timestamp: datetime
    verb_id: str
    object_activity_id: str | None
    registration: str | None
    voids: str | None
    payload: str
    agents: set[tuple[str, int]] = field(default_factory=set)
    activities: set[tuple[str, int]] = field(default_factory=set)


def insert_statements(conn: Connection, rows: Sequence[StatementRow]) -> None:
    """Insert statements and their link rows in the caller's transaction."""
    if not rows:
        return
    values = [
        {
            "id": r.id,
            "stored": r.stored,
            "timestamp": r.timestamp,
            "verb_id": r.verb_id,
            "object_activity_id": r.object_activity_id,
            "registration": r.registration,
            "voided": False,
            "voids": r.voids,
            "payload": r.payload,
        }
        for r in rows
    ]
    seqs = conn.execute(insert(statement).returning(statement.c.seq, sort_by_parameter_order=True), values).scalars()
    agent_links, activity_links = [], []
    for seq, row in zip(seqs, rows, strict=True):
        agent_links += [{"statement_seq": seq, "ifi": ifi, "relation": rel} for ifi, rel in row.agents]
        activity_links += [{"statement_seq": seq, "activity_id": a, "relation": rel} for a, rel in row.activities]
    if agent_links:
        conn.execute(insert(statement_agent), agent_links)
    if activity_links:
        conn.execute(insert(statement_activity), activity_links)


def find_payloads(conn: Connection, ids: Iterable[str]) -> dict[str, str]:
    """Return the stored payloads of those ids that exist."""
    ids = list(ids)
    found: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = conn.execute(select(statement.c.id, statement.c.payload).where(statement.c.id.in_(chunk)))
        found.update((row.id, row.payload) for row in rows)
    return found


def voiding_targets(conn: Connection, ids: Iterable[str]) -> dict[str, str | None]:
    """Return, for each existing id, the id it voids (None when it is not a voiding statement)."""
    rows = conn.execute(select(statement.c.id, statement.c.voids).where(statement.c.id.in_(list(ids)))).all()
    return {row.id: row.voids for row in rows}


def mark_voided(conn: Connection, ids: Iterable[str]) -> None:
    """Hide statements from queries; they stay retrievable by voidedStatementId."""
    conn.execute(update(statement).where(statement.c.id.in_(list(ids))).values(voided=True))


def get_payload(conn: Connection, statement_id: str, *, voided: bool) -> str | None:
    """Return one statement by id: a voided one only when asked for by voidedStatementId."""
    row = conn.execute(
        select(statement.c.payload).where(statement.c.id == statement_id, statement.c.voided.is_(voided))
    ).first()
    return row.payload if row is not None else None


def _filtered(query: StatementQuery) -> Select[tuple[int, str]]:
    sel = select(statement.c.seq, statement.c.payload).where(statement.c.voided.is_(False))
    if query.verb is not None:
        sel = sel.where(statement.c.verb_id == query.verb)
    if query.registration is not None:
        sel = sel.where(statement.c.registration == query.registration)
    if query.since is not None:
        sel = sel.where(statement.c.stored > query.since.replace(tzinfo=None))
    if query.until is not None:
        sel = sel.where(statement.c.stored <= query.until.replace(tzinfo=None))
    if query.agent_ifi is not None:
        links = select(statement_agent.c.statement_seq).where(statement_agent.c.ifi == query.agent_ifi)
        if not query.related_agents:
            links = links.where(statement_agent.c.relation.in_((ACTOR, OBJECT)))
        sel = sel.where(statement.c.seq.in_(links))
    if query.activity is not None:
        if query.related_activities:
            links = select(statement_activity.c.statement_seq).where(statement_activity.c.activity_id == query.activity)
            sel = sel.where(statement.c.seq.in_(links))
        else:
            sel = sel.where(statement.c.object_activity_id == query.activity)
    return sel


def query_statements(conn: Connection, query: StatementQuery, after_seq: int | None) -> tuple[list[str], int | None]:
    """Return one page of payloads in stored order and the cursor of the next page (None: no more).

    Keyset paging on the insertion sequence keeps pages stable while new statements arrive.
    """
    sel = _filtered(query)
    if after_seq is not None:
        sel = sel.where(statement.c.seq > after_seq if query.ascending else statement.c.seq < after_seq)
    order = statement.c.seq.asc() if query.ascending else statement.c.seq.desc()
    rows = conn.execute(sel.order_by(order).limit(query.limit + 1)).all()
    page = rows[: query.limit]
    more = page[-1].seq if len(rows) > query.limit else None
    return [row.payload for row in page], more
