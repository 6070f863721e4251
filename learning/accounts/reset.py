"""Password reset by e-mail: single-use, expiring links, and a request that never tells who has an account.

The link carries an itsdangerous signed token with the account id and a fingerprint of the account's current
password hash. Setting a new password changes the hash, so the link dies after use and after any other change of
the password; the signature's timestamp lets it expire (RESET_MAX_AGE, an hour). Nothing is stored: no migration,
and no table of live tokens to steal.

Requests are throttled per address and per source, counted as rows of the log-in failure table under their own
prefixed keys (so they never slow a log-in, nor a log-in failure a reset). The answer is the same whether the
address has an account, is unknown or has had its mails for the hour: only a source that asks too often is told
to wait. Log-in throttling never applies to the link itself: a person being guessed at can always get back in.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from learning.accounts import throttle
from learning.accounts.models import LoginFailure, User
from learning.accounts.services import AccountError, check_new_password, end_sessions, hash_password, normalise_email
from learning.db import db, utcnow

RESET_MAX_AGE = timedelta(hours=1)
MAILS_PER_ADDRESS = 3  # per hour: enough for a lost mail or two, too few to flood someone's inbox
REQUESTS_PER_SOURCE = 20  # per hour, any addresses: one ward computer may help a few people, a script may not
WINDOW = throttle.WINDOW
SALT = "vtc-password-reset"


class LinkInvalid(Exception):
    """The link is forged, already used, for a changed password or a closed account."""


class LinkExpired(LinkInvalid):
    """The link was genuine but is older than RESET_MAX_AGE."""


class TooManyRequests(Exception):
    """This source asked for too many reset mails within the hour."""

    def __init__(self, wait: timedelta) -> None:
        super().__init__("too many reset requests")
        self.wait = wait
        self.minutes = throttle.minutes(wait)


@dataclass(frozen=True)
class ResetMail:
    """Whom to send a link to: the account's address and a fresh token."""

    email: str
    token: str


def _serializer(secret_key: str | bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def _fingerprint(user: User) -> str:
    """A short hash of the password hash: changes whenever the password does, reveals nothing about it."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]


def make_token(user: User, secret_key: str | bytes) -> str:
    """Return a signed token for this account's current password."""
    return _serializer(secret_key).dumps([user.id, _fingerprint(user)])


def user_for_token(token: str, secret_key: str | bytes, max_age: timedelta = RESET_MAX_AGE) -> User:
    """Return the account a still valid link is for.

    :raises LinkExpired: for a genuine link older than max_age.
    :raises LinkInvalid: for a forged or malformed link, one already used, or a password changed since.
    """
    try:
        payload = _serializer(secret_key).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as exc:
        raise LinkExpired("link expired") from exc
    except BadSignature as exc:
        raise LinkInvalid("link not genuine") from exc
    if not (isinstance(payload, list) and len(payload) == 2 and isinstance(payload[0], int)):
        raise LinkInvalid("link not genuine")
    user = db.session.get(User, payload[0])
    if user is None or not user.is_active or payload[1] != _fingerprint(user):
        raise LinkInvalid("link used or password changed")
    return user


def request_reset(email: str, client: str, secret_key: str | bytes) -> ResetMail | None:
    """Record a request and return the mail to send, or None (unknown address, or its mails for the hour sent).

    :raises TooManyRequests: when this source asked too often; nothing else ever tells the caller more.
    """
    email = normalise_email(email)
    address, source = throttle.key("reset:" + email), throttle.key("reset:" + client)
    now = utcnow()
    since = now - WINDOW
    source_count, source_first = db.session.execute(
        select(func.count(), func.min(LoginFailure.at)).where(
            LoginFailure.client_key == source, LoginFailure.at > since
        )
    ).one()
    if source_count >= REQUESTS_PER_SOURCE and source_first is not None:
        raise TooManyRequests(max(timedelta(seconds=1), source_first + WINDOW - now))
    address_count = db.session.scalar(
        select(func.count()).where(LoginFailure.account_key == address, LoginFailure.at > since)
    )
    db.session.add(LoginFailure(account_key=address, client_key=source, device_key=None))
    db.session.commit()
    if (address_count or 0) >= MAILS_PER_ADDRESS:
        return None
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.is_active:
        return None
    return ResetMail(user.email, make_token(user, secret_key))


def reset_password(token: str, password: str, secret_key: str | bytes) -> User:
    """Set a new password through a valid link, ending every session of the account; the link dies with it.

    :raises LinkInvalid: (or LinkExpired) as user_for_token.
    :raises AccountError: for a new password that passwords.py refuses.
    """
    user = user_for_token(token, secret_key)
    check_new_password(password, user.email)
    user.password_hash = hash_password(password)
    end_sessions(user)
    return user


__all__ = [
    "RESET_MAX_AGE",
    "AccountError",
    "LinkExpired",
    "LinkInvalid",
    "ResetMail",
    "TooManyRequests",
    "make_token",
    "request_reset",
    "reset_password",
    "user_for_token",
]
