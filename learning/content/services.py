"""Load modules_content/ into the database and hand parsed modules to the player."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import select

from learning.content.cached import module_documents, module_readability
from learning.content.document import ModuleDocument
from learning.content.loader import (
    ContentError,
    Problem,
    iter_module_folders,
    parse_module_file,
)
from learning.content.models import Module, ModuleText
from learning.content.publishing import (
    Approver,
    approve_version,
    folder_files,
    refresh_visible,
    store_files,
    version_hash,
)
from learning.db import db, utcnow


@dataclass(frozen=True)
class LoadReport:
    added: list[str]
    updated: list[str]
    unchanged: list[str]


def module_folders(root: Path) -> list[Path]:
    """Return the module folders `check` and `load` read: root itself when it is a module folder (holds
    language files such as nl.md), else the module folders under it. Both commands must read the same folders:
    checking a module's own folder used to find no module under it and say "All modules are fine" for a module
    that `load` refused."""
    is_module = any(len(file.stem) == 2 and file.stem.islower() for file in root.glob("*.md"))  # nl.md, en.md
    return [root] if is_module else iter_module_folders(root)


def check_content(root: Path) -> list[Problem]:
    """Return every problem in the module files under root (empty when all can be published).

    This is the file half of what load_content checks; check_published is the database half.
    """
    if not root.is_dir():
        return [Problem(str(root), 1, "content folder not found: give the folder that holds the module folders")]
    folders = module_folders(root)
    if not folders:
        return [Problem(str(root), 1, "no module found: give a module folder or the folder that holds them")]
    problems: list[Problem] = []
    for folder in folders:
        try:
            module_documents(folder)
        except ContentError as exc:
            problems.extend(exc.problems)
            continue
        problems.extend(module_readability(folder))  # taalniveau B1 for patient/caregiver modules
    return problems


def check_published(root: Path) -> list[Problem]:
    """Return the texts that changed without a version bump, compared with what the database has published.

    Call after check_content found nothing (it parses the modules again). Needs an app context.
    """
    problems: list[Problem] = []
    for folder in module_folders(root):
        for language, document in module_documents(folder).items():
            module = db.session.scalar(select(Module).where(Module.slug == document.slug))
            source = (folder / f"{language}.md").read_text(encoding="utf-8")
            if module is not None and _changed_without_bump(module, document, source):
                problems.append(Problem(str(folder / f"{language}.md"), 1, _NO_BUMP % document.version))
    return problems


def load_content(root: Path, approver: Approver | None = None) -> LoadReport:
    """Store each module's current version; a changed text without a version bump is refused.

    A stored version is shown to learners only once approved: with `approver`, each loaded version is approved by
    that reviewer (`flask content load --approve-as`, the demo, the tests); without, it waits for a review.

    :raises ContentError: when any module is broken; nothing is stored then.
    """
    problems = check_content(root) or check_published(root)
    if problems:
        raise ContentError(problems)
    report = LoadReport([], [], [])
    try:
        for folder in module_folders(root):
            documents = module_documents(folder)
            module = _store_module(folder, documents, report)
            if approver is not None:
                approve_version(module, documents["nl"].version, version_hash(folder_files(folder)), approver)
    except ContentError:
        db.session.rollback()  # modules stored before the refused one must not reach a later commit
        raise
    db.session.commit()
    return report


_NO_BUMP = "text changed but version %s was already published: bump 'version'"


def _changed_without_bump(module: Module, document: ModuleDocument, source: str) -> bool:
    digest = hashlib.sha256(source.encode()).hexdigest()
    return any(
        t.version == document.version and t.language == document.language and t.content_hash != digest
        for t in module.texts
    )


def store_module(folder: Path) -> Module:
    """Store one checked module folder's version (its texts and every file) without approving it."""
    report = LoadReport([], [], [])
    return _store_module(folder, module_documents(folder), report)


def _store_module(folder: Path, documents: dict[str, ModuleDocument], report: LoadReport) -> Module:
    nl = documents["nl"]
    module = db.session.scalar(select(Module).where(Module.slug == nl.slug))
    if module is None:
        # not shown to learners ("" = no version) until a version is approved: see learning.content.publishing
        module = Module(slug=nl.slug, audiences=",".join(nl.audiences), minutes=nl.minutes,
                        mastery_score=nl.mastery_score, current_version="")  # fmt: skip
        db.session.add(module)
        report.added.append(nl.slug)
    changed = False
    for language, document in documents.items():
        source = (folder / f"{language}.md").read_text(encoding="utf-8")
        changed |= _store_text(module, document, source)
    if changed and nl.slug not in report.added:
        report.updated.append(nl.slug)
    elif not changed:
        report.unchanged.append(nl.slug)
    db.session.flush()
    store_files(module, nl.version, folder_files(folder))
    module.updated_at = utcnow()
    refresh_visible(module)  # a newer version stays hidden until approved; settings follow the shown version
    return module


def _store_text(module: Module, document: ModuleDocument, source: str) -> bool:
    digest = hashlib.sha256(source.encode()).hexdigest()
    existing = next(
        (t for t in module.texts if t.version == document.version and t.language == document.language), None
    )
    if existing is not None:
        if existing.content_hash != digest:  # check_published found none; a concurrent load stored one since
            raise ContentError([Problem(f"{document.slug}/{document.language}.md", 1, _NO_BUMP % document.version)])
        return False
    db.session.add(
        ModuleText(
            module=module,
            version=document.version,
            language=document.language,
            title=document.title,
            summary=document.summary,
            source=source,
            content_hash=digest,
        )
    )
    return True


def list_modules_for(audience: str | None, language: str) -> list[tuple[Module, PublishedText]]:
    """Return modules for an audience (None: all) with their text in `language`, else the closest (get_module_text)."""
    modules = db.session.scalars(select(Module).where(Module.current_version != "").order_by(Module.slug)).all()
    return [
        (module, text)
        for module in modules
        if audience is None or audience in module.audience_list
        if (text := get_module_text(module, module.current_version, language)) is not None
    ]


class ModuleKey(Protocol):
    """What the text look-ups read of a module: a Module, or the same three columns read as plain data by a page
    that needs no ORM object (learning/progress)."""

    @property
    def id(self) -> int: ...

    @property
    def slug(self) -> str: ...

    @property
    def updated_at(self) -> datetime: ...


@dataclass(frozen=True)
class PublishedText:
    """What pages read of one stored text (one language of one version), without its Markdown source.

    Plain data, so a worker can keep it between requests: see published_texts.
    """

    id: int
    module_id: int
    slug: str
    version: str
    language: str
    title: str
    summary: str
    content_hash: str

    @property
    def source(self) -> str:
        """The stored Markdown, read from the database when asked (pages never need it: get_document keeps parses)."""
        return db.session.scalar(select(ModuleText.source).where(ModuleText.id == self.id)) or ""


def published_texts(module: ModuleKey) -> dict[tuple[str, str], PublishedText]:
    """Return the module's texts by (version, language), read from the database once per worker and load.

    A published text never changes under its version, and every `content load` of a module sets its updated_at,
    also when it only adds a language: so (module id, updated_at) names one set of texts, and a page that has the
    module row needs no query (and no ORM objects) for its texts. Before, every step, answer and progress page
    loaded them, and the catalogue loaded every text of every module.
    """
    key = (module.id, module.updated_at)
    texts = _TEXTS.get(key)
    if texts is None:
        rows = db.session.execute(
            select(ModuleText.id, ModuleText.version, ModuleText.language, ModuleText.title, ModuleText.summary,
                   ModuleText.content_hash).where(ModuleText.module_id == module.id)
        )  # fmt: skip
        texts = {
            (row.version, row.language): PublishedText(
                row.id, module.id, module.slug, row.version, row.language, row.title, row.summary, row.content_hash
            )
            for row in rows
        }
        if len(_TEXTS) >= _TEXTS_KEPT:
            _TEXTS.clear()
        _TEXTS[key] = texts
    return texts


_TEXTS: dict[tuple[int, object], dict[tuple[str, str], PublishedText]] = {}
_TEXTS_KEPT = 1024


def get_module_text(module: ModuleKey, version: str, language: str) -> PublishedText | None:
    """Return the text of a version in the language asked for, else in the closest language it exists in.

    German falls back to English before Dutch (see learning.i18n); the caller compares text.language with the
    interface language to show the "not available in your language" note.
    """
    from learning.i18n import CONTENT_FALLBACK

    texts = published_texts(module)
    for candidate in CONTENT_FALLBACK.get(language, (language, "nl")):
        if (version, candidate) in texts:
            return texts[version, candidate]
    return texts.get((version, "nl"))


def get_document(text: ModuleText | PublishedText) -> ModuleDocument:
    """Return the parsed module for a stored text, parsed once per process.

    A published text never changes under its version (a change needs a version bump), so the parse is keyed by the
    text's hash and the stored Markdown is loaded only on a miss: a page view costs no parse and no source column.
    """
    slug = text.slug if isinstance(text, PublishedText) else text.module.slug
    key = (slug, text.language, text.content_hash)
    document = _DOCUMENTS.get(key)
    if document is None:
        document = parse_module_file(Path(key[0]) / f"{key[1]}.md", text=text.source)
        if len(_DOCUMENTS) >= _DOCUMENTS_KEPT:
            _DOCUMENTS.clear()
        _DOCUMENTS[key] = document
    return document


_DOCUMENTS: dict[tuple[str, str, str], ModuleDocument] = {}
_DOCUMENTS_KEPT = 512


def get_module(slug: str) -> Module | None:
    """Return a module by slug."""
    return db.session.scalar(select(Module).where(Module.slug == slug))
