"""Registration, log-in and throttling: the account rules, callable without a request."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select

from learning.accounts.models import Invitation, LoginFailure, Role, User
from learning.db import db, utcnow

MIN_PASSWORD_LENGTH = 8
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_CLIENT = 30
_hasher = PasswordHasher()


class AccountError(Exception):
    """A refusal the person can act on; the message is shown to them (translated by the caller)."""


class Throttled(AccountError):
    def __init__(self, minutes: int) -> None:
        super().__init__("too many attempts")
        self.minutes = minutes


@dataclass(frozen=True)
class Registration:
    code: str
    email: str
    password: str
    display_name: str = ""


def hash_password(password: str) -> str:
    """Return an argon2id hash (slow on purpose: log-ins are rare, stolen hashes must be expensive)."""
    return _hasher.hash(password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_invitation(code: str) -> Invitation | None:
    """Return a usable invitation for this code, or None when unknown, used up or expired."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.code == code.strip().upper()))
    if invitation is None or invitation.uses >= invitation.max_uses:
        return None
    if invitation.expires_at is not None and invitation.expires_at <= utcnow():
        return None
    return invitation


def register(data: Registration) -> User:
    """Create an account from an invitation; the code decides organisation, team and role.

    :raises AccountError: on an unusable code, a taken e-mail address or a too short password.
    """
    invitation = find_invitation(data.code)
    if invitation is None:
        raise AccountError("invitation code unknown, used up or expired")
    email = normalise_email(data.email)
    if "@" not in email or len(email) > 254:
        raise AccountError("invalid e-mail address")
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError("e-mail address already registered")
    if len(data.password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password too short")
    user = User(
        email=email,
        password_hash=hash_password(data.password),
        display_name=data.display_name.strip()[:100],
        role=invitation.role,
        organisation_id=invitation.organisation_id,
        team_id=invitation.team_id,
    )
    invitation.uses += 1
    db.session.add(user)
    db.session.commit()
    return user


def _key(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _recent_failures(column: object, key: str) -> int:
    since = utcnow() - THROTTLE_WINDOW
    return (
        db.session.scalar(
            select(func.count()).select_from(LoginFailure).where(column == key, LoginFailure.at > since)  # type: ignore[arg-type]
        )
        or 0
    )


def authenticate(email: str, password: str, client: str) -> User:
    """Return the user these credentials prove.

    :raises Throttled: after too many recent failures for this account or this client.
    :raises AccountError: on a wrong e-mail/password pair (one message for both, so accounts can't be probed).
    """
    account_key, client_key = _key(normalise_email(email)), _key(client)
    if (
        _recent_failures(LoginFailure.account_key, account_key) >= MAX_FAILURES_PER_ACCOUNT
        or _recent_failures(LoginFailure.client_key, client_key) >= MAX_FAILURES_PER_CLIENT
    ):
        raise Throttled(int(THROTTLE_WINDOW.total_seconds() // 60))
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is not None and user.is_active and _verify(user, password):
        db.session.execute(delete(LoginFailure).where(LoginFailure.account_key == account_key))
        db.session.commit()
        return user
    db.session.add(LoginFailure(account_key=account_key, client_key=client_key))
    db.session.commit()
    raise AccountError("wrong e-mail address or password")


def _verify(user: User, password: str) -> bool:
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return True


def create_user(email: str, password: str, role: Role, **fields: object) -> User:
    """Create an account directly (seeding and admin use); the caller commits."""
    user = User(email=normalise_email(email), password_hash=hash_password(password), role=role, **fields)
    db.session.add(user)
    return user


def set_locale(user: User, locale: str) -> None:
    """Remember a learner's language choice."""
    user.locale = locale
    db.session.commit()
