"""A draft's pictures, captions and videos: uploads stored as a new revision, served safely, and checked.

An upload arrives cleaned by the editor's checks (learning/editor/uploads.py). Storing it is a save like a text
save: it names the revision it started from and never overwrites another person's work silently. Serving a file
back trusts nothing about it (a draft may hold files from an imported zip that no check cleaned): the type is
decided from the bytes, never guessed by the browser, and an SVG is shown in a sandbox where no script runs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sqlalchemy import select

from learning.accounts.models import User
from learning.authoring.models import Draft, DraftFile
from learning.authoring.services import AuthoringError, _l, delete_file, draft_sources, save_files
from learning.db import db
from learning.editor.uploads import CleanFile

# What a module file is served as, by its suffix, and the first bytes that file type must start with.
SERVED_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".vtt": "text/vtt; charset=utf-8",
    ".webm": "video/webm",
    ".mp4": "video/mp4",
}
# No script, no plug-in, no form, no link to anything outside: a picture shown on its own stays a picture.
MEDIA_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"


@dataclass(frozen=True)
class StoredUpload:
    """The files as stored (names may have changed to not replace another file) and the draft's new revision."""

    files: tuple[CleanFile, ...]
    revision: int


def served_type(path: str, data: bytes) -> str | None:
    """The Content-Type to serve a draft file with, or None when its bytes are not what its name says.

    A file whose name and content disagree (a script named .png) is offered as a download instead of shown.
    """
    suffix = PurePosixPath(path).suffix.lower()
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    checks = {
        ".png": data.startswith(b"\x89PNG\r\n\x1a\n"),
        ".jpg": data.startswith(b"\xff\xd8\xff"),
        ".jpeg": data.startswith(b"\xff\xd8\xff"),
        ".gif": data[:6] in {b"GIF87a", b"GIF89a"},
        ".webp": data[:4] == b"RIFF" and data[8:12] == b"WEBP",
        ".webm": data[:4] == b"\x1a\x45\xdf\xa3",
        ".mp4": data[4:8] == b"ftyp",
        ".vtt": head.startswith(b"WEBVTT"),
        ".svg": head.startswith(b"<"),
    }
    return SERVED_TYPES[suffix] if checks.get(suffix) else None


def _renamed(name: str, number: int) -> str:
    """`foto.png` -> `foto-2.png`; `film.nl.vtt` -> `film-2.nl.vtt` (a video's captions follow the video)."""
    if number == 1:
        return name
    stem, dot, rest = name.partition(".")
    return f"{stem}-{number}{dot}{rest}"


def _free_names(existing: dict[str, bytes], files: list[CleanFile]) -> dict[str, str]:
    """Names that replace no other file: the upload's own, else the first `-2`, `-3` … free for all of them."""
    for number in range(1, 1000):
        names = {f.filename: _renamed(f.filename, number) for f in files}
        if all(existing.get(names[f.filename], f.data) == f.data for f in files):
            return names
    raise RuntimeError("no free file name")  # a draft holds at most a few hundred files


def store_uploads(draft: Draft, files: list[CleanFile], expected_revision: int, user: User) -> StoredUpload:
    """Store cleaned uploads in the draft as one new revision (a video with its captions: all or nothing).

    A file with the same name and other content is never replaced (a picture may be used on another step):
    the upload gets a free name and its Markdown says that name. The same file uploaded again changes nothing.
    Raises StaleSave when someone saved after `expected_revision`, AuthoringError when the draft cannot change.
    """
    existing = dict(db_files(draft))
    names = _free_names(existing, files)
    stored = tuple(
        dataclasses.replace(
            f, filename=names[f.filename], markdown=f.markdown.replace(f"]({f.filename})", f"]({names[f.filename]})")
        )
        for f in files
    )
    changed = {f.filename: f.data for f in stored if existing.get(f.filename) != f.data}
    if changed:
        save_files(draft, changed, expected_revision, user, uploaded=True)
    return StoredUpload(stored, draft.revision)


def remove_file(draft: Draft, path: str, expected_revision: int, user: User) -> Draft:
    """Remove a picture, caption or film the texts no longer use (a used one would leave a hole in a step)."""
    using = [language for language, text in draft_sources(draft).items() if path in text]
    if using:
        message = _l("%(name)s is still used in the text (%(languages)s). Remove it from the text first, then save.")
        raise AuthoringError(message, name=path, languages=", ".join(using))
    return delete_file(draft, path, expected_revision, user)


def draft_file(draft: Draft, path: str) -> bytes | None:
    """One file of the draft, without loading the others (a draft may hold films of several MB)."""
    query = select(DraftFile.data).where(DraftFile.draft_id == draft.id, DraftFile.path == path)
    return db.session.scalar(query)


def db_files(draft: Draft) -> list[tuple[str, bytes]]:
    """The draft's media files (path, bytes): what a new upload's name is compared with."""
    rows = select(DraftFile.path, DraftFile.data).where(DraftFile.draft_id == draft.id, ~DraftFile.path.like("%.md"))
    return [(path, data) for path, data in db.session.execute(rows)]


def check_folder(draft: Draft) -> Path:
    """A folder that holds the draft's file names, for the preview's check that every picture and video exists.

    The check only asks whether a picture or film exists and reads caption texts, so pictures and films are
    empty stand-ins and captions are their real text; nothing large is written while an author types. The
    folder's name is a hash of what it holds: a new upload gives a new folder (the preview's parse cache is
    keyed by it), and the draft's older folders are removed.
    """
    paths = db.session.scalars(select(DraftFile.path).where(DraftFile.draft_id == draft.id)).all()
    captions = dict(
        db.session.execute(
            select(DraftFile.path, DraftFile.data).where(DraftFile.draft_id == draft.id, DraftFile.path.like("%.vtt"))
        ).all()
    )
    media = sorted(p for p in paths if not p.endswith(".md"))
    digest = hashlib.sha256()
    for path in media:
        digest.update(path.encode() + b"\0" + captions.get(path, b"") + b"\0")
    root = Path(tempfile.gettempdir()) / "vtc-draft-files"
    folder = root / f"{draft.id}-{digest.hexdigest()[:20]}"
    if folder.is_dir():
        return folder
    root.mkdir(exist_ok=True)
    building = Path(tempfile.mkdtemp(dir=root, prefix=f".{draft.id}-"))
    for path in media:
        target = building / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(captions.get(path, b""))
    try:
        os.rename(building, folder)  # another worker may have built the same folder: keep theirs
    except OSError:
        shutil.rmtree(building, ignore_errors=True)
    for old in root.glob(f"{draft.id}-*"):
        if old != folder:
            shutil.rmtree(old, ignore_errors=True)
    return folder
