"""Erasing a person from the LRS, and deleting statements older than the retention period.

Voiding is not erasure: a voided statement stays stored, readable by voidedStatementId, and the voiding statement
names the person again. These operations sit outside xAPI (no client can reach them over /xapi): the LMS calls
`erase_agents` through the function app.py wires (`lrs.local_eraser`), and an operator runs `flask lrs erase-agent`
or `flask lrs retention` where the LRS runs on its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from lrs.store import erasure as store
from lrs.xapi.agent import ifi_key

RETENTION_BATCH = 2_000
"""Statements deleted per transaction by the retention job: short transactions keep ingestion going beside it."""


@dataclass(frozen=True)
class Erased:
    """What an erasure removed from the LRS, for the confirmation and the record of the erasure."""

    statements: int = 0
    documents: int = 0
    attachments: int = 0


def identities(agent: Mapping[str, Any], emails: Iterable[str] = ()) -> set[str]:
    """The agent identities (ifi keys) a person may appear under: their account and, for each e-mail address, the
    mbox and mbox_sha1sum forms xAPI tools use for it."""
    keys = {key for key in [ifi_key(agent)] if key}
    for email in emails:
        mbox = f"mailto:{email.strip().lower()}"
        keys.add(f"mbox:{mbox}")
        keys.add(f"mbox_sha1sum:{hashlib.sha1(mbox.encode(), usedforsecurity=False).hexdigest()}")
    return keys


def erase_agents(
    engine: Engine, agent: Mapping[str, Any], *, emails: Iterable[str] = (), texts: Iterable[str] = ()
) -> Erased:
    """Hard-delete everything the LRS holds about one person, in one transaction.

    Removed: every statement that names them in any agent position or holds one of `texts` (their account name,
    e-mail address) anywhere, every statement that only points at such a statement, their State and Agent Profile
    documents, the forwarding queue entries of those statements and attachment data no remaining statement uses.
    """
    emails = list(emails)
    keys = identities(agent, emails)
    searched = {*texts, *emails, *(k.split(":", 1)[1] for k in keys if k.startswith("mbox_sha1sum:"))}
    with engine.begin() as conn:
        seqs = store.with_references(conn, store.seqs_naming(conn, keys, searched))
        statements, hashes = store.delete_statements(conn, seqs)
        attachments = store.delete_unused_attachments(conn, hashes)
        documents = store.delete_agent_documents(conn, keys)
    return Erased(statements, documents, attachments)


def delete_statements_before(engine: Engine, moment: datetime) -> int:
    """Delete every statement stored before `moment` (and what points at it) in short batches; return how many."""
    naive = moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
    total = 0
    while True:
        with engine.begin() as conn:
            seqs = store.seqs_stored_before(conn, naive, RETENTION_BATCH)
            if not seqs:
                return total
            deleted, hashes = store.delete_statements(conn, seqs)
            store.delete_unused_attachments(conn, hashes)
        total += deleted


def retention_cutoff(days: int, now: datetime | None = None) -> datetime | None:
    """The moment before which statements are deleted for a retention of `days` (0 or less: keep everything)."""
    if days <= 0:
        return None
    return (now or datetime.now(UTC)) - timedelta(days=days)
