"""Telling the host application that statements were read over HTTP, so it can log the access.

The LRS never imports the LMS: the application passes a callback to lrs.init_app(on_statements_read=...), and the
statements resource calls it with a ReadEvent after a successful GET (or HEAD, or alternate-syntax GET). The LMS's
own in-process reads do not go through HTTP and are not reported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask import current_app, g, request


@dataclass(frozen=True)
class ReadEvent:
    """One successful read of statements over /xapi."""

    credential_key: str
    params: Mapping[str, str]  # the query it ran; a `more` page reports the first page's query
    statements: int  # how many statements the answer carries
    path: str


StatementsReadHook = Callable[[ReadEvent], None]


def report_read(params: Mapping[str, str], statements: int) -> None:
    """Call the application's hook, if any, before the answer is sent: a read its host cannot log fails."""
    hook: StatementsReadHook | None = current_app.extensions["lrs"].on_statements_read
    if hook is not None:
        hook(ReadEvent(g.lrs_credential.key, dict(params), statements, request.path))
