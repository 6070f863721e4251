"""Log-in throttling that slows guessing without ever locking the owner out of her own device.

A fixed lockout per account lets anyone lock a nurse out by typing five wrong passwords, and a fixed block per
address locks out a whole hospital behind one proxy. Instead failures are counted per *bucket*:

- attempts that come with a known-device cookie for the account (set at a successful log-in) have a bucket
  of their own per device, so failures from elsewhere never slow down the owner on her usual device;
- other attempts have a bucket per (account, source address).

Each bucket gets a few free attempts, then an exponential back-off (doubling, capped) counted from its last
failure: the attacker is slowed (429) while the owner's bucket stays empty. A source that fails on many
different accounts (password spraying) is slowed as a whole, except for attempts from known devices.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, func, select

from learning.accounts.models import LoginFailure
from learning.db import db, utcnow

WINDOW = timedelta(hours=1)  # failures older than this are forgotten
FREE_FAILURES = 5  # per bucket before the back-off starts
FIRST_DELAY = timedelta(seconds=15)  # after the first failure beyond the free ones; doubles with each next
MAX_DELAY = timedelta(minutes=15)
MAX_ACCOUNTS_PER_SOURCE = 10  # distinct accounts with failures from one source before it is slowed as a whole


@dataclass(frozen=True)
class Attempt:
    """Who tries to log in, as hashes: the account (e-mail), the source address and the known device, if any."""

    account_key: str
    client_key: str
    device_key: str | None = None

    @classmethod
    def of(cls, email: str, client: str, device: str | None = None) -> Attempt:
        return cls(key(email), key(client), key(device) if device else None)


def key(value: str) -> str:
    """Hash what we store: the failure log must not become a list of addresses people typed."""
    return hashlib.sha256(value.encode()).hexdigest()


def delay_after(failures: int) -> timedelta:
    """The wait a bucket with this many recent failures must observe after its last failure."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(MAX_DELAY, FIRST_DELAY * 2 ** min(failures - FREE_FAILURES, 16))


def _bucket(attempt: Attempt) -> ColumnElement[bool]:
    if attempt.device_key is not None:
        return and_(LoginFailure.account_key == attempt.account_key, LoginFailure.device_key == attempt.device_key)
    return and_(
        LoginFailure.account_key == attempt.account_key,
        LoginFailure.client_key == attempt.client_key,
        LoginFailure.device_key.is_(None),
    )


def wait_needed(attempt: Attempt, now: datetime | None = None) -> timedelta:
    """Return how long this attempt must wait before its password may be checked (zero: check it now)."""
    now = now or utcnow()
    since = now - WINDOW
    count, last = db.session.execute(
        select(func.count(), func.max(LoginFailure.at)).where(_bucket(attempt), LoginFailure.at > since)
    ).one()
    waits = [timedelta(0)]
    if count and last is not None:
        waits.append(last + delay_after(count) - now)
    if attempt.device_key is None:
        waits.append(_source_wait(attempt, since, now))
    return max(waits)


def _source_wait(attempt: Attempt, since: datetime, now: datetime) -> timedelta:
    """Slow a source that fails on many different accounts (password spraying); known devices are exempt."""
    accounts = db.session.scalar(
        select(func.count(func.distinct(LoginFailure.account_key))).where(
            LoginFailure.client_key == attempt.client_key,
            LoginFailure.device_key.is_(None),
            LoginFailure.at > since,
        )
    )
    accounts = accounts or 0
    if accounts < MAX_ACCOUNTS_PER_SOURCE:
        return timedelta(0)
    last: datetime | None = db.session.scalar(
        select(func.max(LoginFailure.at)).where(LoginFailure.client_key == attempt.client_key, LoginFailure.at > since)
    )
    if last is None:
        return timedelta(0)
    return max(timedelta(0), last + delay_after(FREE_FAILURES + accounts - MAX_ACCOUNTS_PER_SOURCE) - now)


def record_failure(attempt: Attempt) -> None:
    """Remember a wrong password for this attempt's bucket (the caller commits)."""
    db.session.add(
        LoginFailure(account_key=attempt.account_key, client_key=attempt.client_key, device_key=attempt.device_key)
    )


def forget_failures(attempt: Attempt) -> None:
    """After a success, empty this attempt's bucket (others stay: an attacker's back-off is not reset)."""
    db.session.execute(delete(LoginFailure).where(_bucket(attempt)))
    db.session.execute(delete(LoginFailure).where(LoginFailure.at <= utcnow() - WINDOW))  # keep the table small


def minutes(wait: timedelta) -> int:
    """A wait in whole minutes for people, rounded up (never "0 minutes")."""
    return max(1, math.ceil(wait.total_seconds() / 60))
