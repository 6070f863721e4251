"""A module's history: its stored versions and drafts, and a readable line diff between any two of them."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import select

from learning.authoring.models import Draft
from learning.authoring.services import draft_files, published_files
from learning.content.models import Module, ModuleApproval
from learning.content.publishing import approvals, version_key
from learning.db import db


@dataclass(frozen=True)
class VersionRow:
    version: str
    approval: ModuleApproval | None
    shown: bool  # the version learners now start


def module_versions(module: Module) -> list[VersionRow]:
    """Every stored version, newest first, with its approval (None: stored from git and never approved)."""
    approved = approvals(module)
    versions = sorted({t.version for t in module.texts}, key=version_key, reverse=True)
    return [VersionRow(v, approved.get(v), v == module.current_version) for v in versions]


def module_drafts(slug: str) -> list[Draft]:
    return list(db.session.scalars(select(Draft).where(Draft.slug == slug).order_by(Draft.id.desc())))


def files_of(module: Module, name: str) -> dict[str, bytes] | None:
    """The files of 'v<version>' or 'd<draft id>' ('' when the name matches nothing)."""
    if name.startswith("v") and name[1:] in {t.version for t in module.texts}:
        return published_files(module, name[1:])
    if name.startswith("d") and name[1:].isdigit():
        draft = db.session.get(Draft, int(name[1:]))
        if draft is not None and draft.slug == module.slug:
            return draft_files(draft)
    return None


@dataclass(frozen=True)
class FileDiff:
    path: str
    html: Markup  # a table of changed lines, every text escaped
    note: str  # "added", "removed", "changed", "binary changed"


def diff(old: dict[str, bytes], new: dict[str, bytes]) -> list[FileDiff]:
    """Per file that differs: its changed lines with 3 lines of context (binary files: only that they changed)."""
    found = []
    for path in sorted(old.keys() | new.keys()):
        a, b = old.get(path), new.get(path)
        if a == b:
            continue
        note = "added" if a is None else "removed" if b is None else "changed"
        try:
            a_lines = (a or b"").decode("utf-8").splitlines()
            b_lines = (b or b"").decode("utf-8").splitlines()
        except UnicodeDecodeError:
            found.append(FileDiff(path, Markup(""), "binary " + note))
            continue
        found.append(FileDiff(path, _table(a_lines, b_lines), note))
    return found


def _table(a: list[str], b: list[str]) -> Markup:
    rows = []
    for line in difflib.unified_diff(a, b, lineterm="", n=3):
        if line.startswith(("---", "+++")):
            continue
        kind = {"@": "hunk", "+": "added", "-": "removed"}.get(line[:1], "same")
        sign = {"added": "+", "removed": "-", "hunk": "…", "same": ""}[kind]
        said = {"added": _("added:"), "removed": _("removed:"), "hunk": "", "same": ""}[kind]
        text = line if kind == "hunk" else line[1:]
        row = Markup('<tr class="diff-{}"><td><span aria-hidden="true">{}</span><span class="visually-hidden">{}'
                     "</span></td><td><code>{}</code></td></tr>")  # fmt: skip
        rows.append(row.format(kind, sign, said, text or "\u00a0"))
    if not rows:
        return Markup("")
    head = Markup('<thead><tr><th scope="col"><span class="visually-hidden">{}</span></th><th scope="col">'
                  '<span class="visually-hidden">{}</span></th></tr></thead>')  # fmt: skip
    head = head.format(_("Change"), _("Line"))
    return Markup('<table class="diff">{}<tbody>{}</tbody></table>').format(head, Markup("").join(rows))


__all__ = ["FileDiff", "VersionRow", "diff", "escape", "files_of", "module_drafts", "module_versions"]
