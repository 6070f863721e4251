"""The second factor for staff: TOTP (RFC 6238) with single-use recovery codes, callable without a request.

Why these roles: an author, reviewer, manager, administrator or privacy officer can change what every patient
reads, see whole teams' records, or hand out accounts. A stolen password alone must not be enough for that, so
these roles prove a code from an authenticator app as well. Patients and caregivers are never asked: for them
a second device would be a barrier (WCAG 2.2 3.3.8), and they see only their own records.

How it is kept safe:
- the secret is stored encrypted (Fernet, with a key derived from the app's secret key), and shown only while
  the person sets it up;
- a code is accepted for the current 30-second step and one step either side (clocks drift), and each step only
  once: the last accepted step is stored and raised with one conditional UPDATE, so a code read over a shoulder,
  or sent twice at once, does not work a second time;
- wrong codes are throttled like wrong passwords (throttle.py), in a bucket of their own;
- ten recovery codes are made at set-up, shown once, stored as argon2id hashes and each spent once.
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, func, or_, select, update

from learning.accounts import throttle
from learning.accounts.models import RecoveryCode, Role, User
from learning.accounts.services import AccountError, Throttled
from learning.db import db, utcnow

MFA_ROLES = frozenset({Role.AUTHOR, Role.REVIEWER, Role.MANAGER, Role.ADMIN, Role.PRIVACY_OFFICER})
ISSUER = "VTC Twente"
STEP_SECONDS = 30
DRIFT_STEPS = 1  # a code of the step before or after is accepted too (a phone's clock a little off)
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i: read from paper without doubt
RECOVERY_LENGTH = 10  # 31**10, about 2**49.5
# OWASP's minimum for argon2id (19 MiB, 2 passes): codes are hashed ten at a time at set-up, checked rarely.
_recovery_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


class CodeWrong(AccountError):
    """The code is not right, not for now, or was used already."""

    def __init__(self) -> None:
        super().__init__("code wrong")


@dataclass(frozen=True)
class Verified:
    """How a second factor was proven; recovery_left is set when a recovery code was spent."""

    recovery_left: int | None = None


def requires_mfa(user: User) -> bool:
    return user.role in MFA_ROLES


def is_enrolled(user: User) -> bool:
    return user.mfa_secret is not None and user.mfa_enrolled_at is not None


# --- the secret, encrypted at rest -------------------------------------------------------------------------------


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"vtc-mfa-secret").derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _cipher(secret_keys: Iterable[str]) -> MultiFernet:
    """Encrypt with the first key; decrypt with any (SECRET_KEY_FALLBACKS keep secrets readable over a rotation)."""
    return MultiFernet([_fernet(key) for key in secret_keys if key])


def encrypt(secret: str, secret_keys: Iterable[str]) -> str:
    return _cipher(secret_keys).encrypt(secret.encode()).decode()


def decrypt(token: str, secret_keys: Iterable[str]) -> str | None:
    """The secret, or None when no key of this app can read it (the secret key was replaced): re-enrol then."""
    try:
        return _cipher(secret_keys).decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def new_secret() -> str:
    """A fresh 160-bit base32 secret (RFC 4226 recommends 160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type or have read aloud by a screen reader."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --- codes -------------------------------------------------------------------------------------------------------


def _clean(code: str) -> str:
    return "".join(ch for ch in code if not ch.isspace() and ch != "-").lower()


def _matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step (within the drift) this six-digit code belongs to, or None."""
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = int(now // STEP_SECONDS)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _claim_step(user: User, step: int) -> bool:
    """Store step as the last one used, only when it is later than the last: a replay changes no row."""
    result = db.session.execute(
        update(User)
        .where(User.id == user.id, or_(User.mfa_last_step.is_(None), User.mfa_last_step < step))
        .values(mfa_last_step=step)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def enrol(
    user: User, secret: str, code: str, client: str, secret_keys: list[str], now: float | None = None
) -> list[str]:
    """Confirm a new secret with one code from the app; store it and return ten new recovery codes (shown once).

    :raises Throttled: while the back-off for wrong codes of this account runs.
    :raises CodeWrong: when the code does not belong to this secret now (nothing is stored; counted).
    """
    attempt = _attempt(user, client, None)
    step = _matching_step(secret, _clean(code), time.time() if now is None else now)
    if step is None:
        throttle.record_failure(attempt)
        db.session.commit()
        raise CodeWrong
    throttle.forget_failures(attempt)
    set_secret(user, secret, secret_keys, last_step=step)
    codes = _new_recovery_codes(user)
    db.session.commit()
    return codes


def _attempt(user: User, client: str, device: str | None) -> throttle.Attempt:
    """The throttling bucket of wrong codes: apart from wrong passwords, so neither slows the other.

    :raises Throttled: while its back-off runs.
    """
    attempt = throttle.Attempt.of(f"mfa:{user.email}", client, device)
    wait = throttle.wait_needed(attempt)
    if wait > timedelta(0):
        raise Throttled(wait)
    return attempt


def set_secret(user: User, secret: str, secret_keys: list[str], last_step: int | None = None) -> None:
    """Store a confirmed secret (enrolment; the demo seed's known secret); the caller commits."""
    user.mfa_secret = encrypt(secret, secret_keys)
    user.mfa_enrolled_at = utcnow()
    user.mfa_last_step = last_step


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH)) for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_recovery_hasher.hash(code)) for code in codes)
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def renew_recovery_codes(user: User) -> list[str]:
    """Replace every recovery code of the account by ten new ones (shown once); commits."""
    codes = _new_recovery_codes(user)
    db.session.commit()
    return codes


def recovery_codes_left(user: User) -> int:
    return (
        db.session.scalar(select(func.count()).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))
        or 0
    )


def _spend_recovery_code(user: User, code: str) -> bool:
    """Mark the matching unused code used (one conditional UPDATE: two requests cannot both spend it)."""
    if len(code) != RECOVERY_LENGTH:
        return False
    unused = db.session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).all()
    for row in unused:
        try:
            _recovery_hasher.verify(row.code_hash, code)
        except (VerificationError, InvalidHashError):
            continue
        spent = db.session.execute(
            update(RecoveryCode)
            .where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
            .values(used_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(spent, "rowcount", 0))
    return False


def verify(
    user: User, code: str, client: str, secret_keys: list[str], device: str | None = None, now: float | None = None
) -> Verified:
    """Check a code from the app, or a recovery code, for an enrolled account; throttled like a password.

    :raises Throttled: while this account's (and source's) back-off for wrong codes runs; nothing is checked.
    :raises CodeWrong: on a wrong, expired or already used code (counted as a failure).
    """
    attempt = _attempt(user, client, device)
    cleaned = _clean(code)
    secret = decrypt(user.mfa_secret, secret_keys) if user.mfa_secret else None
    result: Verified | None = None
    if secret is not None:
        step = _matching_step(secret, cleaned, time.time() if now is None else now)
        if step is not None and _claim_step(user, step):
            result = Verified()
        elif step is None and _spend_recovery_code(user, cleaned):
            result = Verified(recovery_left=recovery_codes_left(user))
    if result is None:
        throttle.record_failure(attempt)
        db.session.commit()
        raise CodeWrong
    throttle.forget_failures(attempt)
    db.session.commit()
    return result


def reset(user: User) -> None:
    """Forget the secret and the recovery codes, and end every session: the next log-in sets the factor up anew."""
    user.mfa_secret = None
    user.mfa_enrolled_at = None
    user.mfa_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.session_version += 1
    db.session.commit()
