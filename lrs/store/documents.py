"""Document persistence (State, Activity Profile, Agent Profile) and the canonical Activity definitions.

Document writes are compare-and-set on the stored ETag: the service reads, applies the precondition rules, then
writes only if the row is still the one it read. That needs no row locks and no read-then-write transaction, which
SQLite's WAL mode cannot upgrade safely, so both engines behave the same under concurrent writers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Insert, Table, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from lrs.store.tables import IRI, activity, document

CHUNK = 500  # ids per IN (...) clause, well under every driver's parameter limit
_MERGED_MAPS = ("name", "description", "extensions")


@dataclass(frozen=True)
class DocumentScope:
    """The context documents live in: what one id listing returns and one bulk DELETE removes.

    Absent parts are "" rather than NULL, so "no registration" is a value a lookup can match exactly.
    """

    kind: str
    activity_id: str = ""
    agent_ifi: str = ""
    registration: str = ""

    @property
    def digest(self) -> str:
        """The indexed hash of this scope."""
        return _digest(self.kind, self.activity_id, self.agent_ifi, self.registration)

    def key(self, doc_id: str) -> str:
        """The primary key of one document in this scope."""
        return _digest(self.kind, self.activity_id, self.agent_ifi, self.registration, doc_id)


@dataclass(frozen=True)
class StoredDocument:
    """A document as stored: its bytes verbatim, the Content-Type it came with, and its version."""

    content: bytes
    content_type: str
    etag: str
    updated: datetime  # naive UTC


def _digest(*parts: str) -> str:
    """Hash a JSON array of the parts, so no separator inside a part can make two keys collide."""
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def content_etag(content: bytes) -> str:
    """Return the ETag value (unquoted) of document content: SHA-1 hex, as xAPI 1.0.3 requires."""
    return hashlib.sha1(content, usedforsecurity=False).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def get_document(conn: Connection, scope: DocumentScope, doc_id: str) -> StoredDocument | None:
    """Return one document, or None when there is none."""
    row = conn.execute(
        select(document.c.content, document.c.content_type, document.c.etag, document.c.updated).where(
            document.c.key == scope.key(doc_id)
        )
    ).one_or_none()
    return None if row is None else StoredDocument(bytes(row.content), row.content_type, row.etag, row.updated)


@dataclass(frozen=True)
class AgentDocument:
    """A State or Agent Profile document with the context that addresses it (for a person's data export)."""

    kind: str  # state | agent_profile
    activity_id: str
    registration: str
    doc_id: str
    stored: StoredDocument


def documents_of_agent(conn: Connection, agent_ifi: str) -> list[AgentDocument]:
    """Every State and Agent Profile document kept for one agent identity, oldest first."""
    rows = conn.execute(
        select(document)
        .where(document.c.agent_ifi == agent_ifi, document.c.kind.in_(("state", "agent_profile")))
        .order_by(document.c.updated, document.c.key)
    )
    return [
        AgentDocument(
            row.kind,
            row.activity_id,
            row.registration,
            row.doc_id,
            StoredDocument(bytes(row.content), row.content_type, row.etag, row.updated),
        )
        for row in rows
    ]


def get_etag(conn: Connection, scope: DocumentScope, doc_id: str) -> str | None:
    """Return the current ETag of one document without loading its content, or None when there is none."""
    etag: str | None = conn.execute(
        select(document.c.etag).where(document.c.key == scope.key(doc_id))
    ).scalar_one_or_none()
    return etag


def _ignore_conflicts(conn: Connection, table: Table) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING, so a lost race is a result to act on, not an aborted transaction."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()


def insert_document(conn: Connection, scope: DocumentScope, doc_id: str, content: bytes, content_type: str) -> bool:
    """Store a new document; return False (and change nothing) when one already exists under that id."""
    values = {
        "key": scope.key(doc_id),
        "scope": scope.digest,
        "kind": scope.kind,
        "activity_id": scope.activity_id,
        "agent_ifi": scope.agent_ifi,
        "registration": scope.registration,
        "doc_id": doc_id,
        "content": content,
        "content_type": content_type,
        "etag": content_etag(content),
        "updated": _now(),
    }
    inserted = conn.execute(_ignore_conflicts(conn, document).returning(document.c.key), values).first()
    return inserted is not None


def replace_document(
    conn: Connection, scope: DocumentScope, doc_id: str, content: bytes, content_type: str, *, expected_etag: str
) -> bool:
    """Overwrite a document only if it still has `expected_etag`; return whether it did."""
    result = conn.execute(
        update(document)
        .where(document.c.key == scope.key(doc_id), document.c.etag == expected_etag)
        .values(content=content, content_type=content_type, etag=content_etag(content), updated=_now())
    )
    return result.rowcount == 1


def delete_document(conn: Connection, scope: DocumentScope, doc_id: str, *, expected_etag: str) -> bool:
    """Delete a document only if it still has `expected_etag`; return whether it did."""
    result = conn.execute(delete(document).where(document.c.key == scope.key(doc_id), document.c.etag == expected_etag))
    return result.rowcount == 1


def delete_documents(conn: Connection, scope: DocumentScope) -> None:
    """Delete every document of a scope (State's DELETE without stateId)."""
    conn.execute(delete(document).where(document.c.scope == scope.digest))


def list_document_ids(
    conn: Connection, scope: DocumentScope, since: datetime | None = None
) -> tuple[list[str], datetime | None]:
    """Return the ids in a scope updated after `since` (naive UTC, exclusive), and the newest update among them."""
    query = select(document.c.doc_id, document.c.updated).where(document.c.scope == scope.digest)
    if since is not None:
        query = query.where(document.c.updated > since)
    rows = conn.execute(query.order_by(document.c.updated, document.c.doc_id)).all()
    return [row.doc_id for row in rows], (rows[-1].updated if rows else None)


# ---------------------------------------------------------------------------
# Canonical Activity definitions
# ---------------------------------------------------------------------------


def merge_definition(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """The newer definition wins property by property, but language maps and extensions are merged by key.

    That keeps "all available information" (XAPI-00254): a statement with only a French name does not erase the
    English one an earlier statement gave.
    """
    merged = {**old, **new}
    for key in _MERGED_MAPS:
        if isinstance(old.get(key), dict) and isinstance(new.get(key), dict):
            merged[key] = {**old[key], **new[key]}
    return merged


def _incoming_definitions(activities: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Fold a batch's definitions per activity id, in statement order."""
    incoming: dict[str, dict[str, Any]] = {}
    for item in activities:
        activity_id, definition = item.get("id"), item.get("definition")
        # Ids too long for the key column cannot be kept; the statement itself must still be stored.
        if not isinstance(activity_id, str) or len(activity_id.encode()) > IRI:
            continue
        if isinstance(definition, dict) and definition:
            incoming[activity_id] = merge_definition(incoming.get(activity_id, {}), definition)
    return incoming


def upsert_activity_definitions(conn: Connection, activities: Iterable[Mapping[str, Any]]) -> None:
    """Merge the definitions of these Activity objects into the canonical ones, in the caller's transaction.

    Call it with every Activity of the statements being stored (objects, sub-statement objects, context
    activities), in statement order; Activities without a definition are skipped. Rows are created first
    (ON CONFLICT DO NOTHING) and then locked (FOR UPDATE on PostgreSQL), in id order, so concurrent batches that
    describe the same Activity neither lose each other's languages nor deadlock.
    """
    incoming = _incoming_definitions(activities)
    ids = sorted(incoming)
    now = _now()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        conn.execute(_ignore_conflicts(conn, activity), [{"id": i, "definition": "{}", "updated": now} for i in chunk])
        rows = conn.execute(
            select(activity.c.id, activity.c.definition)
            .where(activity.c.id.in_(chunk))
            .order_by(activity.c.id)
            .with_for_update()
        ).all()
        for row in rows:
            old = json.loads(row.definition)
            merged = merge_definition(old, incoming[row.id])
            if merged != old:
                text = json.dumps(merged, ensure_ascii=False, separators=(",", ":"))
                conn.execute(update(activity).where(activity.c.id == row.id).values(definition=text, updated=now))


def get_activity_definition(conn: Connection, activity_id: str) -> dict[str, Any] | None:
    """Return the canonical definition of an Activity, or None when no statement has defined it."""
    text = conn.execute(select(activity.c.definition).where(activity.c.id == activity_id)).scalar_one_or_none()
    definition = json.loads(text) if text else None
    return definition or None
