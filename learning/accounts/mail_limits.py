"""Limits on mails people can make us send (password reset, sign-in link, address confirmation).

Each request is counted as a row of the log-in failure table under keys of its own kind ("reset:", "link:",
"confirm:" + the address or the source), so requests never slow a log-in, nor log-in failures a request, nor one
kind of mail another. An address gets a few mails an hour, enough for a lost one or two and too few to flood an
inbox; a source that asks too often is told to wait. Nothing else tells the caller whether an account exists.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from learning.accounts import throttle
from learning.accounts.models import LoginFailure
from learning.db import db, utcnow

MAILS_PER_ADDRESS = 3  # per hour: enough for a lost mail or two, too few to flood someone's inbox
REQUESTS_PER_SOURCE = 20  # per hour, any addresses: one ward computer may help a few people, a script may not
WINDOW = throttle.WINDOW


class TooManyRequests(Exception):
    """This source (or, for a person's own address, this address) asked for too many mails within the hour."""

    def __init__(self, wait: timedelta) -> None:
        super().__init__("too many mail requests")
        self.wait = wait
        self.minutes = throttle.minutes(wait)


def record_request(kind: str, email: str, client: str) -> bool:
    """Count a request for a mail of this kind; return whether the address may get one (False: its limit is used).

    :raises TooManyRequests: when this source asked too often for this kind of mail (nothing is counted then).
    """
    address, source = throttle.key(f"{kind}:{email}"), throttle.key(f"{kind}:{client}")
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
    return (address_count or 0) < MAILS_PER_ADDRESS


def address_wait(kind: str, email: str) -> timedelta:
    """How long until this address may get another mail of this kind (zero: now). For a person's own address only:
    telling a stranger would tell them the address has an account."""
    now = utcnow()
    count, first = db.session.execute(
        select(func.count(), func.min(LoginFailure.at)).where(
            LoginFailure.account_key == throttle.key(f"{kind}:{email}"), LoginFailure.at > now - WINDOW
        )
    ).one()
    if count < MAILS_PER_ADDRESS or first is None:
        return timedelta(0)
    return max(timedelta(seconds=1), first + WINDOW - now)
