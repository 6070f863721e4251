"""Recognise personal data that must never leave a care organisation: names, e-mail, BSN, dates of birth,
contact details, diagnoses and measurement values (privacy.md, "data minimisation").

Ingestion accepts pseudonyms and counts only. These checks are deliberately cautious: refusing a pseudonym that
merely resembles a name costs the sender one renamed row, accepting a real name cannot be undone.
Every function returns an English message template (see `Problem`) or None.
"""

from __future__ import annotations

import re
from datetime import date

from learning.rpm.problems import N_

PSEUDONYM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
BSN_FORMATTED = re.compile(r"\d{3,4}[. -]?\d{2}[. -]?\d{3}")
TITLE_CASE_WORD = re.compile(r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?")
DATE_LIKE = (
    re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})"),
    re.compile(r"(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})"),
    re.compile(r"(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})"),
    re.compile(r"(?P<d>\d{2})(?P<m>\d{2})(?P<y>(?:19|20)\d{2})"),
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Tokens of a column or field name (split on _ - space) that reveal what a column holds.
FORBIDDEN_TOKENS: dict[str, frozenset[str]] = {
    N_("Names may not be sent: use the organisation's pseudonym."): _words(
        "name names naam namen firstname lastname surname voornaam achternaam initials voorletters "
        "tussenvoegsel fullname"
    ),
    N_("E-mail addresses may not be sent."): _words("email e-mail mail emailadres mailadres"),
    N_("BSNs (citizen service numbers) may not be sent: use the organisation's pseudonym."): _words(
        "bsn ssn burgerservicenummer sofinummer"
    ),
    N_("Dates of birth and ages may not be sent."): _words(
        "dob birth birthdate birthday geboortedatum geboren geboorte age leeftijd"
    ),
    N_("Addresses and phone numbers may not be sent."): _words(
        "address adres street straat postcode zip zipcode phone telephone telefoon tel mobile mobiel"
    ),
    N_("Diagnoses and medication may not be sent."): _words(
        "diagnosis diagnose diagnoses icd icd10 medication medicatie medicine"
    ),
    N_("Measurement values may not be sent: send how many measurements arrived (counts), never what they were."): (
        _words(
            "weight gewicht kg kilo systolic diastolic systole diastole sys dia bp bloeddruk mmhg pulse hartslag "
            "heart heartrate hr glucose glucosewaarde spo2 saturation saturatie temperature temperatuur temp "
            "value values waarde waarden reading readings result uitslag fev1 peakflow steps stappen"
        )
    ),
}


def name_tokens(name: str) -> list[str]:
    """Split a column name into lower-case words (weight_kg -> ["weight", "kg"])."""
    return [token for token in re.split(r"[\s_\-./]+", name.strip().lower()) if token]


def forbidden_field(name: str) -> str | None:
    """Return why a column or field of this name may not be sent, or None when its name reveals nothing."""
    tokens = set(name_tokens(name))
    joined = "".join(name_tokens(name))
    for message, forbidden in FORBIDDEN_TOKENS.items():
        if tokens & forbidden or joined in forbidden:
            return message
    return None


def is_email(value: str) -> bool:
    """True when the value contains an e-mail address."""
    return "@" in value and bool(EMAIL.search(value))


def is_bsn(value: str) -> bool:
    """True for 8 or 9 digits (dots, spaces or dashes allowed) that pass the BSN 11-test.

    8 digits count too: spreadsheets drop the leading zero of a BSN that starts with 0.
    """
    if not BSN_FORMATTED.fullmatch(value.strip()):
        return False
    digits = re.sub(r"[. -]", "", value.strip()).zfill(9)
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    total = sum(int(digit) * weight for digit, weight in zip(digits, weights, strict=True))
    return total % 11 == 0 and digits != "000000000"


def is_date_like(value: str) -> bool:
    """True when the whole value reads as a calendar date (a date of birth used as an identifier)."""
    for pattern in DATE_LIKE:
        match = pattern.fullmatch(value.strip())
        if match is None:
            continue
        try:
            date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            continue
        return True
    return False


def looks_like_name(value: str) -> bool:
    """True for words separated by spaces or commas ("Jan de Vries", "Vries, J.") or one capitalised word."""
    words = [word for word in re.split(r"[\s,]+", value.strip()) if word]
    if len(words) > 1 and all(re.fullmatch(r"[^\W\d_][\w.'-]*", word) for word in words):
        return True
    return bool(TITLE_CASE_WORD.fullmatch(value.strip()))


def personal_value(value: str) -> str | None:
    """Return why a cell's text may not be sent (e-mail, BSN), whatever column it is in."""
    if is_email(value):
        return N_("This looks like an e-mail address; only pseudonyms may be sent.")
    if is_bsn(value):
        return N_("This looks like a BSN (it passes the 11-test); use the organisation's pseudonym instead.")
    return None


def pseudonym_problem(value: str) -> str | None:
    """Return why a value cannot be a pseudonym (personal data, or characters a pseudonym does not have)."""
    found = personal_value(value)
    if found:
        return found
    if is_date_like(value):
        return N_("This looks like a date (of birth?); use the organisation's pseudonym instead.")
    if looks_like_name(value):
        return N_("This looks like a name; use the organisation's pseudonym instead.")
    if not PSEUDONYM.fullmatch(value):
        return N_("A pseudonym has at most 64 letters, digits and . _ : - and no spaces.")
    return None
