"""Which new passwords we accept: NIST SP 800-63B rules, checked at registration, reset and change.

Length is what makes a password hard to guess, and a password that is on a list of common or breached ones is
guessed first whatever its length. So: at least 8 characters, up to 200 (a whole sentence fits), any character
(spaces too), no rules about digits or capitals (they make people write passwords down or pick "Welkom01!"), and
not on the bundled list of the 20,000 most common passwords. Why 8 and not 15: see docs/passwords.md.
"""

from __future__ import annotations

import gzip
from enum import StrEnum
from functools import cache
from pathlib import Path

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 200
COMMON_PASSWORDS = Path(__file__).parent / "data" / "common-passwords.txt.gz"


class PasswordProblem(StrEnum):
    """Why a new password is refused; the views turn each into a message that says what to do."""

    TOO_SHORT = "password too short"
    TOO_LONG = "password too long"
    TOO_COMMON = "password too common"
    IS_EMAIL = "password is the e-mail address"


@cache
def common_passwords() -> frozenset[str]:
    """Return the bundled list (lower case), read once per process: about 20,000 entries, under a megabyte."""
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def password_problem(password: str, email: str = "") -> PasswordProblem | None:
    """Return why this new password cannot be used, or None when it can.

    The list is compared without regard to case and to spaces around it: "PASSWORD1" is as guessable as
    "password1". The account's own e-mail address (or the part before the @) is the first guess of anyone who
    knows it.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return PasswordProblem.TOO_SHORT
    if len(password) > MAX_PASSWORD_LENGTH:
        return PasswordProblem.TOO_LONG
    folded = password.strip().lower()
    if folded in common_passwords():
        return PasswordProblem.TOO_COMMON
    address = email.strip().lower()
    if address and folded in {address, address.split("@", 1)[0]}:
        return PasswordProblem.IS_EMAIL
    return None
