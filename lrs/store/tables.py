"""The LRS schema: each statement stored once, verbatim, with indexed columns and link tables for the filters.

Kept apart from the LMS's metadata (tables prefixed `lrs_`) so the LRS can use a database of its own.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    }
)
# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit sequence.
Seq = BigInteger().with_variant(Integer(), "sqlite")

IRI = 2048
KEY = 600
"""Indexed IRI columns hold at most this many characters; longer values are stored as a hash (see keys.py), since
an index entry must fit a database page and clients may send IRIs of any length."""

statement = Table(
    "lrs_statement",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=True),
    Column("id", String(36), nullable=False, unique=True),
    Column("stored", DateTime(), nullable=False),  # naive UTC, microseconds: sorts the same on every engine
    Column("timestamp", DateTime(), nullable=False),
    Column("verb_id", String(KEY), nullable=False),
    Column("object_activity_id", String(KEY)),
    Column("registration", String(36)),
    Column("voided", Boolean, nullable=False, default=False),
    Column("ref_target", String(36)),  # the statement id a StatementRef object points to (voiding included)
    Column("payload", Text, nullable=False),
    Index("ix_lrs_statement_verb_seq", "verb_id", "seq"),
    Index("ix_lrs_statement_registration_seq", "registration", "seq"),
    Index("ix_lrs_statement_activity_seq", "object_activity_id", "seq"),
    # "who completed module X": the most common LMS query walks this range newest first and stops after a page
    Index("ix_lrs_statement_activity_verb_seq", "object_activity_id", "verb_id", "seq"),
    Index("ix_lrs_statement_stored", "stored"),
    sqlite_autoincrement=True,  # never reuse a seq after a deletion: link rows and `more` cursors rely on it
)

statement_ref = Table(
    "lrs_statement_ref",
    metadata,
    # Only statements whose object is a StatementRef (voiding included): few, so the filters that must also
    # return statements targeting a match can walk this table instead of scanning every statement.
    Column("statement_seq", Seq, primary_key=True, autoincrement=False),
    Column("target_id", String(36), nullable=False),
)

# relation codes of the link tables
ACTOR, OBJECT, RELATED = 0, 1, 2

statement_agent = Table(
    "lrs_statement_agent",
    metadata,
    # One row per agent and statement, with the closest relation (ACTOR < OBJECT < RELATED): the key order lets
    # a filter walk one agent's statements newest first and stop after a page, and no DISTINCT is ever needed.
    Column("ifi", String(KEY), primary_key=True),
    Column("statement_seq", Seq, primary_key=True),
    Column("relation", SmallInteger, nullable=False),
    sqlite_with_rowid=False,
)

statement_activity = Table(
    "lrs_statement_activity",
    metadata,
    Column("activity_id", String(KEY), primary_key=True),
    Column("statement_seq", Seq, primary_key=True),
    Column("relation", SmallInteger, nullable=False),
    sqlite_with_rowid=False,
)

credential = Table(
    "lrs_credential",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("secret_hash", String(64), nullable=False),
    Column("scopes", String(400), nullable=False),
    Column("created_at", DateTime(), nullable=False),
    Column("revoked_at", DateTime()),
    Column("last_used_at", DateTime()),
    Column("last_version", String(10)),  # the xAPI version this client spoke last (answers a missing header)
    Column("tenant", Text),  # the organisation's learner homePage it is confined to; NULL: regional read
)

# Document keys are hashes: activity IRI, agent IFI and document id can each be kilobytes long, more than one
# PostgreSQL index entry holds together, while the resources only ever look documents up by equality.
document = Table(
    "lrs_document",
    metadata,
    Column("key", String(64), primary_key=True),  # sha256 of (kind, activity, agent, registration, doc id)
    Column("scope", String(64), nullable=False),  # sha256 of the same minus doc id: one id listing / bulk DELETE
    Column("kind", String(16), nullable=False),  # state | activity_profile | agent_profile
    Column("activity_id", Text, nullable=False),  # "" when the resource has no activity (agent profiles)
    Column("agent_ifi", Text, nullable=False),  # ifi_key of the agent, "" for activity profiles
    Column("registration", String(36), nullable=False),  # "" when none was given
    Column("doc_id", Text, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("content_type", String(255), nullable=False),
    Column("etag", String(40), nullable=False),  # SHA-1 hex of content, as xAPI 1.0.3 prescribes
    Column("updated", DateTime(), nullable=False),  # naive UTC, microseconds
    Index("ix_lrs_document_scope_updated", "scope", "updated"),
)

activity = Table(
    "lrs_activity",
    metadata,
    Column("id", String(IRI), primary_key=True),
    Column("definition", Text, nullable=False),  # the canonical definition as JSON, merged from statements
    Column("updated", DateTime(), nullable=False),
)

attachment = Table(
    "lrs_attachment",
    metadata,
    # Attachment data, once per content hash: statements find theirs by the sha2 in their attachment objects.
    Column("sha2", String(128), primary_key=True),
    Column("content_type", String(255), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("stored", DateTime(), nullable=False),
)

# Forwarding: statements stored with a credential that has a target are queued in the same transaction and sent
# to that external LRS later, so an organisation that already runs an LRS keeps receiving everything.
forward_target = Table(
    "lrs_forward_target",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("credential_key", String(40), nullable=False, unique=True),  # no FK: credentials may be rotated
    Column("endpoint", String(IRI), nullable=False),  # the target's xAPI base URL, without /statements
    Column("username", String(200), nullable=False),  # the target's Basic key
    Column("secret_token", Text, nullable=False),  # the target's Basic secret, Fernet-encrypted: it must be sent
    Column("version", String(10), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(), nullable=False),
    Column("failures", Integer, nullable=False, default=0),  # consecutive failures of the target as a whole
    Column("retry_at", DateTime()),  # the target is left alone until then after such a failure
    Column("last_error", Text),
    Column("last_success_at", DateTime()),
    Column("lease_owner", String(64)),  # the one delivery run sending to this target, so order holds
    Column("lease_until", DateTime()),
)

forward_queue = Table(
    "lrs_forward_queue",
    metadata,
    Column("target_id", Integer, ForeignKey("lrs_forward_target.id", ondelete="CASCADE"), primary_key=True),
    Column("statement_seq", Seq, ForeignKey("lrs_statement.seq"), primary_key=True),  # sent in seq order
    Column("attempts", Integer, nullable=False, default=0),  # rejections of this statement by the target
    Column("next_attempt_at", DateTime(), nullable=False),
    Column("last_error", Text),
    Column("dead_at", DateTime()),  # dead-lettered: rejected too often, kept until an admin retries it
)
