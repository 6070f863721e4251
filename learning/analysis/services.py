"""What the item analysis page needs: a module's statements read over xAPI (never the LRS tables), folded per
version and brought up to date at most once a minute, the version's text in the reader's language, and where each
step and question sits in the open draft's Markdown so the editor opens on its line.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from learning.analysis.figures import VersionFigures, figures
from learning.analysis.records import Tally, fold
from learning.authoring.models import Draft, DraftStatus
from learning.authoring.services import draft_sources
from learning.content.models import Module
from learning.content.publishing import version_key
from learning.content.services import get_document, get_module_text
from learning.db import db, utcnow
from learning.tracking.reader import current_reader
from learning.tracking.sync_training import Unmappable, parse_timestamp

REFRESH_SECONDS = 60  # at most once a minute, the statements stored since the last read are read and added
FULL_READ_SECONDS = 3600  # every hour all are read again: a statement voided since then is left out


@dataclass(frozen=True)
class Analysis:
    module: Module
    version: str
    versions: tuple[str, ...]  # newest first
    language: str  # the language the texts are shown in (the reader's, else the closest the version has)
    title: str
    read_at: datetime
    figures: VersionFigures


def module_iri(slug: str) -> str:
    return f"{current_app.config['XAPI_BASE_IRI']}/xapi/module/{slug}"


@dataclass
class _Kept:
    """A module's tallies as last read: when read in full, when last brought up to date, the newest `stored`."""

    full_at: float
    checked_at: float
    read_at: datetime
    last_stored: datetime | None
    tallies: dict[str, Tally]


def _read(slug: str, kept: _Kept | None) -> _Kept:
    """Add what was stored since `kept` was read (all of it when None) through the app's xAPI reader."""
    iri, now = module_iri(slug), time.monotonic()
    since = kept.last_stored if kept else None
    last_stored = since
    folded = kept.tallies if kept else {}

    def noting_stored(statements: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        nonlocal last_stored
        for statement in statements:
            try:
                stored = parse_timestamp(statement.get("stored"))
            except Unmappable:
                stored = None
            if stored is not None and (last_stored is None or stored > last_stored):
                last_stored = stored
            yield statement

    # read all of it first: a read that fails half-way adds nothing, so the next one counts nothing twice
    fresh = list(noting_stored(current_reader().read_activity(iri, since)))
    fold(fresh, iri, into=folded)
    return _Kept(kept.full_at if kept else now, now, utcnow(), last_stored, folded)


def tallies(slug: str) -> tuple[datetime, dict[str, Tally]]:
    """Every version's tally of a module, brought up to date at most once a minute with only the statements stored
    since the last read, and read in full every hour. Call it holding `analysis_lock()`.

    Kept per app (a test's app never sees another's figures) and per module; a ReadError travels to the view, and
    what was kept stays as it was. The hourly full read also drops what a read by `since` cannot see: a statement
    voided since, or one stored in the same instant as the newest one read but committed after that read.
    """
    cache: dict[str, _Kept] = current_app.extensions.setdefault("vtc.analysis", {})
    kept = cache.get(slug)
    now = time.monotonic()
    if kept is None or now - kept.full_at >= FULL_READ_SECONDS:
        kept = cache[slug] = _read(slug, None)
    elif now - kept.checked_at >= current_app.config.get("ANALYSIS_REFRESH_SECONDS", REFRESH_SECONDS):
        kept = cache[slug] = _read(slug, kept)
    return kept.read_at, kept.tallies


def analysis_lock() -> threading.Lock:
    """One lock per app: a refresh adds to the kept tallies, so two requests must not fold or read them at once."""
    lock: threading.Lock = current_app.extensions.setdefault("vtc.analysis.lock", threading.Lock())
    return lock


def analyse(module: Module, version: str | None, language: str) -> Analysis | None:
    """The analysis of one version (the one learners see when None); None for a version the module never had."""
    stored = sorted({t.version for t in module.texts}, key=version_key, reverse=True)
    if not stored:
        return None
    version = version or module.current_version or stored[0]
    if version not in stored:
        return None
    text = get_module_text(module, version, language)
    if text is None:
        return None
    document = get_document(text)
    with analysis_lock():
        read_at, folded = tallies(module.slug)
        found = figures(folded.get(version) or Tally(version), document)
    return Analysis(module, version, tuple(stored), document.language, document.title, read_at, found)


# --- one click to the editor -----------------------------------------------------------------------------------


def open_draft(slug: str) -> Draft | None:
    """The newest draft of the module that is not published yet: the one an author would change."""
    return db.session.scalar(
        select(Draft).where(Draft.slug == slug, Draft.status != DraftStatus.PUBLISHED).order_by(Draft.id.desc())
    )


_FENCE = re.compile(r"^(```|~~~)")
_ID = re.compile(r"^id:\s*['\"]?([a-z0-9-]+)['\"]?\s*$")


def source_lines(text: str) -> tuple[dict[int, int], dict[str, int]]:
    """Where each step ('## ' heading, counted from 1) and each block's `id:` is in a module's Markdown (1-based
    lines), so a link can open the editor on that line."""
    steps: dict[int, int] = {}
    items: dict[str, int] = {}
    lines = text.splitlines()
    start = 0
    if lines and lines[0].strip() == "---":
        start = next((i + 1 for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
    fenced = False
    for index in range(start, len(lines)):
        line = lines[index]
        if _FENCE.match(line):
            fenced = not fenced
        elif fenced and (match := _ID.match(line.strip())):
            items.setdefault(match.group(1), index + 1)
        elif not fenced and line.startswith("## "):
            steps[len(steps) + 1] = index + 1
    return steps, items


def draft_lines(draft: Draft, language: str) -> tuple[str, dict[int, int], dict[str, int]]:
    """The language of the draft to open (the page's, else Dutch) and the lines of its steps and questions."""
    sources = draft_sources(draft)
    language = language if language in sources else "nl"
    steps, items = source_lines(sources.get(language, ""))
    return language, steps, items
