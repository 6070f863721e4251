"""Password reset by e-mail: single-use, expiring links, and a request that never tells who has an account.

The link carries an itsdangerous signed token with the account id and a fingerprint of the account's current
password hash and address. Setting a new password changes the hash, so the link dies after use and after any
other change of the password or the address; the signature's timestamp lets it expire (RESET_MAX_AGE, an hour).
Nothing is stored: no table of live tokens to steal.

Requests are throttled per address and per source (mail_limits.py, shared with sign-in links and confirmation
mails), so they never slow a log-in, nor a log-in failure a reset. The answer is the same whether the
address has an account, is unknown or has had its mails for the hour: only a source that asks too often is told
to wait. Log-in throttling never applies to the link itself: a person being guessed at can always get back in.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from learning.accounts import mail_limits
from learning.accounts.mail_limits import TooManyRequests
from learning.accounts.models import User
from learning.accounts.services import (
    AccountError,
    check_new_password,
    end_sessions,
    end_sign_in_links,
    hash_password,
    normalise_email,
)
from learning.db import db, utcnow

RESET_MAX_AGE = timedelta(hours=1)
MAILS_PER_ADDRESS = mail_limits.MAILS_PER_ADDRESS
REQUESTS_PER_SOURCE = mail_limits.REQUESTS_PER_SOURCE
SALT = "vtc-password-reset"


class LinkInvalid(Exception):
    """The link is forged, already used, for a changed password or a closed account."""


class LinkExpired(LinkInvalid):
    """The link was genuine but is older than RESET_MAX_AGE."""


@dataclass(frozen=True)
class ResetMail:
    """Whom to send a link to: the account's address and a fresh token."""

    email: str
    token: str


def _serializer(secret_key: str | bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def _fingerprint(user: User) -> str:
    """A short hash of the password hash and the address: changes whenever the password does (the link dies with
    its use) or the address does (a link sent to the old address must not work), and reveals nothing of either."""
    return hashlib.sha256(f"{user.password_hash}\n{user.email}".encode()).hexdigest()[:32]


def make_token(user: User, secret_key: str | bytes) -> str:
    """Return a signed token for this account's current password."""
    return _serializer(secret_key).dumps([user.id, _fingerprint(user)])


def user_for_token(token: str, secret_key: str | bytes, max_age: timedelta = RESET_MAX_AGE) -> User:
    """Return the account a still valid link is for.

    :raises LinkExpired: for a genuine link older than max_age.
    :raises LinkInvalid: for a forged or malformed link, one already used, or a password changed since.
    """
    user, bound = signed_account(_serializer(secret_key), token, max_age)
    if bound != _fingerprint(user):
        raise LinkInvalid("link used or password changed")
    return user


def signed_account(serializer: URLSafeTimedSerializer, token: str, max_age: timedelta) -> tuple[User, object]:
    """Read a mailed link's token, signed as [user id, what it is bound to]: the active account and that value.

    Shared by the reset and the confirmation links; each then checks what its link is bound to (a fingerprint of
    the password, the address the link was sent to).

    :raises LinkExpired: for a genuine token older than max_age.
    :raises LinkInvalid: for a forged or malformed token, or an account that is gone or closed.
    """
    try:
        payload = serializer.loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as exc:
        raise LinkExpired("link expired") from exc
    except BadSignature as exc:
        raise LinkInvalid("link not genuine") from exc
    if not (isinstance(payload, list) and len(payload) == 2 and isinstance(payload[0], int)):
        raise LinkInvalid("link not genuine")
    user = db.session.get(User, payload[0])
    if user is None or not user.is_active:
        raise LinkInvalid("account closed")
    return user, payload[1]


def request_reset(email: str, client: str, secret_key: str | bytes) -> ResetMail | None:
    """Record a request and return the mail to send, or None (unknown address, or its mails for the hour sent).

    An unconfirmed address gets the mail too: it is the only way back for someone who never opened the
    confirmation mail, and a completed reset confirms the address (docs/signing-in.md).

    :raises TooManyRequests: when this source asked too often; nothing else ever tells the caller more.
    """
    email = normalise_email(email)
    if not mail_limits.record_request("reset", email, client):
        return None
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.is_active:
        return None
    return ResetMail(user.email, make_token(user, secret_key))


def reset_password(token: str, password: str, secret_key: str | bytes) -> User:
    """Set a new password through a valid link, ending every session and sign-in link of the account; the link
    dies with it, and the address counts as confirmed.

    :raises LinkInvalid: (or LinkExpired) as user_for_token.
    :raises AccountError: for a new password that passwords.py refuses.
    """
    user = user_for_token(token, secret_key)
    check_new_password(password, user.email)
    user.password_hash = hash_password(password)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()  # the link reached this mailbox, and its holder now holds the password
    end_sign_in_links(user)
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
