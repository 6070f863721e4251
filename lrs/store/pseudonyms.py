"""Replacing pseudonyms in every place the LRS stores an agent: statements, their agent links, documents, tenants.

A pseudonym is replaced only as a whole token (letters, digits and hyphens between other characters), so an old
name never matches inside a longer word or id. Statements are read in batches of BATCH by seq; each table is
rewritten in the caller's transaction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqlalchemy import Connection, select, update

from lrs.store.documents import DocumentScope
from lrs.store.tables import credential, document, statement, statement_agent

BATCH = 2_000
TOKEN = re.compile(r"[A-Za-z0-9-]+")
WHOLE = re.compile(r"^[A-Za-z0-9-]+$")


def check_replacements(replacements: Mapping[str, str]) -> None:
    """Refuse a replacement that is not a whole token, or that would leave an old name where a new one goes."""
    for old, new in replacements.items():
        if not WHOLE.match(old) or not WHOLE.match(new):
            raise ValueError(f"a pseudonym is letters, digits and hyphens: {old!r} -> {new!r}")
    if set(replacements) & set(replacements.values()):
        raise ValueError("a new pseudonym equals an old one")


def replace_tokens(text: str, replacements: Mapping[str, str]) -> str:
    """`text` with every whole token that is an old pseudonym replaced by its new one."""
    return TOKEN.sub(lambda m: replacements.get(m.group(0), m.group(0)), text)


def rewrite_statements(conn: Connection, replacements: Mapping[str, str]) -> int:
    """Rewrite the payload of every statement naming an old pseudonym; return how many changed."""
    changed, after = 0, 0
    while True:
        rows = conn.execute(
            select(statement.c.seq, statement.c.payload).where(statement.c.seq > after).order_by(statement.c.seq)
            .limit(BATCH)
        ).all()  # fmt: skip
        if not rows:
            return changed
        for seq, payload in rows:
            new = replace_tokens(payload, replacements)
            if new != payload:
                conn.execute(update(statement).where(statement.c.seq == seq).values(payload=new))
                changed += 1
        after = rows[-1].seq


def rewrite_agent_links(conn: Connection, replacements: Mapping[str, str]) -> int:
    """Rewrite the agent and tenant link rows (account IFIs, tenant homePages) that name an old pseudonym."""
    rows = conn.execute(select(statement_agent.c.ifi).distinct()).scalars().all()
    changed = 0
    for ifi in rows:
        new = replace_tokens(ifi, replacements)
        if new != ifi:
            changed += conn.execute(
                update(statement_agent).where(statement_agent.c.ifi == ifi).values(ifi=new)
            ).rowcount
    return changed


def rewrite_documents(conn: Connection, replacements: Mapping[str, str]) -> int:
    """Move State and Agent Profile documents of an old agent identity to the new one (their keys are hashes of it).

    The content is the client's own bytes and is left as it is.
    """
    rows = conn.execute(
        select(document.c.key, document.c.kind, document.c.activity_id, document.c.agent_ifi,
               document.c.registration, document.c.doc_id).where(document.c.agent_ifi != "")
    ).all()  # fmt: skip
    changed = 0
    for row in rows:
        ifi = replace_tokens(row.agent_ifi, replacements)
        if ifi == row.agent_ifi:
            continue
        scope = DocumentScope(row.kind, row.activity_id, ifi, row.registration)
        conn.execute(
            update(document).where(document.c.key == row.key)
            .values(agent_ifi=ifi, key=scope.key(row.doc_id), scope=scope.digest)
        )  # fmt: skip
        changed += 1
    return changed


def rewrite_tenants(conn: Connection, replacements: Mapping[str, str]) -> int:
    """Rewrite the tenant homePage a credential is confined to (it names the organisation's pseudonym)."""
    rows = conn.execute(select(credential.c.key, credential.c.tenant).where(credential.c.tenant.is_not(None))).all()
    changed = 0
    for key, tenant in rows:
        new = replace_tokens(tenant, replacements)
        if new != tenant:
            conn.execute(update(credential).where(credential.c.key == key).values(tenant=new))
            changed += 1
    return changed
