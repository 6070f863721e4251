"""Signing in with a one-time link by e-mail, for patients and caregivers (WCAG 2.2 3.3.8, accessible
authentication: nobody has to remember or type a password).

The link holds a random token; only its SHA-256 is stored (sign_in_link), so a copy of the database holds no live
link. A link works once, for LINK_MAX_AGE, and only after one click on its page (a POST): mail scanners that open
every link in a mail to check it must not use it up. It works in any browser, because a patient may ask on her
phone and open the mail on a tablet. Using a link ends the account's other unused links.

Who gets one: an active patient or caregiver account with a confirmed address. Staff roles never do (they are to
sign in with a second factor); an unconfirmed address gets a mail that asks to confirm it first. The answer on the
page is the same in every case, and requests are limited per address and per source as for password resets
(mail_limits.py). Log-in throttling never applies to the link: it is checked by its token alone.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update

from learning.accounts import confirm, mail_limits
from learning.accounts.models import Role, SignInLink, User
from learning.accounts.reset import LinkExpired, LinkInvalid
from learning.accounts.services import end_sign_in_links, normalise_email
from learning.db import db, utcnow

LINK_MAX_AGE = timedelta(minutes=15)
LINK_ROLES = frozenset({Role.PATIENT, Role.CAREGIVER})
KEEP_SPENT = timedelta(days=1)  # used and expired rows are deleted after this, so the table stays small
KIND = "link"  # the mail_limits counter of sign-in link mails


class LinkUsed(LinkInvalid):
    """The link was genuine but has been used (or ended by a newer sign-in, password or address)."""


@dataclass(frozen=True)
class LinkMail:
    """A sign-in link to send: the account's address and the token (never stored)."""

    email: str
    token: str


@dataclass(frozen=True)
class ConfirmFirst:
    """No sign-in link for an unconfirmed address: a mail that asks to confirm it, with a confirmation token."""

    email: str
    token: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_link(email: str, client: str, secret_key: str | bytes) -> LinkMail | ConfirmFirst | None:
    """Record a request and return the mail to send, or None (unknown address, staff, or its mails for the hour).

    :raises TooManyRequests: when this source asked too often; nothing else ever tells the caller more.
    """
    email = normalise_email(email)
    if not mail_limits.record_request(KIND, email, client):
        return None
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.is_active or user.role not in LINK_ROLES:
        return None
    if user.email_confirmed_at is None:
        return ConfirmFirst(user.email, confirm.make_token(user, secret_key))
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.execute(delete(SignInLink).where(SignInLink.expires_at < now - KEEP_SPENT))
    db.session.add(SignInLink(user_id=user.id, token_hash=_hash(token), created_at=now, expires_at=now + LINK_MAX_AGE))
    db.session.commit()
    return LinkMail(user.email, token)


def user_for_link(token: str) -> User:
    """Return the account a still usable link is for, without using it (its page, before the click).

    :raises LinkUsed: for a link already used or ended.
    :raises LinkExpired: for a link older than LINK_MAX_AGE.
    :raises LinkInvalid: for an unknown token, or an account that may no longer sign in this way.
    """
    link = db.session.scalar(select(SignInLink).where(SignInLink.token_hash == _hash(token)))
    if link is None:
        raise LinkInvalid("link not genuine")
    if link.used_at is not None:
        raise LinkUsed("link used")
    if link.expires_at <= utcnow():
        raise LinkExpired("link expired")
    user = link.user
    if not user.is_active or user.role not in LINK_ROLES or user.email_confirmed_at is None:
        raise LinkInvalid("account may not sign in with a link")
    return user


def use_link(token: str) -> User:
    """Use a link: return its account and end the account's other unused links.

    One UPDATE claims it, so two clicks at once (a double tap, two devices) cannot both sign in.

    :raises LinkInvalid: (LinkUsed, LinkExpired) as user_for_link.
    """
    user = user_for_link(token)
    now = utcnow()
    claimed = db.session.execute(
        update(SignInLink)
        .where(SignInLink.token_hash == _hash(token), SignInLink.used_at.is_(None), SignInLink.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if not getattr(claimed, "rowcount", 0):
        db.session.rollback()
        raise LinkUsed("link used")
    end_sign_in_links(user)
    db.session.commit()
    return user
