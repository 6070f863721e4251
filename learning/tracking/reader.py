"""Read statements back from the LRS through xAPI: the LMS's only way to learn what the LRS holds.

Two readers share one shape (`read_statements(since, ...)` yielding xAPI JSON in stored order, following `more`):
an in-process reader that calls the query function app.py wires (the built-in LRS, no HTTP to ourselves), and a
remote reader in client.py that queries any conformant LRS through tincan. The metrics never read LRS tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from flask import current_app

PAGE = 500  # the most statements one page may hold (the built-in LRS caps `limit` at 500)
QueryFunction = Callable[[Mapping[str, str]], dict[str, Any]]


class ReadError(Exception):
    """The LRS could not be read; nothing read after the failing page is yielded."""


class StatementReader(Protocol):
    def read_statements(
        self, since: datetime | None, *, limit: int = PAGE, verb: str | None = None
    ) -> Iterator[dict[str, Any]]: ...


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

    def __init__(self, query: QueryFunction) -> None:
        self._query = query

    def read_statements(
        self, since: datetime | None, *, limit: int = PAGE, verb: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Yield statements stored after `since` (all when None), oldest first, optionally of one verb only."""
        params: Mapping[str, str] = statement_params(since, limit=limit, verb=verb)
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
