"""API keys of care organisations for the RPM ingestion API: a public key id and a secret stored as a keyed hash.

HMAC-SHA-256 with a server-side pepper, as the LRS does for its credentials: a leaked table reveals no secret,
and checking one costs microseconds rather than a password KDF on every request of a busy platform.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app
from sqlalchemy import select

from learning.accounts.models import Organisation
from learning.db import db, utcnow
from learning.rpm.models import ApiKey

KEY_PREFIX = "rpm_"  # tells a leaked key apart from an LRS key at a glance


class UnknownOrganisation(Exception):
    """No organisation has that id."""


def api_key_pepper() -> bytes:
    """Return the hashes' server-side key: RPM_API_KEY_PEPPER, else one derived from SECRET_KEY."""
    configured = current_app.config.get("RPM_API_KEY_PEPPER")
    if configured:
        return str(configured).encode()
    return hashlib.sha256(b"vtc-rpm-api-key-pepper:" + str(current_app.config["SECRET_KEY"]).encode()).digest()


def hash_secret(pepper: bytes, secret: str) -> str:
    """Return the stored form of a secret."""
    return hmac.new(pepper, secret.encode(), hashlib.sha256).hexdigest()


def create_api_key(organisation_id: int, name: str) -> tuple[str, str]:
    """Create a key for an organisation and return (key id, secret); the secret exists only in this return value.

    :raises UnknownOrganisation: when no organisation has that id.
    """
    if db.session.get(Organisation, organisation_id) is None:
        raise UnknownOrganisation(organisation_id)
    key_id = KEY_PREFIX + secrets.token_hex(8)
    secret = secrets.token_urlsafe(30)
    db.session.add(
        ApiKey(
            organisation_id=organisation_id,
            key_id=key_id,
            secret_hash=hash_secret(api_key_pepper(), secret),
            name=name,
        )
    )
    db.session.commit()
    return key_id, secret


def revoke_api_key(key_id: str) -> bool:
    """Revoke a key; return False when no active key has that id."""
    key = db.session.scalar(select(ApiKey).where(ApiKey.key_id == key_id, ApiKey.revoked_at.is_(None)))
    if key is None:
        return False
    key.revoked_at = utcnow()
    db.session.commit()
    return True


def verify_api_key(key_id: str, secret: str) -> ApiKey | None:
    """Return the active key this id and secret prove, else None (comparing in constant time either way)."""
    pepper = api_key_pepper()
    key = db.session.scalar(select(ApiKey).where(ApiKey.key_id == key_id))
    expected = key.secret_hash if key is not None else hash_secret(pepper, "")
    if not hmac.compare_digest(expected, hash_secret(pepper, secret)) or key is None or key.revoked_at is not None:
        return None
    return key


def list_api_keys() -> list[ApiKey]:
    """Return every key, newest first (secrets are not stored, so none are shown)."""
    return list(db.session.scalars(select(ApiKey).order_by(ApiKey.created_at.desc(), ApiKey.id.desc())))
