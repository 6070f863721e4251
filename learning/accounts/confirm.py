"""Confirming an e-mail address: a link in a mail proves the address reaches the person.

An account works from registration on; until its address is confirmed a calm bar asks to open the mail, and
sign-in links are not sent to it (docs/signing-in.md says why). The link carries an itsdangerous signed token with
the account id and the address it was sent to: a change of address makes it worthless, and once the address is
confirmed the link only says so. Nothing is stored but the moment of confirmation (user_account.email_confirmed_at).

Confirming never logs anybody in, so a confirmation link is no way into an account; and it needs one click on the
page (a POST), so a mail scanner that opens every link confirms nothing.
"""

from __future__ import annotations

from datetime import timedelta

from itsdangerous import URLSafeTimedSerializer

from learning.accounts import mail_limits
from learning.accounts.mail_limits import TooManyRequests
from learning.accounts.models import User
from learning.accounts.reset import LinkInvalid, signed_account
from learning.accounts.services import end_sign_in_links
from learning.db import db, utcnow

CONFIRM_MAX_AGE = timedelta(days=7)  # a patient may open her mail days after registering in the clinic
SALT = "vtc-email-confirm"
KIND = "confirm"  # the mail_limits counter of confirmation mails


def _serializer(secret_key: str | bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def make_token(user: User, secret_key: str | bytes) -> str:
    """Return a signed token that confirms this account's current address."""
    return _serializer(secret_key).dumps([user.id, user.email])


def user_for_token(token: str, secret_key: str | bytes) -> User:
    """Return the account whose current address a genuine, unexpired link confirms (it may be confirmed already).

    :raises LinkExpired: for a genuine link older than CONFIRM_MAX_AGE.
    :raises LinkInvalid: for a forged link, or one for an address the account no longer has, or a closed account.
    """
    user, address = signed_account(_serializer(secret_key), token, CONFIRM_MAX_AGE)
    if address != user.email:
        raise LinkInvalid("address changed")
    return user


def confirm_email(token: str, secret_key: str | bytes) -> User:
    """Mark the address a valid link was sent to as confirmed (once; a second click changes nothing).

    :raises LinkInvalid: (or LinkExpired) as user_for_token.
    """
    user = user_for_token(token, secret_key)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        db.session.commit()
    return user


def request_confirmation(user: User, client: str, secret_key: str | bytes) -> str | None:
    """Count a confirmation mail for the account's own address and return its token (None: already confirmed).

    Only for the account holder (after registration, or "send again" while logged in): telling her that her address
    had its mails for the hour reveals nothing she does not know.

    :raises TooManyRequests: when the address had its mails for the hour, or this source asked too often.
    """
    if user.email_confirmed_at is not None:
        return None
    wait = mail_limits.address_wait(KIND, user.email)
    if wait > timedelta(0):
        raise TooManyRequests(wait)
    mail_limits.record_request(KIND, user.email, client)
    return make_token(user, secret_key)


def forget_confirmation(user: User) -> None:
    """After a change of address: it is unconfirmed until its own link is opened, and links sent to the old address
    stop working (sign-in links here; reset and confirmation links by the address they carry). The caller commits."""
    user.email_confirmed_at = None
    end_sign_in_links(user)
