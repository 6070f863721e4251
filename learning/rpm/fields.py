"""The fields of each kind of RPM record and how one value is read, for CSV cells and JSON values alike.

One table drives the CSV template, the upload page's column list, the validation and the OpenAPI document, so
they cannot disagree. Parsers accept JSON-typed values or their text form (a CSV cell) and raise `Invalid`.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from learning.rpm.personal import personal_value, pseudonym_problem
from learning.rpm.problems import N_

LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")  # times without an offset are the care organisation's wall clock
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?", re.ASCII)
ISO_MONTH = re.compile(r"([1-9]\d{3})-(0[1-9]|1[0-2])", re.ASCII)
CODE = re.compile(r"[a-z0-9_]{1,20}")
EXAMPLE_PREFIX = "EXAMPLE-"  # pseudonyms of the CSV templates' example rows, refused so they never get imported
TRUE_WORDS = frozenset({"yes", "y", "true", "1", "ja", "j", "waar"})  # WAAR/ONWAAR: Dutch Excel
FALSE_WORDS = frozenset({"no", "n", "false", "0", "nee", "onwaar"})
YES_NO = TRUE_WORDS | FALSE_WORDS
MAX_COUNT = 1_000_000  # larger is no count of RPM events; a BSN in a count column is caught here too
MAX_ID = 10_000_000


class Invalid(ValueError):
    """A value that cannot be read; carries a message template and its parameters."""

    def __init__(self, template: str, **params: Any) -> None:
        super().__init__(template % params if params else template)
        self.template = template
        self.params = params


class Kind(enum.StrEnum):
    """What a CSV file or API batch holds; the value is the API path and the CSV template name."""

    ENROLMENTS = "enrolments"
    DAILY = "daily"
    ALERTS = "alerts"
    STAFF_ACTIVITY = "staff-activity"
    ELIGIBLE_COUNTS = "eligible-counts"


def is_blank(value: object) -> bool:
    """True for a missing value: null, or an empty or all-space cell."""
    return value is None or value == "" or (isinstance(value, str) and value.isspace())


def refuse(value: object, template: str, **params: Any) -> Invalid:
    """Return the error for an unreadable value; personal data (e-mail, BSN) is named as such instead.

    Checked only once a value fails to parse: a valid date or code cannot hold an e-mail address or a BSN.
    """
    found = personal_value(str(value)) if isinstance(value, str | int) else None
    return Invalid(found) if found else Invalid(template, **params)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise Invalid(N_("Must be text."))
    return value.strip()


def _number(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value)
    return None


def parse_id(value: object) -> int:
    """Read a positive whole number identifying a programme or team."""
    number = _number(value)
    if number is None or not 0 < number < MAX_ID:
        raise refuse(value, N_("Must be a number from the list of programmes and teams."))
    return number


def parse_count(value: object) -> int:
    """Read a count: a whole number of 0 or more (never a measured value such as 82.5)."""
    number = _number(value)
    if number is None or not 0 <= number <= MAX_COUNT:
        raise refuse(
            value, N_("Must be a whole number from 0 to %(max)d (a count, not a measured value)."), max=MAX_COUNT
        )
    return number


def parse_date(value: object) -> date:
    """Read an ISO date (2025-03-01); spreadsheets that rewrite dates are told which format to use."""
    text = _text(value)
    if not ISO_DATE.fullmatch(text):
        raise refuse(text, N_("Must be a date written as YYYY-MM-DD, e.g. 2025-03-01."))
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(N_("%(value)s is not a date in the calendar."), value=text) from None


def parse_datetime(value: object) -> datetime:
    """Read an ISO date and time; without an offset it is Dutch local time (Europe/Amsterdam)."""
    text = _text(value)
    if not ISO_DATETIME.fullmatch(text):
        raise refuse(text, N_("Must be a date and time written as YYYY-MM-DDTHH:MM, e.g. 2025-03-01T14:05+01:00."))
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid(N_("%(value)s is not a moment in the calendar."), value=text) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_ZONE)


def parse_month(value: object) -> date:
    """Read a calendar month (2025-03) and return its first day."""
    match = ISO_MONTH.fullmatch(_text(value))
    if match is None:
        raise refuse(value, N_("Must be a month written as YYYY-MM, e.g. 2025-03."))
    return date(int(match[1]), int(match[2]), 1)


def parse_bool(value: object) -> bool:
    """Read yes/no (also ja/nee, true/false, 1/0)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in YES_NO:
        return value.strip().lower() in TRUE_WORDS
    raise refuse(value, N_("Must be yes or no."))


def parse_pseudonym(value: object) -> str:
    """Read a pseudonym, refusing anything that looks like a name, e-mail, BSN or date of birth."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = _text(value)
    if text[:8].upper() == EXAMPLE_PREFIX:
        raise Invalid(N_("This is the template's example row: replace it with real data or delete it."))
    found = pseudonym_problem(text)
    if found:
        raise Invalid(found)
    return text


def parse_team(value: object) -> int | str:
    """Read a team: its number, or its name exactly as the upload page lists it."""
    if _number(value) is not None:
        return parse_id(value)
    text = _text(value)
    found = personal_value(text)
    if found:
        raise Invalid(found)
    return text


def parse_code(value: object) -> str:
    """Read a short lower-case code (a severity such as red), to be checked against the programme."""
    text = _text(value).lower()
    if not CODE.fullmatch(text):
        raise refuse(text, N_("Must be a short code of letters, digits and _."))
    return text


def choice(options: tuple[str, ...]) -> Callable[[object], str]:
    """Return a parser that accepts one of a fixed list of codes."""

    def parse(value: object) -> str:
        text = _text(value).lower()
        if text not in options:
            raise refuse(text, N_("Must be one of: %(options)s."), options=", ".join(options))
        return text

    return parse


@dataclass(frozen=True)
class Field:
    """One value of a record: a CSV column and a JSON property."""

    name: str
    parse: Callable[[object], Any]
    required: bool
    help: str
    schema: dict[str, Any]
    example: Any


@dataclass(frozen=True)
class Counts:
    """Counts by type: a JSON object, or in CSV one column per type (prefix + type)."""

    name: str
    csv_prefix: str
    keys: tuple[str, ...] | None  # None: the measurement types of the record's programme
    help: str
    example: dict[str, int]


@dataclass(frozen=True)
class Spec:
    """One kind of record: its fields, its counts and the natural key it is upserted on."""

    kind: Kind
    title: str
    fields: tuple[Field, ...]
    counts: tuple[Counts, ...]
    key: tuple[str, ...]  # the natural key: the same key again updates the row

    @cached_property
    def names(self) -> tuple[str, ...]:
        """Return every field name a record of this kind may have."""
        return tuple(f.name for f in self.fields) + tuple(c.name for c in self.counts)
