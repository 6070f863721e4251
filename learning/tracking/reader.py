"""Read statements back from the LRS through xAPI: the LMS's only way to learn what the LRS holds.

Two readers share one shape (`read_statements(since, ...)` yielding xAPI JSON in stored order, following `more`):
an in-process reader that calls the query function app.py wires (the built-in LRS, no HTTP to ourselves), and a
remote reader in client.py that queries any conformant LRS through tincan. The metrics never read LRS tables.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from flask import current_app

PAGE = 500  # the most statements one page may hold (the built-in LRS caps `limit` at 500)
QueryFunction = Callable[[Mapping[str, str]], dict[str, Any]]
DocumentsFunction = Callable[[Mapping[str, Any]], list[dict[str, Any]]]


@dataclass(frozen=True)
class AgentRecords:
    """What the LRS holds about one person: the statements they appear in (as actor or anywhere else) and their
    State and Agent Profile documents, each with the parameters that address it."""

    statements: list[dict[str, Any]]
    documents: list[dict[str, Any]]


def agent_params(agent: Mapping[str, Any]) -> dict[str, str]:
    """GET /statements parameters for every statement an agent appears in, oldest first."""
    return {"agent": json.dumps(agent), "related_agents": "true", "ascending": "true", "limit": str(PAGE)}


def activity_params(activity: str, since: datetime | None = None) -> dict[str, str]:
    """GET /statements parameters for every statement about an activity or naming it as context (a module's steps
    and questions name the module as their parent), stored after `since` when given, oldest first."""
    return {**statement_params(since, limit=PAGE, verb=None), "activity": activity, "related_activities": "true"}


class ReadError(Exception):
    """The LRS could not be read; nothing read after the failing page is yielded."""


class StatementReader(Protocol):
    def read_statements(
        self, since: datetime | None, *, limit: int = PAGE, verb: str | None = None
    ) -> Iterator[dict[str, Any]]: ...

    def read_agent(self, agent: Mapping[str, Any]) -> AgentRecords: ...

    def read_activity(self, activity: str, since: datetime | None = None) -> Iterator[dict[str, Any]]: ...


def statement_params(since: datetime | None, *, limit: int, verb: str | None) -> dict[str, str]:
    """Return the GET /statements parameters for "everything stored after `since`, oldest first"."""
    params = {"ascending": "true", "limit": str(limit)}
    if since is not None:
        # full precision: `since` is exclusive, and milliseconds would hand back what was stored in that millisecond
        params["since"] = since.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    if verb is not None:
        params["verb"] = verb
    return params


class InProcessReader:
    """Reads the LRS living in this process (the default), page by page, without HTTP."""

    def __init__(self, query: QueryFunction, documents: DocumentsFunction = lambda agent: []) -> None:
        self._query = query
        self._documents = documents

    def read_statements(
        self, since: datetime | None, *, limit: int = PAGE, verb: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Yield statements stored after `since` (all when None), oldest first, optionally of one verb only."""
        return self._pages(statement_params(since, limit=limit, verb=verb))

    def read_activity(self, activity: str, since: datetime | None = None) -> Iterator[dict[str, Any]]:
        """Yield every statement about `activity` or with it in its context (stored after `since`), oldest first."""
        return self._pages(activity_params(activity, since))

    def read_agent(self, agent: Mapping[str, Any]) -> AgentRecords:
        """Return everything the LRS holds about one person."""
        statements = list(self._pages(agent_params(agent)))
        try:
            documents = self._documents(agent)
        except Exception as exc:  # as in _page: the LRS's errors are not ours to import
            raise ReadError(f"built-in LRS could not list the documents: {exc}") from exc
        return AgentRecords(statements, documents)

    def _pages(self, params: Mapping[str, str]) -> Iterator[dict[str, Any]]:
        while True:
            page = self._page(params)
            yield from page["statements"]
            if not page.get("more"):
                return
            params = {"more": page["more"]}

    def _page(self, params: Mapping[str, str]) -> dict[str, Any]:
        try:
            return self._query(params)
        except Exception as exc:  # the LRS's own errors are not ours to import; the reason travels on
            raise ReadError(f"built-in LRS refused the query: {exc}") from exc


def current_reader() -> StatementReader:
    """Return the reader app.py wired for this app (in-process, or remote when LRS_ENDPOINT is set)."""
    reader: StatementReader = current_app.extensions["vtc.reader"]
    return reader
