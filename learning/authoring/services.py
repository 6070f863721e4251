"""Drafts and their review: who may do what, saves that never overwrite silently, and publishing an approval.

Views call these functions and show AuthoringError's message; tests call them directly. Every action a person takes
on a draft is kept as a DraftEvent (who, when, on which content hash).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update

from learning.accounts.models import Role, User
from learning.authoring.models import Draft, DraftEvent, DraftFile, DraftStatus
from learning.content.loader import LANGUAGES, SLUG, Problem
from learning.content.models import Module
from learning.content.publishing import Approver, folder_files, version_files, version_hash
from learning.db import db, utcnow
from learning.demo.accounts import DEMO_ACCOUNTS


def _l(message: str) -> str:
    """Mark a message for translation (babel extracts `_l`); views translate it when they show it.

    Services run in the CLI and in tests too, where no request says which language to use.
    """
    return message


AUTHORS = {Role.AUTHOR, Role.ADMIN}
REVIEWERS = {Role.REVIEWER, Role.ADMIN}
# A file name inside a module folder: lower-case words, one optional sub-folder (media/), a known suffix.
SAFE_PATH = re.compile(r"^(?:[a-z0-9][a-z0-9._-]{0,80}/)?[a-z0-9][a-z0-9._-]{0,80}$")
ALLOWED_SUFFIXES = {".md", ".svg", ".png", ".jpg", ".jpeg", ".webp", ".gif", ".vtt", ".mp4", ".webm"}
STALE = _l("Someone else saved this draft after you opened it. Nothing was overwritten. Compare both texts.")
MB = 1024 * 1024
MAX_FILE_BYTES = 15 * MB  # the largest upload the editor accepts (a video); the request limit is 16 MB


class AuthoringError(Exception):
    """An action that is not allowed now; the message says what to do (shown in the page, role="alert").

    `message` is the English msgid with %(name)s placeholders filled from `params` (see views.say).
    """

    def __init__(self, message: str, problems: list[Problem] | None = None, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params
        self.problems = problems or []


class NotAllowed(AuthoringError):
    """The person's role may not do this (the page answers 403)."""


class StaleSave(AuthoringError):
    """Someone saved the draft after this editor opened it: nothing was overwritten, both texts are kept."""

    def __init__(self, message: str, *, theirs: str, yours: str, revision: int) -> None:
        super().__init__(message)
        self.theirs, self.yours, self.revision = theirs, yours, revision


def can_author(user: User) -> bool:
    return user.role in AUTHORS


def can_review(user: User) -> bool:
    return user.role in REVIEWERS


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def reviewer_name(user: User) -> str:
    """The name a published version records as its reviewer: a pseudonym, not the person's name or e-mail.

    Published files go to git and may be shared; who approved stays attributable in the database (the approval's
    reviewer account and the draft's events), so the file needs no personal data.
    """
    key = str(current_app.config["SECRET_KEY"]).encode()
    return "reviewer-" + hmac.new(key, f"user:{user.id}".encode(), hashlib.sha256).hexdigest()[:8]


DEMO_EMAILS = frozenset(email for email, *_ in DEMO_ACCOUNTS)


def approver_for(user: User) -> Approver:
    """An approval by this account; demo accounts are no clinicians (learners are told so on every step)."""
    return Approver(user_id=user.id, name=reviewer_name(user), clinical=user.email not in DEMO_EMAILS)


# --- reading a draft ------------------------------------------------------------------------------------------


def draft_files(draft: Draft) -> dict[str, bytes]:
    """The draft as a module folder: path -> bytes."""
    return {f.path: f.data for f in draft.files}


def draft_sources(draft: Draft) -> dict[str, str]:
    """Each language's Markdown (language -> text), Dutch first."""
    found = {
        f.path[:-3]: f.data.decode("utf-8") for f in draft.files if f.path[:-3] in LANGUAGES and f.path.endswith(".md")
    }
    return dict(sorted(found.items(), key=lambda item: LANGUAGES.index(item[0])))


def draft_media(draft: Draft) -> dict[str, bytes]:
    """Every file that is not a language's Markdown: pictures, captions, videos."""
    sources = {f"{language}.md" for language in LANGUAGES}
    return {f.path: f.data for f in draft.files if f.path not in sources}


def draft_hash(draft: Draft) -> str:
    return version_hash(draft_files(draft))


def get_draft(draft_id: int) -> Draft | None:
    return db.session.get(Draft, draft_id)


def _event(draft: Draft, kind: str, user: User, **fields: object) -> DraftEvent:
    event = DraftEvent(draft=draft, kind=kind, user_id=user.id, at=utcnow(), **fields)
    db.session.add(event)
    return event


def contributors(draft: Draft) -> set[int]:
    """Everyone who created or edited the draft: none of them may approve it."""
    return {e.user_id for e in draft.events if e.kind in {"created", "edited"}}


def check_path(path: str) -> AuthoringError | None:
    """Return why a file name cannot be part of a module folder, or None when it can."""
    if not SAFE_PATH.match(path) or ".." in path:
        message = _l(
            "%(name)s: file names may hold only lower-case letters, digits, '-', '_' and '.', in at most one folder."
        )
        return AuthoringError(message, name=path)
    if Path(path).suffix not in ALLOWED_SUFFIXES:
        message = _l("%(name)s is not a file a module can hold. Allowed: %(allowed)s.")
        return AuthoringError(message, name=path, allowed=", ".join(sorted(ALLOWED_SUFFIXES)))
    return None


# --- creating drafts ------------------------------------------------------------------------------------------


def _new_draft(slug: str, files: dict[str, bytes], user: User, base_version: str | None, how: str) -> Draft:
    _require(can_author(user), _l("Only authors can write drafts."))
    if not SLUG.match(slug):
        raise AuthoringError(
            _l("The short name may hold only lower-case letters, digits and dashes, like bloeddruk-meten.")
        )
    draft = Draft(slug=slug, base_version=base_version, status=DraftStatus.EDITING, revision=1, created_by_id=user.id,
                  created_at=utcnow(), updated_at=utcnow())  # fmt: skip
    draft.files = [DraftFile(path=path, data=data) for path, data in sorted(files.items())]
    db.session.add(draft)
    _event(draft, "created", user, content_hash=version_hash(files), message=how)
    db.session.commit()
    return draft


def published_files(module: Module, version: str) -> dict[str, bytes]:
    """A stored version's folder; a version stored before files were kept is read from the content folder."""
    files = version_files(module, version)
    if not files:
        folder = Path(current_app.config["CONTENT_DIR"]) / module.slug
        files = folder_files(folder) if folder.is_dir() else {}
    return files


def newest_version(module: Module) -> str:
    from learning.content.publishing import version_key

    return max((t.version for t in module.texts), key=version_key, default="")


def create_from_published(slug: str, user: User, version: str | None = None) -> Draft:
    """Start a draft from a stored version (the shown one, else the newest stored); also 'restore' an old one."""
    module = db.session.scalar(select(Module).where(Module.slug == slug))
    if module is None:
        raise AuthoringError(_l("There is no module with this short name."))
    version = version or module.current_version or newest_version(module)
    if version not in {t.version for t in module.texts}:
        raise AuthoringError(_l("This version does not exist."))
    how = f"restored {version}" if version != (module.current_version or version) else f"from {version}"
    return _new_draft(slug, published_files(module, version), user, version, how)


def create_from_template(slug: str, audience: str, user: User) -> Draft:
    """Start a new module from the template of its audience, in Dutch and English."""
    from learning.authoring.starters import starter_files

    if db.session.scalar(select(Module.id).where(Module.slug == slug)) is not None:
        raise AuthoringError(_l("A module with this short name exists already: open it from the list and edit it."))
    return _new_draft(slug, starter_files(audience), user, None, f"template {audience}")


# --- saving ---------------------------------------------------------------------------------------------------


def save_file(draft: Draft, path: str, data: bytes, expected_revision: int, user: User) -> Draft:
    """Store one file of the draft if nobody saved since `expected_revision`; else raise StaleSave with both texts."""
    return save_files(draft, {path: data}, expected_revision, user)


def save_files(
    draft: Draft, files: dict[str, bytes], expected_revision: int, user: User, *, uploaded: bool = False
) -> Draft:
    """Store files of the draft together, as one new revision, if nobody saved since `expected_revision`.

    The revision check is one UPDATE … WHERE revision = expected, so two saves at the same moment cannot both win;
    the loser gets StaleSave with the saved and its own text of the first file. A video and its captions go in
    together (all or nothing). An edit after a submission or approval withdraws it: a reviewer approves exactly
    one content. `uploaded` keeps an "uploaded" event naming the files, so the review record shows who added which.
    """
    _require(can_author(user), _l("Only authors can change drafts."))
    if draft.status is DraftStatus.PUBLISHED:
        raise AuthoringError(_l("This draft is published and cannot change. Start a new draft from the module."))
    for path, data in files.items():
        problem = check_path(path)
        if problem:
            raise problem
        if len(data) > MAX_FILE_BYTES:
            raise AuthoringError(_l("The file is larger than %(mb)d MB."), mb=MAX_FILE_BYTES // MB)
    won = db.session.execute(
        update(Draft)
        .where(Draft.id == draft.id, Draft.revision == expected_revision)
        .values(revision=Draft.revision + 1, updated_at=utcnow())
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        db.session.refresh(draft)
        path, data = next(iter(files.items()))
        theirs = next((f.data for f in draft.files if f.path == path), b"")
        raise StaleSave(
            STALE,
            theirs=theirs.decode("utf-8", "replace") if path.endswith(".md") else "",
            yours=data.decode("utf-8", "replace") if path.endswith(".md") else "",
            revision=draft.revision,
        )
    db.session.refresh(draft)
    stored = {f.path: f for f in draft.files}
    for path, data in files.items():
        if path in stored:
            stored[path].data = data
        else:
            draft.files.append(DraftFile(path=path, data=data))
    if user.id not in {e.user_id for e in draft.events if e.kind in {"created", "edited"}}:
        _event(draft, "edited", user)
    if uploaded:
        _event(draft, "uploaded", user, content_hash=draft_hash(draft), message=", ".join(sorted(files)))
    if draft.status in {DraftStatus.SUBMITTED, DraftStatus.APPROVED} and draft_hash(draft) not in {
        draft.submitted_hash,
        draft.approved_hash,
    }:
        draft.status, draft.submitted_hash, draft.approved_hash = DraftStatus.EDITING, None, None
        _event(draft, "withdrawn", user, message="changed after submission: needs a new review")
    db.session.commit()
    return draft


def delete_file(draft: Draft, path: str, expected_revision: int, user: User) -> Draft:
    """Remove a picture or caption (never a language's text) under the same revision check as a save."""
    _require(can_author(user), _l("Only authors can change drafts."))
    if path in {f"{language}.md" for language in LANGUAGES}:
        raise AuthoringError(_l("A language's text cannot be removed; empty it instead."))
    if path not in {f.path for f in draft.files}:
        raise AuthoringError(_l("There is no file %(name)s in this draft."), name=path)
    save_file(draft, path, b"", expected_revision, user)
    draft.files = [f for f in draft.files if f.path != path]
    _event(draft, "removed", user, content_hash=draft_hash(draft), message=path)
    db.session.commit()
    return draft
