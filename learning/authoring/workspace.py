"""What the workspace lists, in the order a person needs it: a reviewer first what waits for their review, an
author first their own drafts (created or edited), then the others' drafts, then every module. Each row is named by
the module's title in the reader's language (the slug is a file name, not a name people use) and says its state and
when it last changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from learning.accounts.models import User
from learning.authoring.models import Draft, DraftFile, DraftStatus
from learning.authoring.services import can_review, contributors
from learning.content.loader import LANGUAGES
from learning.content.models import Module
from learning.content.publishing import version_key
from learning.content.services import get_module_text, published_texts
from learning.db import db

# The events that move a draft between states; the newest one says whether an 'editing' draft was sent back.
STATE_EVENTS = {"submitted", "sent_back", "approved", "withdrawn", "published", "created"}
_TITLE = re.compile(r"^title:\s*(.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class DraftRow:
    draft: Draft
    title: str
    state: str  # draft, submitted, sent_back, approved, published
    changed_at: datetime
    mine: bool


@dataclass(frozen=True)
class ModuleRow:
    module: Module
    title: str
    shown_version: str  # the version learners see ('' when none is approved)
    newest_version: str
    changed_at: datetime


@dataclass(frozen=True)
class Workspace:
    to_review: list[DraftRow]  # submitted by others, oldest first (empty for people who cannot review)
    mine: list[DraftRow]  # drafts I created or edited, newest change first
    others: list[DraftRow]  # the rest of the open drafts, newest change first
    modules: list[ModuleRow]  # every module, by title


def draft_state(draft: Draft) -> str:
    """The state a person reads: a draft being written, sent for review, sent back, approved or published."""
    if draft.status is DraftStatus.EDITING:
        last = next((e.kind for e in reversed(draft.events) if e.kind in STATE_EVENTS), "created")
        return "sent_back" if last == "sent_back" else "draft"
    return {DraftStatus.SUBMITTED: "submitted", DraftStatus.APPROVED: "approved"}.get(draft.status, "published")


def _front_title(data: bytes) -> str | None:
    """The title in a draft's front matter (read leniently: a draft being written may not parse)."""
    text = data.decode("utf-8", "replace")
    end = text.find("\n---", 3)
    match = _TITLE.search(text[: end if end > 0 else len(text)])
    return (match.group(1).strip().strip("'\"") or None) if match else None


def draft_title(draft: Draft, texts: dict[str, bytes], language: str) -> str:
    """The draft's title in `language`, else in Dutch, else its slug (`texts`: its Markdown files by path)."""
    for path in (f"{language}.md", "nl.md"):
        title = _front_title(texts[path]) if path in texts else None
        if title:
            return title
    return draft.slug


def module_title(module: Module, language: str) -> tuple[str, str]:
    """The module's title in `language` (else the closest one) of the version learners see, else the newest; and
    that newest version."""
    versions = sorted({version for version, _language in published_texts(module)}, key=version_key)
    newest = versions[-1] if versions else ""
    text = get_module_text(module, module.current_version or newest, language)
    return (text.title if text else module.slug), newest


def _draft_row(draft: Draft, texts: dict[str, bytes], user: User, language: str) -> DraftRow:
    last_event = max((e.at for e in draft.events), default=draft.updated_at)
    return DraftRow(draft, draft_title(draft, texts, language), draft_state(draft), max(draft.updated_at, last_event),
                    user.id in contributors(draft))  # fmt: skip


def workspace(user: User, language: str) -> Workspace:
    """The workspace of `user`, with titles in `language`."""
    drafts = db_drafts()
    texts = draft_texts([d.id for d in drafts])
    rows = [_draft_row(d, texts.get(d.id, {}), user, language) for d in drafts]
    to_review = []
    if can_review(user):
        to_review = sorted((r for r in rows if r.state == "submitted" and not r.mine), key=lambda r: r.changed_at)
    waiting = {id(r) for r in to_review}
    newest_first = sorted((r for r in rows if id(r) not in waiting), key=lambda r: r.changed_at, reverse=True)
    modules = []
    for module in db_modules():
        title, newest = module_title(module, language)
        modules.append(ModuleRow(module, title, module.current_version or "", newest, module.updated_at))
    modules.sort(key=lambda m: m.title.casefold())
    return Workspace(to_review, [r for r in newest_first if r.mine], [r for r in newest_first if not r.mine], modules)


def db_drafts() -> list[Draft]:
    """Every open draft (published drafts are history) with its events; its files stay unloaded (pictures, films)."""
    query = (
        select(Draft)
        .where(Draft.status != DraftStatus.PUBLISHED)
        .options(selectinload(Draft.events))
        .order_by(Draft.id)
    )
    return list(db.session.scalars(query))


def draft_texts(draft_ids: list[int]) -> dict[int, dict[str, bytes]]:
    """The Markdown files of these drafts (draft id -> path -> bytes), in one query."""
    found: dict[int, dict[str, bytes]] = {}
    if not draft_ids:
        return found
    paths = [f"{language}.md" for language in LANGUAGES]
    rows = db.session.execute(
        select(DraftFile.draft_id, DraftFile.path, DraftFile.data).where(
            DraftFile.draft_id.in_(draft_ids), DraftFile.path.in_(paths)
        )
    )
    for draft_id, path, data in rows:
        found.setdefault(draft_id, {})[path] = data
    return found


def db_modules() -> list[Module]:
    return list(db.session.scalars(select(Module)))
