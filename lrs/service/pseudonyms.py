"""Re-keying the pseudonyms an LRS holds: one transaction over statements, agent links, documents and tenants.

Outside xAPI, like erasure: no client can reach it over /xapi. The LMS calls it through `lrs.local_pseudonym_
rewriter` when it rotates its pseudonym key; an LRS deployed on its own runs `flask lrs rewrite-pseudonyms FILE`
with the mapping the LMS wrote. A statement keeps its id and `stored` time, so readers that follow `stored` (the
LMS's sync) do not read it again; only the agents in it carry their new names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Engine

from lrs.store import pseudonyms as store


@dataclass(frozen=True)
class Rewritten:
    """How many rows a rotation changed in the LRS, for the operator's report."""

    statements: int = 0
    agent_links: int = 0
    documents: int = 0
    credentials: int = 0


def rewrite_pseudonyms(engine: Engine, replacements: Mapping[str, str]) -> Rewritten:
    """Replace every old pseudonym (a whole token) by its new one everywhere the LRS keeps an agent, atomically.

    Running it again with the same mapping changes nothing (no old name is left), so an interrupted rotation can
    simply be run again. Document and attachment bodies are the clients' own bytes and are not rewritten.
    """
    store.check_replacements(replacements)
    if not replacements:
        return Rewritten()
    with engine.begin() as conn:
        return Rewritten(
            statements=store.rewrite_statements(conn, replacements),
            agent_links=store.rewrite_agent_links(conn, replacements),
            documents=store.rewrite_documents(conn, replacements),
            credentials=store.rewrite_tenants(conn, replacements),
        )
