"""Bindings of accounts to a provider's (issuer, subject): find, make, list and remove them.

The rules of *when* a binding is made are in signin.py; this module only keeps the table, so the person's data
download and the operator's `flask admin oidc unlink` read and change it in one place.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from learning.accounts.models import User
from learning.db import db, utcnow
from learning.sso.models import ExternalIdentity


def find(issuer: str, subject: str) -> ExternalIdentity | None:
    return db.session.scalar(
        select(ExternalIdentity).where(ExternalIdentity.issuer == issuer, ExternalIdentity.subject == subject)
    )


def of_user_at(user_id: int, issuer: str) -> ExternalIdentity | None:
    """The account's binding at this provider (at most one)."""
    return db.session.scalar(
        select(ExternalIdentity).where(ExternalIdentity.user_id == user_id, ExternalIdentity.issuer == issuer)
    )


def bind(user: User, issuer: str, subject: str) -> ExternalIdentity:
    """Bind the account to the provider's subject; the caller commits (with the account, for one made now)."""
    now = utcnow()
    identity = ExternalIdentity(user=user, issuer=issuer, subject=subject, created_at=now, last_used_at=now)
    db.session.add(identity)
    return identity


def used(identity: ExternalIdentity) -> None:
    identity.last_used_at = utcnow()
    db.session.commit()


def of_user(user: User) -> list[dict[str, Any]]:
    """The person's bindings as their data download shows them (GDPR art. 15): provider, subject, when."""
    rows = db.session.scalars(
        select(ExternalIdentity).where(ExternalIdentity.user_id == user.id).order_by(ExternalIdentity.id)
    )
    return [{"issuer": r.issuer, "subject": r.subject, "created_at": r.created_at.isoformat(),
             "last_used_at": r.last_used_at.isoformat()} for r in rows]  # fmt: skip


def unbind(user: User) -> int:
    """Remove every binding of the account (its provider account was replaced); how many went. Commits."""
    count = len(of_user(user))
    db.session.execute(delete(ExternalIdentity).where(ExternalIdentity.user_id == user.id))
    db.session.commit()
    return count
