"""Keyed pseudonyms: the xAPI account name of a person, and the pseudonyms of organisations and teams.

Each pseudonym is an HMAC-SHA-256 of the row's id under a key of its own domain (an actor, an organisation, a
team), and each domain key is an HMAC of the domain's name under one secret kept in a file outside the database
(PSEUDONYM_KEY_FILE, docs/privacy.md "Pseudonyms"). So the same person has unrelated names in different domains,
nobody can compute a pseudonym from an id without the file, and a new file (`flask privacy rotate-pseudonyms`)
gives every row a new pseudonym that cannot be linked to the old one.

The derived value is also kept in its row (User.xapi_pid, Organisation.pseudonym, Team.pseudonym): metrics,
dashboards and the sync join on it, and the rotation needs the old value to find it in the LRS. A row gets its
value right after it is inserted, since the id it is derived from exists only then.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import uuid
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, update
from sqlalchemy.orm import attributes

from learning.accounts.models import Organisation, Team, User

ACTOR, ORGANISATION, TEAM = "xapi-actor", "organisation", "team"
DOMAINS: dict[str, Any] = {ACTOR: User, ORGANISATION: Organisation, TEAM: Team}
COLUMNS = {ACTOR: "xapi_pid", ORGANISATION: "pseudonym", TEAM: "pseudonym"}
EXTENSION = "vtc.pseudonyms"
KEY_BYTES = 32


class KeyFileError(RuntimeError):
    """The key file cannot be used (unreadable, too short); the message says which file and what to do."""


class Pseudonymiser:
    """Derives pseudonyms under one secret; the app keeps one in app.extensions[EXTENSION]."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < KEY_BYTES:
            raise KeyFileError(f"a pseudonym key has at least {KEY_BYTES} bytes")
        self._domain_keys = {d: hmac.new(secret, f"vtc-pseudonym-domain:{d}".encode(), hashlib.sha256).digest()
                             for d in DOMAINS}  # fmt: skip
        self.fingerprint = hashlib.sha256(b"vtc-pseudonym-key-id:" + secret).hexdigest()[:12]

    def derive(self, domain: str, row_id: int) -> str:
        """The pseudonym of row `row_id` in `domain`, shaped as a UUID (version 8: derived, not drawn at random),
        so it fits the existing columns and the xAPI profile's pseudonym pattern."""
        digest = bytearray(hmac.new(self._domain_keys[domain], str(row_id).encode(), hashlib.sha256).digest()[:16])
        digest[6] = (digest[6] & 0x0F) | 0x80
        digest[8] = (digest[8] & 0x3F) | 0x80
        return str(uuid.UUID(bytes=bytes(digest)))


def read_key_file(path: Path) -> bytes:
    """The secret in the key file (hex text); a missing file is made with a fresh secret, readable by the owner only.

    Making it on first start is what lets `make run` work on a fresh machine; a lost file is no loss of data
    (the pseudonyms in use are kept in the database, and a rotation re-derives them all under the new file).
    """
    if not path.exists():
        write_key_file(path, secrets.token_bytes(KEY_BYTES))
    try:
        return bytes.fromhex(path.read_text().strip())
    except (OSError, ValueError) as error:
        raise KeyFileError(f"the pseudonym key file {path} cannot be read as hex ({error}); restore it") from None


def write_key_file(path: Path, secret: bytes) -> None:
    """Write a key file atomically with mode 0600: a crash leaves the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secret.hex() + "\n")
        file.flush()
        os.fsync(file.fileno())
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def init_app(app: Flask) -> None:
    """Load the key (PSEUDONYM_KEY_FILE, default instance/pseudonym_key) into the app."""
    path = Path(app.config.setdefault("PSEUDONYM_KEY_FILE", str(Path(app.instance_path) / "pseudonym_key")))
    app.extensions[EXTENSION] = Pseudonymiser(read_key_file(path))
    if path.with_name(path.name + ".next").exists():
        app.logger.warning("A rotation of pseudonyms was interrupted: run `flask privacy rotate-pseudonyms` again.")


def current_pseudonymiser() -> Pseudonymiser | None:
    return current_app.extensions.get(EXTENSION) if has_app_context() else None


def _derive_after_insert(domain: str) -> Any:
    def listener(_mapper: Any, connection: Any, target: Any) -> None:
        pseudonymiser = current_pseudonymiser()
        if pseudonymiser is None:  # outside an app (a migration script): the column's random default stays
            return
        value = pseudonymiser.derive(domain, target.id)
        table = DOMAINS[domain].__table__
        connection.execute(update(table).where(table.c.id == target.id).values({COLUMNS[domain]: value}))
        attributes.set_committed_value(target, COLUMNS[domain], value)

    return listener


for _domain, _model in DOMAINS.items():
    event.listen(_model, "after_insert", _derive_after_insert(_domain))
