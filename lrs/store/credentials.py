"""LRS client credentials: a public key and a secret stored as a keyed hash.

HMAC-SHA-256 with a server-side pepper: a leaked table does not reveal secrets, and checking one costs
microseconds, not a password KDF per request (which caps an LRS at a dozen requests per second).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select, update

from lrs.store.tables import credential


@dataclass(frozen=True)
class Tenant:
    """An organisation as the LRS knows it: the account homePage its learners' statements carry, and a label.

    The application names its tenants (lrs.init_app(tenants=…)); the LRS itself knows no organisations.
    """

    home_page: str
    label: str


@dataclass(frozen=True)
class Credential:
    key: str
    name: str
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None
    last_version: str | None = None
    # The tenant (a learner homePage, one per organisation) whose statements alone it reads besides its own;
    # None: regional read, which an administrator grants explicitly. Fixed at creation: statements are linked
    # to the tenant of the credential that stored them, so moving a credential would leave them behind.
    tenant: str | None = None

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def hash_secret(pepper: bytes, secret: str) -> str:
    """Return the stored form of a secret."""
    return hmac.new(pepper, secret.encode(), hashlib.sha256).hexdigest()


def create_credential(
    conn: Connection, pepper: bytes, name: str, scopes: tuple[str, ...], *, tenant: str | None
) -> tuple[str, str]:
    """Create a credential and return (key, secret); the secret exists only in this return value.

    `tenant` is required on purpose: whether a client reads one organisation or the region is always chosen.
    """
    key = secrets.token_hex(10)
    secret = secrets.token_urlsafe(30)
    conn.execute(
        credential.insert().values(
            key=key,
            name=name,
            secret_hash=hash_secret(pepper, secret),
            scopes=" ".join(scopes),
            created_at=_now(),
            tenant=tenant,
        )
    )
    return key, secret


def rotate_credential(conn: Connection, pepper: bytes, key: str) -> str | None:
    """Give an active credential a new secret and return it; the old secret stops working with this commit.

    The key, and so the authority of the statements it stored, stays the same: a client swaps only its secret.
    Returns None when no active credential has that key (a revoked credential stays revoked).
    """
    secret = secrets.token_urlsafe(30)
    result = conn.execute(
        update(credential)
        .where(credential.c.key == key, credential.c.revoked_at.is_(None))
        .values(secret_hash=hash_secret(pepper, secret))
    )
    return secret if result.rowcount == 1 else None


def revoke_credential(conn: Connection, key: str) -> bool:
    """Revoke a credential; return False when no active credential has that key."""
    result = conn.execute(
        update(credential).where(credential.c.key == key, credential.c.revoked_at.is_(None)).values(revoked_at=_now())
    )
    return result.rowcount == 1


def verify_credential(conn: Connection, pepper: bytes, key: str, secret: str) -> Credential | None:
    """Return the active credential that this key and secret prove, else None (in constant time per row)."""
    row = conn.execute(select(credential).where(credential.c.key == key)).first()
    expected = row.secret_hash if row is not None else hash_secret(pepper, "")
    if not hmac.compare_digest(expected, hash_secret(pepper, secret)) or row is None or row.revoked_at:
        return None
    return _to_credential(row)


def get_credential(conn: Connection, key: str) -> Credential | None:
    """Return the credential with this key, active or revoked, or None."""
    row = conn.execute(select(credential).where(credential.c.key == key)).first()
    return _to_credential(row) if row is not None else None


def list_credentials(conn: Connection) -> list[Credential]:
    """Return every credential, newest first."""
    rows = conn.execute(select(credential).order_by(credential.c.created_at.desc())).all()
    return [_to_credential(row) for row in rows]


def _to_credential(row: object) -> Credential:
    return Credential(
        key=row.key,  # type: ignore[attr-defined]
        name=row.name,  # type: ignore[attr-defined]
        scopes=tuple(row.scopes.split()),  # type: ignore[attr-defined]
        created_at=row.created_at,  # type: ignore[attr-defined]
        revoked_at=row.revoked_at,  # type: ignore[attr-defined]
        last_version=row.last_version,  # type: ignore[attr-defined]
        tenant=row.tenant,  # type: ignore[attr-defined]
    )


def remember_version(conn: Connection, key: str, version: str) -> None:
    """Record the xAPI version a client spoke, so a request that forgets the header is answered in it."""
    conn.execute(update(credential).where(credential.c.key == key).values(last_version=version))
