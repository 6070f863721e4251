"""Statement persistence: one verbatim row each, link rows for agent and activity filters, keyset paging."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, FromClause, Select, insert, select, union, update

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
    ref_target: str | None
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
            "ref_target": r.ref_target,
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


def find_verbs(conn: Connection, ids: Iterable[str]) -> dict[str, str]:
    """Return the verb of each existing statement id (voiding rules need to know which are voiding)."""
    rows = conn.execute(select(statement.c.id, statement.c.verb_id).where(statement.c.id.in_(list(ids)))).all()
    return {row.id: row.verb_id for row in rows}


def mark_voided(conn: Connection, ids: Iterable[str]) -> None:
    """Hide statements from queries; they stay retrievable by voidedStatementId."""
    conn.execute(update(statement).where(statement.c.id.in_(list(ids))).values(voided=True))


def get_payload(conn: Connection, statement_id: str, *, voided: bool) -> str | None:
    """Return one statement by id: a voided one only when asked for by voidedStatementId."""
    row = conn.execute(
        select(statement.c.payload).where(statement.c.id == statement_id, statement.c.voided.is_(voided))
    ).first()
    return row.payload if row is not None else None


def _matching(table: FromClause, query: StatementQuery) -> list[ColumnElement[bool]]:
    """The conditions a statement itself must meet (not the time window, which applies to the referrer)."""
    conditions: list[ColumnElement[bool]] = []
    if query.verb is not None:
        conditions.append(table.c.verb_id == query.verb)
    if query.registration is not None:
        conditions.append(table.c.registration == query.registration)
    if query.agent_ifi is not None:
        links = select(statement_agent.c.statement_seq).where(statement_agent.c.ifi == query.agent_ifi)
        if not query.related_agents:
            links = links.where(statement_agent.c.relation.in_((ACTOR, OBJECT)))
        conditions.append(table.c.seq.in_(links))
    if query.activity is not None:
        if query.related_activities:
            links = select(statement_activity.c.statement_seq).where(statement_activity.c.activity_id == query.activity)
            conditions.append(table.c.seq.in_(links))
        else:
            conditions.append(table.c.object_activity_id == query.activity)
    return conditions


def _window(query: StatementQuery, after_seq: int | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [statement.c.voided.is_(False)]
    if query.since is not None:
        conditions.append(statement.c.stored > query.since.replace(tzinfo=None))
    if query.until is not None:
        conditions.append(statement.c.stored <= query.until.replace(tzinfo=None))
    if after_seq is not None:
        conditions.append(statement.c.seq > after_seq if query.ascending else statement.c.seq < after_seq)
    return conditions


def _top(sel: Select[tuple[int, str]], query: StatementQuery) -> Select[tuple[int, str]]:
    order = statement.c.seq.asc() if query.ascending else statement.c.seq.desc()
    return sel.order_by(order).limit(query.limit + 1)


def query_statements(conn: Connection, query: StatementQuery, after_seq: int | None) -> tuple[list[str], int | None]:
    """Return one page of payloads in stored order and the cursor of the next page (None: no more).

    A statement also matches when its StatementRef targets a matching statement, voided or not (xAPI
    Communication 2.1.3, "Filter Conditions for StatementRefs"); the time window and paging apply to the
    referring statement. Each arm is cut to one page before the union, so a broad filter stays an index scan.
    Keyset paging on the insertion sequence keeps pages stable while new statements arrive.
    """
    columns = (statement.c.seq, statement.c.payload)
    own = _matching(statement, query)
    direct = _top(select(*columns).where(*_window(query, after_seq), *own), query)
    if own:
        target = statement.alias("target")
        referring = _top(
            select(*columns)
            .join(target, statement.c.ref_target == target.c.id)
            .where(*_window(query, after_seq), *_matching(target, query)),
            query,
        )
        both = union(select(direct.subquery()), select(referring.subquery())).subquery()
        order = both.c.seq.asc() if query.ascending else both.c.seq.desc()
        final = select(both.c.seq, both.c.payload).order_by(order).limit(query.limit + 1)
        rows = [(row.seq, row.payload) for row in conn.execute(final)]
    else:
        rows = [(row.seq, row.payload) for row in conn.execute(direct)]
    page = rows[: query.limit]
    more = page[-1][0] if len(rows) > query.limit else None
    return [payload for _seq, payload in page], more
