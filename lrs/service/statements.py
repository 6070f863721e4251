"""Statements: store, void and fetch. HTTP-free, so the in-process sink and the web layer share it.

Statements are validated, completed with what the LRS owns (id, stored, timestamp, authority, version) and stored
verbatim in one transaction per request: a batch is all or nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from lrs.service.documents import activities_in
from lrs.store import statements as store
from lrs.store.attachments import load_attachments, store_attachments
from lrs.store.documents import upsert_activity_definitions
from lrs.store.forward_queue import enqueue_statements
from lrs.store.tables import ACTOR, OBJECT, RELATED
from lrs.xapi.agent import ifi_key
from lrs.xapi.compare import is_same_statement
from lrs.xapi.errors import BadRequest, Conflict, Forbidden, NotFound
from lrs.xapi.formats import normalise_statement
from lrs.xapi.jws import verify_signed_statement
from lrs.xapi.multipart import Attachment, check_attachments
from lrs.xapi.params import StatementQuery
from lrs.xapi.statement import validate_statements
from lrs.xapi.timestamps import format_timestamp, parse_timestamp

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def _agent_links(agent: dict[str, Any] | None, relation: int, links: set[tuple[str, int]]) -> None:
    if not isinstance(agent, dict):
        return
    key = ifi_key(agent)
    if key is not None:
        links.add((key, relation))
    for member in agent.get("member") or []:
        member_key = ifi_key(member)
        if member_key is not None:
            links.add((member_key, RELATED))


def _context_links(context: dict[str, Any], agents: set[tuple[str, int]], activities: set[tuple[str, int]]) -> None:
    _agent_links(context.get("instructor"), RELATED, agents)
    _agent_links(context.get("team"), RELATED, agents)
    for group in ("contextAgents", "contextGroups"):
        for entry in context.get(group) or []:
            _agent_links(entry.get("agent") or entry.get("group"), RELATED, agents)
    for group in (context.get("contextActivities") or {}).values():
        for activity in group if isinstance(group, list) else [group]:
            activities.add((activity["id"], RELATED))


def _links(stmt: dict[str, Any], row: store.StatementRow, *, sub: bool = False) -> None:
    """Collect what agent/activity filters match; a sub-statement's parts count as related only."""
    _agent_links(stmt["actor"], RELATED if sub else ACTOR, row.agents)
    obj = stmt["object"]
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        row.activities.add((obj["id"], RELATED if sub else OBJECT))
    elif kind in {"Agent", "Group"}:
        _agent_links(obj, RELATED if sub else OBJECT, row.agents)
    elif kind == "SubStatement":
        _links(obj, row, sub=True)
    _context_links(stmt.get("context") or {}, row.agents, row.activities)
    if not sub:
        _agent_links(stmt.get("authority"), RELATED, row.agents)


@dataclass(frozen=True)
class _Origin:
    """Who stores a request's statements, and in which xAPI version: the same for every statement of it."""

    authority: dict[str, Any]
    version: str
    stored_by: str | None  # the credential key, which statements/read/mine reads back by
    may_void_others: bool = False  # the explicit statements/void-any scope
    tenant: str | None = None  # the tenant of the storing credential, whose other credentials may read them
    other_tenants: frozenset[str] = frozenset()  # the other organisations' homePages, which it may not write as


def _prepare(sent: dict[str, Any], origin: _Origin, now: datetime) -> store.StatementRow:
    """Complete a statement with what the LRS owns; the statement as sent is left untouched (a retry needs it)."""
    stmt = {**sent, "id": str(uuid.UUID(sent["id"])), "stored": format_timestamp(now), "authority": origin.authority}
    stmt.setdefault("timestamp", stmt["stored"])
    stmt.setdefault("version", "2.0.0" if origin.version.startswith("2.") else "1.0.0")
    obj = stmt["object"]
    is_activity = obj.get("objectType", "Activity") == "Activity"
    row = store.StatementRow(
        id=stmt["id"],
        stored=now.replace(tzinfo=None),
        timestamp=parse_timestamp(stmt["timestamp"]).replace(tzinfo=None),
        verb_id=stmt["verb"]["id"],
        object_activity_id=obj["id"] if is_activity else None,
        registration=(stmt.get("context") or {}).get("registration"),
        ref_target=obj["id"] if obj.get("objectType") == "StatementRef" else None,
        payload=orjson.dumps(stmt).decode(),
        stored_by=origin.stored_by,
        tenants=_tenants_of(stmt, origin),
    )
    _links(stmt, row)
    return row


def _check_actor_tenant(stmt: dict[str, Any], origin: _Origin) -> None:
    """An organisation's credential may not write as another organisation's learner: such a statement would be
    read by that organisation's credentials as one of theirs.

    :raises Forbidden: naming the homePage, for the whole batch (nothing is stored).
    """
    account = stmt["actor"].get("account")
    home = account.get("homePage") if isinstance(account, dict) else None
    if home in origin.other_tenants:
        raise Forbidden(
            f"this credential belongs to one organisation and may not store statements about another "
            f"organisation's learners (actor homePage {home})"
        )


def _tenants_of(stmt: dict[str, Any], origin: _Origin) -> set[str]:
    """The tenants that may read a statement: its actor's account homePage, and the storing credential's tenant.

    A learner's homePage names the organisation (`…/org/<pseudonym>` in the LMS), so an organisation's
    credential reads its own learners' statements, wherever they came from, and what its credentials stored.
    """
    account = stmt["actor"].get("account")
    tenants = {account["homePage"]} if isinstance(account, dict) and isinstance(account.get("homePage"), str) else set()
    if origin.tenant is not None:
        tenants.add(origin.tenant)
    return tenants


def _drop_duplicates(conn: Connection, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Remove statements already stored with the same content; a same id with other content is a conflict."""
    ids = [s["id"] for s in batch]
    if len({i.lower() for i in ids}) != len(ids):
        raise BadRequest("the batch holds two statements with the same id")
    existing = store.find_payloads(conn, [str(uuid.UUID(i)) for i in ids])
    fresh = []
    for stmt in batch:
        stored = existing.get(str(uuid.UUID(stmt["id"])))
        if stored is None:
            fresh.append(stmt)
        elif not is_same_statement(stmt, orjson.loads(stored)):
            raise Conflict(f"statement {stmt['id']} already exists with different content; statements are immutable")
    return fresh


def _check_voiding(conn: Connection, rows: Sequence[store.StatementRow], origin: _Origin) -> list[str]:
    """Return the ids to mark voided, after checking that this sender may void each of them.

    A voiding statement may not target another voiding statement. A credential voids only what it stored itself,
    or, with the statements/void-any scope, what other credentials stored; the LMS's own statements (stored by its
    in-process sink, with no credential) only the LMS voids: a training record nobody else can erase.

    :raises BadRequest: when a target is itself a voiding statement.
    :raises Forbidden: when a target was stored by someone this sender may not void for.
    """
    targets = [r.ref_target for r in rows if r.verb_id == VOIDED and r.ref_target]
    if not targets:
        return []
    known = store.find_verbs(conn, targets)
    tenants = store.find_tenant_links(conn, targets)
    in_batch = {r.id: r.verb_id for r in rows}
    for target in targets:
        if VOIDED in (known.get(target, ("", None))[0], in_batch.get(target)):
            raise BadRequest(f"statement {target} is itself a voiding statement and cannot be voided")
        if target in known and origin.stored_by is not None:
            _check_may_void(target, known[target][1], tenants.get(target, set()), origin)
    for row in rows:  # the tenants that read the target see its void too: how an xAPI client learns of it
        if row.verb_id == VOIDED and row.ref_target:
            row.tenant_links |= tenants.get(row.ref_target, set())
    return [t for t in targets if t in known or t in in_batch]


def _check_may_void(target: str, owner: str | None, tenants: set[str], origin: _Origin) -> None:
    """The storer may void its own; with statements/void-any, others' too, but an organisation's credential only
    within its organisation; the platform's own records nobody but the platform."""
    if owner == origin.stored_by:
        return
    if owner is None:
        raise Forbidden(f"statement {target} is a record of the platform itself; only the platform may void it")
    if not origin.may_void_others or (origin.tenant is not None and store.tenant_link(origin.tenant) not in tenants):
        raise Forbidden(
            f"statement {target} was stored by another credential; a credential may void only statements it "
            "stored itself (or, with the scope 'statements/void-any', others' of its own organisation or, for a "
            "regional credential, of the region)"
        )


def _check_attachments_and_signatures(batch: list[dict[str, Any]], attachments: Mapping[str, Attachment]) -> None:
    """Every attachment without a fileUrl has its data, no part is left over, and signatures hold."""
    check_attachments(batch, attachments)
    single = len(batch) == 1
    for index, stmt in enumerate(batch):
        verify_signed_statement(stmt, attachments, path="statement" if single else f"statement[{index}]")


def store_statements(
    engine: Engine,
    statements: object,
    *,
    authority: dict[str, Any],
    stored_by: str | None = None,
    version: str = "1.0.3",
    attachments: Mapping[str, Attachment] | None = None,
    may_void_others: bool = False,
    tenant: str | None = None,
    other_tenants: Iterable[str] = (),
) -> list[str]:
    """Validate and store one statement or a batch (with the attachment data sent beside them); return ids.

    `stored_by` is the key of the credential that sends them; the in-process sink has none. `tenant` is that
    credential's organisation (a homePage), None for a regional one; `other_tenants` the other organisations'
    homePages, as whose learners it may not write.

    :raises BadRequest: on an invalid statement, missing or extra attachment data, or a signature that does
        not hold (nothing is stored).
    :raises Conflict: when an id exists with other content (nothing is stored).
    :raises Forbidden: when an organisation's credential writes as another organisation's learner.
    """
    attachments = attachments or {}
    batch = [normalise_statement(s) for s in validate_statements(statements, version=version)]
    _check_attachments_and_signatures(batch, attachments)
    origin = _Origin(authority, version, stored_by, may_void_others, tenant, frozenset(other_tenants))
    for stmt in batch:
        stmt.setdefault("id", str(uuid.uuid4()))
        _check_actor_tenant(stmt, origin)
    try:
        _store_batch(engine, batch, origin, attachments)
    except IntegrityError:
        # Another writer stored one of these ids between our duplicate check and insert (a client retrying
        # a timed-out POST): run once more, so the duplicate check now sees it and decides 200 or 409.
        _store_batch(engine, batch, origin, attachments)
    return [str(uuid.UUID(s["id"])) for s in batch]


def _store_batch(
    engine: Engine, batch: list[dict[str, Any]], origin: _Origin, attachments: Mapping[str, Attachment]
) -> None:
    with engine.begin() as conn:
        fresh = _drop_duplicates(conn, batch)
        now = datetime.now(UTC)  # taken as late as possible: seq and stored order should agree (see store)
        rows = [_prepare(stmt, origin, now) for stmt in fresh]
        voided = _check_voiding(conn, rows, origin)
        store.insert_statements(conn, rows)
        upsert_activity_definitions(conn, activities_in(fresh))
        store_attachments(conn, attachments.values())
        if voided:
            store.mark_voided(conn, voided)
        enqueue_statements(conn, origin.stored_by, [row.id for row in rows], now.replace(tzinfo=None))


def put_statement(
    engine: Engine,
    statement_id: str,
    statement: object,
    *,
    authority: dict[str, Any],
    stored_by: str | None = None,
    version: str = "1.0.3",
    attachments: Mapping[str, Attachment] | None = None,
    may_void_others: bool = False,
    tenant: str | None = None,
    other_tenants: Iterable[str] = (),
) -> None:
    """Store a statement under the id named in the URL.

    :raises BadRequest: when the body is not one statement or its id differs from statementId.
    """
    if not isinstance(statement, dict):
        raise BadRequest("PUT statements takes exactly one statement object")
    if "id" in statement and str(statement["id"]).lower() != statement_id.lower():
        raise BadRequest("the statement's id differs from the statementId parameter")
    statement["id"] = statement_id
    store_statements(
        engine,
        statement,
        authority=authority,
        stored_by=stored_by,
        version=version,
        attachments=attachments,
        may_void_others=may_void_others,
        tenant=tenant,
        other_tenants=other_tenants,
    )


def attachments_of(engine: Engine, payloads: Iterable[str]) -> list[Attachment]:
    """Return the stored attachment data the given statements refer to (by sha2), for multipart answers."""
    hashes = {sha2 for payload in payloads for sha2 in _attachment_hashes(orjson.loads(payload))}
    with engine.connect() as conn:
        return load_attachments(conn, hashes)


def _attachment_hashes(statement: dict[str, Any]) -> Iterator[str]:
    for item in statement.get("attachments") or []:
        yield str(item.get("sha2", "")).lower()
    obj = statement.get("object") or {}
    if obj.get("objectType") == "SubStatement":
        yield from _attachment_hashes(obj)


def get_statement(
    engine: Engine, statement_id: str, *, voided: bool, stored_by: str | None = None, tenant: str | None = None
) -> str:
    """Return one statement's JSON; with `stored_by`, only one that credential stored (statements/read/mine);
    with `tenant`, only one of that organisation.

    :raises NotFound: when there is none (or it is voided and was asked for by statementId, or another
        credential stored it): a client that may not read a statement does not learn that it exists.
    """
    with engine.connect() as conn:
        payload = store.get_payload(conn, statement_id, voided=voided, stored_by=stored_by, tenant=tenant)
    if payload is None:
        raise NotFound(f"no {'voided ' if voided else ''}statement with id {statement_id}")
    return payload


def query_statements(
    engine: Engine,
    query: StatementQuery,
    after_seq: int | None = None,
    *,
    stored_by: str | None = None,
    tenant: str | None = None,
) -> tuple[list[str], int | None]:
    """Return a page of statement JSON texts and the cursor for the next page.

    With `stored_by`, only statements that credential stored (statements/read/mine), on every page; with
    `tenant`, only that organisation's statements (an organisation's credential).
    """
    query = replace(query, stored_by=stored_by, tenant=tenant)
    with engine.connect() as conn:
        return store.query_statements(conn, query, after_seq)
