"""The LRS schema: each statement stored once, verbatim, with indexed columns and link tables for the filters.

Kept apart from the LMS's metadata (tables prefixed `lrs_`) so the LRS can use a database of its own.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
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
    }
)
# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit sequence.
Seq = BigInteger().with_variant(Integer(), "sqlite")

IRI = 2048

statement = Table(
    "lrs_statement",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=True),
    Column("id", String(36), nullable=False, unique=True),
    Column("stored", DateTime(), nullable=False),  # naive UTC, microseconds: sorts the same on every engine
    Column("timestamp", DateTime(), nullable=False),
    Column("verb_id", String(IRI), nullable=False),
    Column("object_activity_id", String(IRI)),
    Column("registration", String(36)),
    Column("voided", Boolean, nullable=False, default=False),
    Column("ref_target", String(36)),  # the statement id a StatementRef object points to (voiding included)
    Column("payload", Text, nullable=False),
    Index("ix_lrs_statement_verb_seq", "verb_id", "seq"),
    Index("ix_lrs_statement_registration_seq", "registration", "seq"),
    Index("ix_lrs_statement_activity_seq", "object_activity_id", "seq"),
    Index("ix_lrs_statement_stored", "stored"),
    Index("ix_lrs_statement_ref_target", "ref_target"),
)

# relation codes of the link tables
ACTOR, OBJECT, RELATED = 0, 1, 2

statement_agent = Table(
    "lrs_statement_agent",
    metadata,
    Column("statement_seq", Seq, primary_key=True),
    Column("ifi", String(IRI), primary_key=True),
    Column("relation", SmallInteger, primary_key=True),
    Index("ix_lrs_statement_agent_ifi_seq", "ifi", "statement_seq"),
)

statement_activity = Table(
    "lrs_statement_activity",
    metadata,
    Column("statement_seq", Seq, primary_key=True),
    Column("activity_id", String(IRI), primary_key=True),
    Column("relation", SmallInteger, primary_key=True),
    Index("ix_lrs_statement_activity_id_seq", "activity_id", "statement_seq"),
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
)
