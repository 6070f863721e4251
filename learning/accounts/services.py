"""Registration, log-in and throttling: the account rules, callable without a request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, func, select, update

from learning.accounts import throttle
from learning.accounts.models import Invitation, Organisation, Role, SignInLink, User
from learning.accounts.passwords import password_problem
from learning.db import db, utcnow

# argon2id at argon2-cffi's defaults, RFC 9106's second recommended option (t=3, 64 MiB, p=4): ~0.1 s a hash. The
# test suite swaps in a minimum-cost hasher (tests/conftest.py); test_password_cost.py holds this one to the RFC.
_hasher = PasswordHasher()


class AccountError(Exception):
    """A refusal the person can act on; the message is shown to them (translated by the caller)."""


class Throttled(AccountError):
    """Too many recent failures for this attempt's bucket: wait before the password is checked again."""

    def __init__(self, wait: timedelta) -> None:
        super().__init__("too many attempts")
        self.wait = wait
        self.minutes = throttle.minutes(wait)


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


def code_key(code: str) -> str:
    """The form of a code that is compared: upper case, without spaces or hyphens ("demo - patient" = DEMO-PATIENT).

    People copy codes from paper; case, spacing and where the hyphen goes must not decide whether one works.
    """
    return "".join(ch for ch in code.upper() if not ch.isspace() and ch != "-")


def stored_code_key() -> ColumnElement[str]:
    """code_key() in SQL, for the stored codes (SQLite and PostgreSQL both have upper and replace)."""
    return func.replace(func.replace(func.upper(Invitation.code), "-", ""), " ", "")


def find_invitation(code: str) -> Invitation | None:
    """Return a usable invitation for this code, or None when unknown, used up, expired or revoked."""
    key = code_key(code)
    if not key:
        return None
    invitation = db.session.scalar(select(Invitation).where(stored_code_key() == key))
    if invitation is None or invitation.uses >= invitation.max_uses or invitation.revoked_at is not None:
        return None
    if invitation.expires_at is not None and invitation.expires_at <= utcnow():
        return None
    return invitation


def _claim(invitation: Invitation) -> bool:
    """Count one use, only while a use is left: one UPDATE, so two people registering at once cannot both take
    the last use of a single-use code."""
    claimed = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.uses < Invitation.max_uses, Invitation.revoked_at.is_(None))
        .values(uses=Invitation.uses + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(claimed, "rowcount", 0))


def register(data: Registration) -> User:
    """Create an account from an invitation; the code decides organisation, team and role.

    :raises AccountError: on an unusable code, a taken e-mail address or a password passwords.py refuses.
    """
    invitation = find_invitation(data.code)
    if invitation is None:
        raise AccountError("invitation code unknown, used up or expired")
    email = normalise_email(data.email)
    if "@" not in email or len(email) > 254:
        raise AccountError("invalid e-mail address")
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError("e-mail address already registered")
    check_new_password(data.password, email)
    user = User(
        email=email,
        password_hash=hash_password(data.password),
        display_name=data.display_name.strip()[:100],
        role=invitation.role,
        organisation_id=invitation.organisation_id,
        team_id=invitation.team_id,
    )
    if not _claim(invitation):
        db.session.rollback()
        raise AccountError("invitation code unknown, used up or expired")
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str, client: str, devices: Mapping[int, str] | None = None) -> User:
    """Return the user these credentials prove.

    client is the source address; devices maps user ids to the nonces of this browser's known-device cookie.
    A known device of the account is throttled only by its own failures (see throttle.py).

    :raises Throttled: while this attempt's back-off runs; the password is not checked then.
    :raises AccountError: on a wrong e-mail/password pair (one message for both, so accounts can't be probed).
    """
    email = normalise_email(email)
    user = db.session.scalar(select(User).where(User.email == email))
    device = (devices or {}).get(user.id) if user is not None else None
    attempt = throttle.Attempt.of(email, client, device)
    wait = throttle.wait_needed(attempt)
    if wait > timedelta(0):
        raise Throttled(wait)
    if user is not None and user.is_active and _verify(user, password):
        throttle.forget_failures(attempt)
        db.session.commit()
        return user
    if user is None:
        _spend_as_long_as_a_check(password)
    throttle.record_failure(attempt)
    db.session.commit()
    raise AccountError("wrong e-mail address or password")


def change_password(user: User, current: str, new: str, client: str) -> None:
    """Set a new password when the current one is right, and end every other session of the account.

    Wrong current passwords count as log-in failures: a forgotten open session must not become a guessing
    machine.

    :raises Throttled: while the back-off for this account and source runs.
    :raises AccountError: on a wrong current password or a new one passwords.py refuses.
    """
    attempt = throttle.Attempt.of(user.email, client)
    wait = throttle.wait_needed(attempt)
    if wait > timedelta(0):
        raise Throttled(wait)
    if not _verify(user, current):
        throttle.record_failure(attempt)
        db.session.commit()
        raise AccountError("current password wrong")
    check_new_password(new, user.email)
    user.password_hash = hash_password(new)
    end_sign_in_links(user)
    end_sessions(user)


def confirm_password(user: User, password: str, client: str) -> None:
    """Check a logged-in person's password again before a sensitive action (reauth.py) or one that cannot be
    undone (erasing an account).

    Wrong passwords count as log-in failures of this account and source, as for a password change: an open session
    left on a ward computer must not become a guessing machine.

    :raises Throttled: while the back-off for this account and source runs.
    :raises AccountError: on a wrong password.
    """
    attempt = throttle.Attempt.of(user.email, client)
    wait = throttle.wait_needed(attempt)
    if wait > timedelta(0):
        raise Throttled(wait)
    if not _verify(user, password):
        throttle.record_failure(attempt)
        db.session.commit()
        raise AccountError("password wrong")


def check_new_password(password: str, email: str) -> None:
    """Refuse a new password that breaks the rules of passwords.py (length, common list, the e-mail address).

    :raises AccountError: whose message is the PasswordProblem's value.
    """
    problem = password_problem(password, email)
    if problem is not None:
        raise AccountError(problem.value)


def end_sessions(user: User) -> None:
    """Make every session cookie of this account worthless (logout, password change) and commit."""
    user.session_version += 1
    db.session.commit()


def end_sign_in_links(user: User) -> None:
    """Make every unused sign-in link of this account worthless (a new password, a new address, a link used); the
    caller commits. Who changes the password may suspect someone else reads their mail."""
    db.session.execute(
        update(SignInLink)
        .where(SignInLink.user_id == user.id, SignInLink.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _spend_as_long_as_a_check(password: str) -> None:
    """Hash once for an unknown address, so the answer time does not tell which addresses have an account."""
    hash_password(password)


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


def organisation_pseudonyms() -> list[tuple[str, str]]:
    """Return (name, pseudonym) of every organisation by name: what an LRS credential can be confined to."""
    return [
        (row.name, row.pseudonym)
        for row in db.session.execute(select(Organisation.name, Organisation.pseudonym).order_by(Organisation.name))
    ]
