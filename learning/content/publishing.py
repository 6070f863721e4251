"""Which stored versions learners see: a version is shown only once a reviewer approved exactly its files.

`flask content load` (the git path) and the web workflow (learning.authoring) both end here, so there is one rule:
Module.current_version is the newest approved version, "" while no version of the module is approved. Attempts pin
the version they started on, so a learner mid-way keeps theirs when a newer one is approved.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from learning.content.models import Module, ModuleApproval, ModuleFile
from learning.db import db, utcnow


@dataclass(frozen=True)
class Approver:
    """Who approves a version: an account (None for a test fixture), the name the version records, and whether
    that person is a real clinician (False for demo accounts: every step then says the text was never checked)."""

    user_id: int | None
    name: str
    clinical: bool


def folder_files(folder: Path) -> dict[str, bytes]:
    """Every file of a module folder by its path inside the folder ('/'-separated), byte for byte."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    }


def version_hash(files: dict[str, bytes]) -> str:
    """One hash for a set of files: what an approval names, so a change to any file needs a new approval."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + hashlib.sha256(files[path]).hexdigest().encode() + b"\n")
    return digest.hexdigest()


def version_key(version: str) -> tuple[int, ...]:
    """Order versions as numbers: 1.10.0 comes after 1.9.0."""
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def store_files(module: Module, version: str, files: dict[str, bytes]) -> None:
    """Keep the files of a newly stored version (a stored version never changes, so existing rows stay)."""
    stored = set(
        db.session.scalars(
            select(ModuleFile.path).where(ModuleFile.module_id == module.id, ModuleFile.version == version)
        )
    )
    for path, data in files.items():
        if path not in stored:
            db.session.add(ModuleFile(module_id=module.id, version=version, path=path, data=data))


def version_files(module: Module, version: str) -> dict[str, bytes]:
    """The files of a stored version (empty for a version stored before files were kept)."""
    rows = db.session.execute(
        select(ModuleFile.path, ModuleFile.data).where(ModuleFile.module_id == module.id, ModuleFile.version == version)
    )
    return {row.path: row.data for row in rows}


def version_file(module: Module, version: str, path: str) -> bytes | None:
    """One file of a stored version, or None."""
    return db.session.scalar(
        select(ModuleFile.data).where(
            ModuleFile.module_id == module.id, ModuleFile.version == version, ModuleFile.path == path
        )
    )


def has_files(module: Module, version: str) -> bool:
    return (
        db.session.scalar(
            select(ModuleFile.id).where(ModuleFile.module_id == module.id, ModuleFile.version == version).limit(1)
        )
        is not None
    )


def approve_version(module: Module, version: str, content_hash: str, approver: Approver) -> ModuleApproval:
    """Record the approval of a stored version (once: an approved version stays approved) and show the newest."""
    approval = db.session.scalar(
        select(ModuleApproval).where(ModuleApproval.module_id == module.id, ModuleApproval.version == version)
    )
    if approval is None:
        approval = ModuleApproval(
            module_id=module.id,
            version=version,
            content_hash=content_hash,
            reviewer_id=approver.user_id,
            reviewer_name=approver.name,
            clinical=approver.clinical,
            approved_at=utcnow(),
        )
        db.session.add(approval)
        db.session.flush()
    refresh_visible(module)
    return approval


def approvals(module: Module) -> dict[str, ModuleApproval]:
    """The module's approvals by version."""
    rows = db.session.scalars(select(ModuleApproval).where(ModuleApproval.module_id == module.id))
    return {row.version: row for row in rows}


def refresh_visible(module: Module) -> None:
    """Point current_version at the newest approved version that has texts, and take its settings."""
    from learning.content.services import get_document, get_module_text

    stored = {text.version for text in module.texts}
    approved = sorted((v for v in approvals(module) if v in stored), key=version_key)
    newest = approved[-1] if approved else ""
    if newest and newest != module.current_version:
        module.current_version = newest
        module.updated_at = utcnow()
        text = get_module_text(module, newest, "nl")
        if text is not None:
            nl = get_document(text)
            module.audiences = ",".join(nl.audiences)
            module.minutes, module.mastery_score = nl.minutes, nl.mastery_score
    elif not newest:
        module.current_version = ""
    module.updated_at = utcnow()  # the per-worker caches of texts and approvals are keyed by it


def is_visible(module: Module) -> bool:
    """Whether learners may open the module at all: some version of it was approved."""
    return bool(module.current_version)


def clinically_checked(module: Module, version: str, review: str) -> bool:
    """Whether a real clinician checked this version: approved by a non-demo reviewer and not `review: pending`.

    Read on every step view, so kept per worker under (module id, updated_at) like the texts.
    """
    key = (module.id, module.updated_at)
    checked = _CHECKED.get(key)
    if checked is None:
        rows = db.session.execute(
            select(ModuleApproval.version, ModuleApproval.clinical).where(ModuleApproval.module_id == module.id)
        )
        checked = {row.version: bool(row.clinical) for row in rows}
        if len(_CHECKED) >= 1024:
            _CHECKED.clear()
        _CHECKED[key] = checked
    return review == "reviewed" and checked.get(version, False)


_CHECKED: dict[tuple[int, object], dict[str, bool]] = {}
