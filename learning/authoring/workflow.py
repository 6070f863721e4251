"""Submit, review, approve and publish a draft: a learner sees only what a reviewer approved, byte for byte.

Publishing stamps the approval into the front matter (review, reviewed_by, reviewed_at, a new version), writes the
files to a folder and stores them through the same load path as `flask content load`, so ModuleText and ModuleFile
stay the single store of published versions.
"""

from __future__ import annotations

import json
import re
import tempfile
from datetime import date
from pathlib import Path

from learning.accounts.models import User
from learning.authoring.models import Draft, DraftEvent, DraftStatus
from learning.authoring.services import (
    AuthoringError,
    _event,
    _l,
    _require,
    approver_for,
    can_author,
    can_review,
    contributors,
    draft_files,
    draft_hash,
)
from learning.content.loader import VERSION, ContentError, Problem, parse_module_file
from learning.content.models import Module
from learning.content.publishing import Approver, approve_version, version_hash, version_key
from learning.content.services import check_content, get_module, store_module
from learning.db import db, utcnow


def write_folder(root: Path, slug: str, files: dict[str, bytes]) -> Path:
    """Write a set of files as the module folder root/slug and return it."""
    folder = root / slug
    for path, data in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return folder


def check_draft(draft: Draft) -> list[Problem]:
    """Every problem `flask content check` would find in the draft, with paths inside the module folder."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_folder(Path(tmp), draft.slug, draft_files(draft))
        problems = check_content(folder)
        prefix = str(folder) + "/"
        return [
            Problem(p.path.replace(prefix, "").replace(str(folder), draft.slug), p.line, p.message) for p in problems
        ]


def submit(draft: Draft, user: User) -> Draft:
    """Send the draft for review: only a draft without problems; the submission is its content hash."""
    _require(can_author(user), _l("Only authors can send a draft for review."))
    if draft.status is not DraftStatus.EDITING:
        raise AuthoringError(_l("This draft was sent for review already."))
    problems = check_draft(draft)
    if problems:
        raise AuthoringError(_l("Fix the problems below before you send the draft for review."), problems)
    draft.status, draft.submitted_hash = DraftStatus.SUBMITTED, draft_hash(draft)
    _event(draft, "submitted", user, content_hash=draft.submitted_hash)
    db.session.commit()
    return draft


def comment(draft: Draft, user: User, language: str, step: int | None, message: str) -> DraftEvent:
    """A reviewer's (or author's) remark on one step of one language, kept with the content it was made on."""
    _require(can_review(user) or can_author(user), _l("Only reviewers and authors can comment on drafts."))
    message = message.strip()
    if not message:
        raise AuthoringError(_l("Write a comment first."))
    if len(message) > 4000:
        raise AuthoringError(_l("The comment is too long: keep it under 4,000 characters."))
    event = _event(draft, "comment", user, content_hash=draft_hash(draft), language=language, step=step,
                   message=message)  # fmt: skip
    db.session.commit()
    return event


def _check_reviewable(draft: Draft, user: User) -> None:
    _require(can_review(user), _l("Only reviewers can approve or send back drafts."))
    if user.id in contributors(draft):
        raise AuthoringError(_l("You wrote or changed this draft: another reviewer must check it."))
    if draft.status is not DraftStatus.SUBMITTED:
        raise AuthoringError(_l("This draft is not waiting for a review."))
    if draft_hash(draft) != draft.submitted_hash:
        raise AuthoringError(_l("The draft changed after it was sent for review; wait until it is sent again."))


def approve(draft: Draft, user: User, message: str = "") -> Draft:
    """Approve exactly the submitted content; its author may then publish it."""
    _check_reviewable(draft, user)
    draft.status, draft.approved_hash = DraftStatus.APPROVED, draft.submitted_hash
    _event(draft, "approved", user, content_hash=draft.approved_hash, message=message.strip())
    db.session.commit()
    return draft


def send_back(draft: Draft, user: User, message: str) -> Draft:
    """Return the draft to its authors with a reason; they see it beside the text with the step comments."""
    _check_reviewable(draft, user)
    if not message.strip():
        raise AuthoringError(_l("Say what the author should change before you send the draft back."))
    draft.status, draft.submitted_hash = DraftStatus.EDITING, None
    _event(draft, "sent_back", user, content_hash=draft_hash(draft), message=message.strip())
    db.session.commit()
    return draft


def next_version(module: Module | None, wanted: str) -> str:
    """The draft's own version when it is newer than every stored one, else the newest stored with minor + 1."""
    stored = sorted({t.version for t in module.texts} if module else set(), key=version_key)
    if not stored:
        return wanted if VERSION.match(wanted) else "1.0.0"
    if VERSION.match(wanted) and version_key(wanted) > version_key(stored[-1]):
        return wanted
    major, minor, _ = version_key(stored[-1])
    return f"{major}.{minor + 1}.0"


_KEY = re.compile(r"^(?P<key>[a-z_]+):")


def stamp(text: str, values: dict[str, str]) -> str:
    """Set front matter keys (replace their line, else add them before the closing '---'); nothing else changes."""
    lines = text.splitlines(keepends=True)
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if not lines or lines[0].strip() != "---" or end is None:
        raise AuthoringError(_l("The text must start with front matter between two '---' lines."))
    newline = "\r\n" if lines[0].endswith("\r\n") else "\n"
    todo = dict(values)
    for i in range(1, end):
        match = _KEY.match(lines[i])
        if match and match["key"] in todo:
            lines[i] = f"{match['key']}: {todo.pop(match['key'])}{newline}"
    lines[end:end] = [f"{key}: {value}{newline}" for key, value in todo.items()]
    return "".join(lines)


def _approval_of(draft: Draft) -> DraftEvent:
    return next(e for e in reversed(draft.events) if e.kind == "approved" and e.content_hash == draft.approved_hash)


def publish(draft: Draft, user: User, *, today: date | None = None) -> str:
    """Store the approved draft as a new, immutable version shown to learners; return the version.

    Refused unless a reviewer approved exactly the current content (an edit after the approval needs a new one).
    """
    _require(can_author(user) or can_review(user), _l("Only authors and reviewers can publish."))
    if draft.status is not DraftStatus.APPROVED or draft.approved_hash != draft_hash(draft):
        raise AuthoringError(_l("Only an approved draft can be published: send it for review first."))
    approval = _approval_of(draft)
    reviewer = db.session.get(User, approval.user_id)
    if reviewer is None:  # events keep their account (accounts are deactivated, never deleted)
        raise AuthoringError(_l("The reviewer's account no longer exists: send the draft for review again."))
    approver: Approver = approver_for(reviewer)
    files = draft_files(draft)
    module = get_module(draft.slug)
    nl = files.get("nl.md", b"").decode("utf-8")
    wanted = str(_front_version(nl))
    version = next_version(module, wanted)
    stamped_at = (today or utcnow().date()).isoformat()
    values = {"version": version, "review": "reviewed", "reviewed_by": json.dumps(approver.name),
              "reviewed_at": stamped_at}  # fmt: skip
    for path in [p for p in files if p.endswith(".md")]:
        files[path] = stamp(files[path].decode("utf-8"), values).encode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_folder(Path(tmp), draft.slug, files)
        problems = check_content(folder)
        if problems:
            raise AuthoringError(_l("The draft cannot be published: fix these problems."), problems)
        try:
            stored = store_module(folder)
        except ContentError as exc:
            db.session.rollback()
            raise AuthoringError(_l("The draft cannot be published: fix these problems."), exc.problems) from None
    approve_version(stored, version, version_hash(files), approver)
    draft.status, draft.published_version = DraftStatus.PUBLISHED, version
    _event(draft, "published", user, content_hash=version_hash(files), message=version)
    db.session.commit()
    return version


def _front_version(text: str) -> str:
    try:
        return parse_module_file(Path("x") / "nl.md", text=text).version
    except ContentError:
        match = re.search(r"^version:\s*['\"]?([0-9.]+)", text, re.MULTILINE)
        return match.group(1) if match else ""
