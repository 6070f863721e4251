"""Keep a checked CSV file between its preview and the manager's confirmation, without a session.

Only a file without errors is kept (a file with errors may hold the very personal data it was refused for). It is
stored under a random name in RPM_UPLOAD_DIR (default instance/rpm_uploads); the confirm form carries a signed
token naming the file, the uploader, the organisation, the kind and the file's SHA-256, valid for MAX_AGE. The file
is deleted on import; files nobody confirmed are removed after MAX_AGE, when the next upload is stored. Leaving the
page loses nothing: nothing was imported, and the manager still has the file.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from learning.rpm.fields import Kind

MAX_AGE = 24 * 3600
SALT = "rpm-upload"


class UploadGone(Exception):
    """The token is forged or expired, or its file was imported or removed already."""


@dataclass(frozen=True)
class Upload:
    """Who uploaded which kind of file for which organisation."""

    upload_id: str
    user_id: int
    organisation_id: int
    kind: Kind
    filename: str


def upload_dir() -> Path:
    """Return the directory uploads wait in (RPM_UPLOAD_DIR, else instance/rpm_uploads)."""
    configured = current_app.config.get("RPM_UPLOAD_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "rpm_uploads"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def store_upload(data: bytes, upload: Upload) -> str:
    """Store the file and return the signed token the confirm form carries."""
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    _remove_expired(directory)
    path = directory / f"{upload.upload_id}.csv"
    path.write_bytes(data)
    path.chmod(0o600)
    payload = {
        "id": upload.upload_id,
        "user": upload.user_id,
        "org": upload.organisation_id,
        "kind": str(upload.kind),
        "name": upload.filename,
        "sha": hashlib.sha256(data).hexdigest(),
    }
    return _serializer().dumps(payload)


def new_upload_id() -> str:
    """Return a random file name for an upload, unguessable so one upload cannot name another."""
    return secrets.token_hex(16)


def load_upload(token: str, user_id: int) -> tuple[Upload, bytes]:
    """Return the upload and its bytes that this token names, for the user who uploaded it.

    :raises UploadGone: when the token is not valid for this user or the file is gone or changed.
    """
    try:
        payload = _serializer().loads(token, max_age=MAX_AGE)
    except BadSignature:
        raise UploadGone from None
    if payload.get("user") != user_id:
        raise UploadGone
    path = upload_dir() / f"{payload['id']}.csv"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UploadGone from None
    if hashlib.sha256(data).hexdigest() != payload["sha"]:
        raise UploadGone
    upload = Upload(payload["id"], payload["user"], payload["org"], Kind(payload["kind"]), payload["name"])
    return upload, data


def discard_upload(upload: Upload) -> None:
    """Delete an upload's file (after import)."""
    (upload_dir() / f"{upload.upload_id}.csv").unlink(missing_ok=True)


def _remove_expired(directory: Path) -> None:
    cutoff = time.time() - MAX_AGE
    for path in directory.glob("*.csv"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:  # another worker removed it first
            continue
