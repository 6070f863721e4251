"""What the item analysis page needs: a module's statements read over xAPI (never the LRS tables), folded per
version and kept for a few minutes, the version's text in the reader's language, and where each step and question
sits in the open draft's Markdown so the editor opens on its line.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime

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

FRESH_SECONDS = 300  # figures are read again after 5 minutes; the page says when they were read


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


def tallies(slug: str) -> tuple[datetime, dict[str, Tally]]:
    """Every version's tally of a module, read through the app's xAPI reader at most once per FRESH_SECONDS.

    Kept per app (a test's app never sees another's figures) and per module; a ReadError travels to the view.
    """
    cache: dict[str, tuple[float, datetime, dict[str, Tally]]] = current_app.extensions.setdefault("vtc.analysis", {})
    kept = cache.get(slug)
    if kept is not None and time.monotonic() - kept[0] < FRESH_SECONDS:
        return kept[1], kept[2]
    iri = module_iri(slug)
    read_at, folded = utcnow(), fold(current_reader().read_activity(iri), iri)
    cache[slug] = (time.monotonic(), read_at, folded)
    return read_at, folded


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
