"""A module folder as a zip: export a draft or a version byte for byte, import a zip as a new draft.

An import is refused with its reason rather than cleaned up silently: a path outside the folder, a file type a
module cannot hold, or a zip that is too large (in total, per file, or in number of files: zip bombs).
"""

from __future__ import annotations

import io
import zipfile

from learning.accounts.models import User
from learning.authoring.models import Draft
from learning.authoring.services import MAX_FILE_BYTES, MB, AuthoringError, _l, _new_draft, check_path

MAX_ZIP_BYTES = 40 * 1024 * 1024
MAX_FILES = 200
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the same files give the same zip bytes


def to_zip(slug: str, files: dict[str, bytes]) -> bytes:
    """The files under a folder named slug, in name order, with fixed times."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            info = zipfile.ZipInfo(f"{slug}/{path}", date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[path])
    return buffer.getvalue()


def read_zip(data: bytes) -> tuple[str, dict[str, bytes]]:
    """Return (slug, files) of a zip holding one module folder; raise AuthoringError saying what is wrong."""
    if len(data) > MAX_ZIP_BYTES:
        raise AuthoringError(_l("The zip is larger than %(mb)d MB."), mb=MAX_ZIP_BYTES // MB)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise AuthoringError(_l("This is not a zip file. Export a module folder as a zip and try again.")) from None
    entries = [info for info in archive.infolist() if not info.is_dir()]
    if len(entries) > MAX_FILES:
        raise AuthoringError(_l("The zip holds more than %(n)d files."), n=MAX_FILES)
    if sum(info.file_size for info in entries) > MAX_ZIP_BYTES:
        raise AuthoringError(_l("The unpacked files are larger than %(mb)d MB."), mb=MAX_ZIP_BYTES // MB)
    tops = {info.filename.split("/", 1)[0] for info in entries}
    if len(tops) != 1 or not all("/" in info.filename for info in entries):
        raise AuthoringError(_l("The zip must hold exactly one module folder, like bloeddruk-meten/nl.md."))
    slug = tops.pop()
    files: dict[str, bytes] = {}
    for info in entries:
        path = info.filename.split("/", 1)[1]
        if info.filename.startswith("/") or "\\" in info.filename or ".." in info.filename.split("/"):
            raise AuthoringError(_l("%(name)s points outside the module folder."), name=info.filename)
        problem = check_path(path)
        if problem:
            problem.params["name"] = info.filename  # the name as it is in the zip
            raise problem
        if info.file_size > MAX_FILE_BYTES:
            raise AuthoringError(_l("%(name)s is larger than %(mb)d MB."), name=info.filename, mb=MAX_FILE_BYTES // MB)
        files[path] = archive.read(info)
    if "nl.md" not in files:
        raise AuthoringError(_l("The module folder has no nl.md: every module needs its Dutch text."))
    return slug, files


def import_zip(data: bytes, user: User) -> Draft:
    """Make a draft of the module folder in the zip (checked when it is sent for review, like any draft)."""
    slug, files = read_zip(data)
    return _new_draft(slug, files, user, None, "imported zip")
