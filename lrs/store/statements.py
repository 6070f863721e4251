"""Statement persistence: one verbatim row each, link rows for agent and activity filters, keyset paging."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, FromClause, Select, func, insert, select, update
from sqlalchemy.ext.compiler import compiles

from lrs.store.keys import index_key, optional_key
from lrs.store.tables import OBJECT, RELATED, statement, statement_activity, statement_agent, statement_ref
from lrs.xapi.params import StatementQuery

STORED_SLACK = timedelta(seconds=60)
"""A batch gets its `stored` time just before it is inserted, so seq and stored order agree except among
statements stored within moments of each other. since/until therefore also bound the seq range (exactly, with
this much slack), which turns a time window into a short index range instead of a scan from the newest row."""


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
    stored_by: str | None = None  # the key of the credential that stored it, for statements/read/mine
    tenants: set[str] = field(default_factory=set)  # the tenant homePages that may read it (see tenant_link)
    tenant_links: set[str] = field(default_factory=set)  # tenant link keys taken over from elsewhere (a void's target)


CREDENTIAL_LINK = "credential:"
TENANT_LINK = "tenant:"


def stored_by_link(credential_key: str) -> str:
    """The agent-link key that marks a statement as stored with this credential.

    statements/read/mine asks for the statements whose authority is the client's own credential. The authority
    agent's own link cannot tell that: its row merges with the actor's when a client writes as itself, and its
    homePage follows the Host header. This key names the credential exactly, and no IFI starts with it, so
    the restriction walks one range of the agent-link primary key like an agent filter does.
    """
    return CREDENTIAL_LINK + credential_key


def tenant_link(home_page: str) -> str:
    """The agent-link key that lets credentials of the tenant `home_page` read a statement.

    A statement belongs to the tenant of its actor's account homePage and, when a tenant's credential stored it,
    to that tenant too. Reading as a tenant then walks one range of the agent-link primary key, newest first,
    exactly like an agent filter: no scan, however many statements other tenants have. Like the credential
    link, no IFI starts with this prefix.
    """
    return index_key(TENANT_LINK + home_page)


def _closest(links: set[tuple[str, int]]) -> dict[str, int]:
    """One link per key, with its closest relation: ACTOR/OBJECT rows also satisfy the broader filters."""
    closest: dict[str, int] = {}
    for value, relation in links:
        key = index_key(value)
        closest[key] = min(relation, closest.get(key, relation))
    return closest


def _agent_links_of(row: StatementRow) -> dict[str, int]:
    links = _closest(row.agents)
    if row.stored_by is not None:
        links[stored_by_link(row.stored_by)] = RELATED
    for home in row.tenants:
        links[tenant_link(home)] = RELATED
    for key in row.tenant_links:
        links[key] = RELATED
    return links


def insert_statements(conn: Connection, rows: Sequence[StatementRow]) -> None:
    """Insert statements and their link rows in the caller's transaction."""
    if not rows:
        return
    values = [
        {
            "id": r.id,
            "stored": r.stored,
            "timestamp": r.timestamp,
            "verb_id": index_key(r.verb_id),
            "object_activity_id": optional_key(r.object_activity_id),
            "registration": r.registration,
            "voided": False,
            "ref_target": r.ref_target,
            "payload": r.payload,
        }
        for r in rows
    ]
    seqs = conn.execute(insert(statement).returning(statement.c.seq, sort_by_parameter_order=True), values).scalars()
    agent_links, activity_links, refs = [], [], []
    for seq, row in zip(seqs, rows, strict=True):
        if row.ref_target is not None:
            refs.append({"statement_seq": seq, "target_id": row.ref_target})
        agent_links += [{"statement_seq": seq, "ifi": k, "relation": r} for k, r in _agent_links_of(row).items()]
        activity_links += [
            {"statement_seq": seq, "activity_id": k, "relation": r} for k, r in _closest(row.activities).items()
        ]
    if agent_links:
        conn.execute(insert(statement_agent), agent_links)
    if activity_links:
        conn.execute(insert(statement_activity), activity_links)
    if refs:
        conn.execute(insert(statement_ref), refs)


def find_payloads(conn: Connection, ids: Iterable[str]) -> dict[str, str]:
    """Return the stored payloads of those ids that exist."""
    ids = list(ids)
    found: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = conn.execute(select(statement.c.id, statement.c.payload).where(statement.c.id.in_(chunk)))
        found.update((row.id, row.payload) for row in rows)
    return found


def find_verbs(conn: Connection, ids: Iterable[str]) -> dict[str, tuple[str, str | None]]:
    """Return (verb, storing credential key) of each existing statement id: voiding rules need to know which
    statements are voiding ones, and who stored each (None: the LMS's own in-process sink)."""
    owner = statement_agent.c.ifi.startswith(CREDENTIAL_LINK, autoescape=True)
    query = (
        select(statement.c.id, statement.c.verb_id, statement_agent.c.ifi)
        .outerjoin(statement_agent, (statement_agent.c.statement_seq == statement.c.seq) & owner)
        .where(statement.c.id.in_(list(ids)))
    )
    return {
        row.id: (row.verb_id, row.ifi.removeprefix(CREDENTIAL_LINK) if row.ifi else None)
        for row in conn.execute(query).all()
    }


def find_tenant_links(conn: Connection, ids: Iterable[str]) -> dict[str, set[str]]:
    """Return the tenant link keys of each existing statement id (empty set: in no tenant).

    A tenant homePage longer than an index key is stored hashed and is not found here; an organisation's
    homePage is about 70 characters, so only a foreign one that long is missed.
    """
    tenant = statement_agent.c.ifi.startswith(TENANT_LINK, autoescape=True)
    query = (
        select(statement.c.id, statement_agent.c.ifi)
        .outerjoin(statement_agent, (statement_agent.c.statement_seq == statement.c.seq) & tenant)
        .where(statement.c.id.in_(list(ids)))
    )
    found: dict[str, set[str]] = {}
    for row in conn.execute(query).all():
        links = found.setdefault(row.id, set())
        if row.ifi is not None:
            links.add(row.ifi)
    return found


def mark_voided(conn: Connection, ids: Iterable[str]) -> None:
    """Hide statements from queries; they stay retrievable by voidedStatementId."""
    conn.execute(update(statement).where(statement.c.id.in_(list(ids))).values(voided=True))


def get_payload(
    conn: Connection, statement_id: str, *, voided: bool, stored_by: str | None = None, tenant: str | None = None
) -> str | None:
    """Return one statement by id: a voided one only when asked for by voidedStatementId.

    With `stored_by`, only if that credential stored it: to statements/read/mine another's statement is absent.
    With `tenant`, only if it belongs to that tenant: to another organisation's credential it is absent too.
    """
    readable = _own(stored_by, statement.c.seq) + _in_tenant(tenant, statement.c.seq)
    row = conn.execute(
        select(statement.c.payload).where(statement.c.id == statement_id, statement.c.voided.is_(voided), *readable)
    ).first()
    return row.payload if row is not None else None


def _own(stored_by: str | None, seq: ColumnElement[int]) -> list[ColumnElement[bool]]:
    """The condition that the credential `stored_by` stored the statement with this seq; none when None."""
    return [] if stored_by is None else [_linked(_stored_by_links(stored_by), seq)]


def _readable(query: StatementQuery, seq: ColumnElement[int]) -> list[ColumnElement[bool]]:
    """What the reading credential's own restrictions (read/mine, tenant) require of the statement with this seq."""
    return _own(query.stored_by, seq) + _in_tenant(query.tenant, seq)


def _in_tenant(tenant: str | None, seq: ColumnElement[int]) -> list[ColumnElement[bool]]:
    """The condition that the statement with this seq belongs to the tenant; none when None (regional read)."""
    return [] if tenant is None else [_linked(_tenant_links(tenant), seq)]


def _target_conditions(table: FromClause, query: StatementQuery) -> list[ColumnElement[bool]]:
    """What a statement must meet to match the filters (agent, verb, activity, registration), by subqueries.

    Used for StatementRef targets, which are few, so the subqueries are only probed, never scanned.
    """
    conditions: list[ColumnElement[bool]] = _column_conditions(table, query)
    conditions += [_linked(links, table.c.seq) for links in _link_filters(query)]
    return conditions


def _column_conditions(table: FromClause, query: StatementQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.verb is not None:
        conditions.append(table.c.verb_id == index_key(query.verb))
    if query.registration is not None:
        conditions.append(table.c.registration == query.registration)
    if query.activity is not None and not query.related_activities:
        conditions.append(table.c.object_activity_id == index_key(query.activity))
    return conditions


def _agent_links(query: StatementQuery) -> Select[Any]:
    links = select(statement_agent).where(statement_agent.c.ifi == index_key(query.agent_ifi or ""))
    if not query.related_agents:
        links = links.where(statement_agent.c.relation <= OBJECT)
    return links


def _window(query: StatementQuery, after_seq: int | None, seq: ColumnElement[int]) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [statement.c.voided.is_(False)]
    if query.since is not None:
        since = query.since.replace(tzinfo=None)
        conditions += [_unindexed(statement.c.stored) > since, seq > _seq_before(_shifted(since, -STORED_SLACK))]
    if query.until is not None:
        until = query.until.replace(tzinfo=None)
        conditions += [_unindexed(statement.c.stored) <= until, seq < _seq_after(_shifted(until, STORED_SLACK))]
    if after_seq is not None:
        conditions.append(seq > after_seq if query.ascending else seq < after_seq)
    return conditions


def _shifted(moment: datetime, delta: timedelta) -> datetime:
    """Return moment + delta, clamped to the years datetime can hold: since=0001-01-01 or until=9999-12-31 are
    valid queries (everything after / before), not an OverflowError."""
    try:
        return moment + delta
    except OverflowError:
        return datetime.min if delta < timedelta(0) else datetime.max


class _Unindexed(ColumnElement[datetime]):
    """A column the planner should filter on but not drive the query by (SQLite has no statistics)."""

    inherit_cache = True

    def __init__(self, column: ColumnElement[datetime]) -> None:
        self.column = column
        self.type = column.type


@compiles(_Unindexed)
def _compile_unindexed(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.column, **kw))


@compiles(_Unindexed, "sqlite")
def _compile_unindexed_sqlite(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    # SQLite's documented way to keep a term from using an index: a unary plus (the value is unchanged).
    return "+" + str(compiler.process(element.column, **kw))


@compiles(_Unindexed, "postgresql")
def _compile_unindexed_postgresql(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    # An expression instead of the bare column: the planner then walks the seq range (bounded by the initplans
    # of _seq_before/_seq_after) newest first instead of sorting a whole window found through `stored`.
    return "(" + str(compiler.process(element.column, **kw)) + " + INTERVAL '0 seconds')"


def _unindexed(column: ColumnElement[datetime]) -> ColumnElement[datetime]:
    return _Unindexed(column)


def _seq_before(moment: datetime) -> ColumnElement[int]:
    """The last seq stored at or before `moment` (0 if none): one probe of the stored index."""
    last = select(statement.c.seq).where(statement.c.stored <= moment).order_by(statement.c.stored.desc()).limit(1)
    return func.coalesce(last.scalar_subquery(), 0)


def _seq_after(moment: datetime) -> ColumnElement[int]:
    """The first seq stored after `moment` (beyond every seq if none): one probe of the stored index."""
    first = select(statement.c.seq).where(statement.c.stored > moment).order_by(statement.c.stored.asc()).limit(1)
    return func.coalesce(first.scalar_subquery(), 2**62)


def _direct(query: StatementQuery, after_seq: int | None, limit: int) -> Select[Any]:
    """The statements that match themselves, driven by the most selective index.

    An agent filter walks that agent's link rows (ordered by seq), else a related-activity filter the activity's,
    else statements/read/mine the credential's; the other link filters are probed per row. A tenant's links drive
    only when nothing else narrows the query: a tenant is a large share of the region (an organisation's
    learners), so a verb, activity or registration index finds a page of its statements sooner than walking all
    of the tenant's. Without any, the statement table's own indexes serve. Ordering by the driving table's seq
    lets the database stop after one page instead of collecting every match first.
    """
    columns = (statement.c.seq, statement.c.payload)
    links = _link_filters(query)
    seq: ColumnElement[int]
    if query.tenant is not None and len(links) == 1 and _column_conditions(statement, query):
        # probe the tenant per row of the column index instead
        sel, seq = select(*columns).where(*_in_tenant(query.tenant, statement.c.seq)), statement.c.seq
    elif links:
        driver = links[0].subquery()
        seq = driver.c.statement_seq
        sel = select(*columns).select_from(driver.join(statement, statement.c.seq == seq))
        sel = sel.where(*(_linked(link, statement.c.seq) for link in links[1:]))
    else:
        sel, seq = select(*columns), statement.c.seq
    sel = sel.where(*_window(query, after_seq, seq), *_column_conditions(statement, query))
    return sel.order_by(seq.asc() if query.ascending else seq.desc()).limit(limit)


def _link_filters(query: StatementQuery) -> list[Select[Any]]:
    """The link rows the query restricts to, the one to drive by first."""
    links = []
    if query.agent_ifi is not None:
        links.append(_agent_links(query))
    if query.activity is not None and query.related_activities:
        links.append(select(statement_activity).where(statement_activity.c.activity_id == index_key(query.activity)))
    if query.stored_by is not None:
        links.append(_stored_by_links(query.stored_by))
    if query.tenant is not None:
        links.append(_tenant_links(query.tenant))
    return links


def _stored_by_links(credential_key: str) -> Select[Any]:
    return select(statement_agent).where(statement_agent.c.ifi == stored_by_link(credential_key))


def _tenant_links(home_page: str) -> Select[Any]:
    return select(statement_agent).where(statement_agent.c.ifi == tenant_link(home_page))


def _linked(links: Select[Any], seq: ColumnElement[int]) -> ColumnElement[bool]:
    """Whether the statement with this seq has one of these link rows: one primary-key probe."""
    return links.where(links.selected_columns.statement_seq == seq).exists()


def _has_filters(query: StatementQuery) -> bool:
    return any(v is not None for v in (query.agent_ifi, query.verb, query.activity, query.registration))


def _referring(conn: Connection, query: StatementQuery, after_seq: int | None, limit: int) -> list[tuple[int, str]]:
    """Statements whose StatementRef targets a matching statement (voided or not): xAPI Communication 2.1.3.

    Referring statements are rare (voiding, comments on a statement), so they are walked in pages of their own
    small table and their targets checked in one probe per page.
    """
    found: list[tuple[int, str]] = []
    cursor = after_seq
    ref_seq = statement_ref.c.statement_seq
    order = ref_seq.asc() if query.ascending else ref_seq.desc()
    while len(found) < limit:
        page = conn.execute(
            select(ref_seq, statement.c.payload, statement_ref.c.target_id)
            .select_from(statement_ref.join(statement, statement.c.seq == ref_seq))
            .where(*_window(query, cursor, ref_seq), *_readable(query, ref_seq))
            .order_by(order)
            .limit(500)
        ).all()
        if not page:
            break
        target = statement.alias("target")
        targets = {row.target_id for row in page}
        matching = set(
            conn.execute(
                select(target.c.id).where(target.c.id.in_(targets), *_target_conditions(target, query))
            ).scalars()
        )
        found += [(row.statement_seq, row.payload) for row in page if row.target_id in matching]
        cursor = page[-1].statement_seq
    return found[:limit]


def query_statements(conn: Connection, query: StatementQuery, after_seq: int | None) -> tuple[list[str], int | None]:
    """Return one page of payloads in stored order and the cursor of the next page (None: no more).

    Keyset paging on the insertion sequence keeps pages stable while new statements arrive, and makes a
    later page as cheap as the first.
    """
    limit = query.limit + 1
    rows = [(row.seq, row.payload) for row in conn.execute(_direct(query, after_seq, limit))]
    if _has_filters(query):
        extra = _referring(conn, query, after_seq, limit)
        if extra:
            merged = dict([*rows, *extra])
            rows = sorted(merged.items(), reverse=not query.ascending)[:limit]
    page = rows[: query.limit]
    more = page[-1][0] if len(rows) > query.limit else None
    return [payload for _seq, payload in page], more
