"""ISO 8601 timestamps and durations as xAPI uses them.

The spec demands ISO 8601 (RFC 3339 recommended) and at least millisecond precision, so parsing is
hand-written rather than delegated to ``datetime.fromisoformat``: that accepts things ISO 8601 does not
(and vice versa), and it does not know the conformance suite's rule that a "-00:00" offset is invalid.
"""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

from lrs.xapi.errors import BadRequest

_EXTENDED = re.compile(
    r"(?P<date>[0-9]{4}-(?:[0-9]{2}-[0-9]{2}|[0-9]{3}|W[0-9]{2}-[0-9]))"
    r"[Tt ](?P<time>[0-9]{2}(?::[0-9]{2}(?::[0-9]{2})?)?(?:[.,][0-9]+)?)"
    r"(?P<offset>[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?"
)
_BASIC = re.compile(
    r"(?P<date>[0-9]{4}(?:[0-9]{4}|[0-9]{3}|W[0-9]{3}))"
    r"[Tt](?P<time>[0-9]{2}(?:[0-9]{2}(?:[0-9]{2})?)?(?:[.,][0-9]+)?)"
    r"(?P<offset>[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?"
)
_NUMBER = r"[0-9]+(?:[.,][0-9]+)?"
_DURATION = re.compile(
    rf"P(?:(?P<W>{_NUMBER})W"
    rf"|(?:(?P<Y>{_NUMBER})Y)?(?:(?P<Mo>{_NUMBER})M)?(?:(?P<D>{_NUMBER})D)?"
    rf"(?:(?P<T>T)(?:(?P<H>{_NUMBER})H)?(?:(?P<Mi>{_NUMBER})M)?(?:(?P<S>{_NUMBER})S)?)?)"
)
_DURATION_UNITS = ("W", "Y", "Mo", "D", "H", "Mi", "S")
_MICROS_PER_SECOND = 1_000_000
# The shape nearly every client sends; datetime.fromisoformat reads it exactly as the full parser would, in a
# fraction of the time (statements are parsed on every insert, so this is the ingest hot path).
_COMMON = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?(?:Z|\+[0-9]{2}:[0-9]{2})")
_EXAMPLE = "e.g. '2024-01-31T12:00:00.000Z'"


def parse_timestamp(text: str) -> datetime:
    """Parse an ISO 8601 combined date and time into an aware UTC datetime, keeping microseconds.

    A missing offset is read as UTC (the spec only says a timezone SHOULD be given). A space is accepted
    in place of 'T' because RFC 3339 allows it and older TinCan clients send it.
    """
    if _COMMON.fullmatch(text):
        # leap seconds, and a year-1 or year-9999 moment whose offset moves it out of range: the full parser decides
        with contextlib.suppress(ValueError, OverflowError):
            return datetime.fromisoformat(text).astimezone(UTC)
    match = _EXTENDED.fullmatch(text) or _BASIC.fullmatch(text)
    if match is None:
        raise BadRequest(f"{_quote(text)} is not an ISO 8601 date and time ({_EXAMPLE})")
    try:
        day = _parse_date(match["date"])
        local = datetime(day.year, day.month, day.day) + timedelta(microseconds=_parse_time(match["time"]))
        offset = _parse_offset(match["offset"])
        return (local - offset).replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise BadRequest(f"{_quote(text)} is not a valid date and time ({_EXAMPLE})") from None


def format_timestamp(dt: datetime) -> str:
    """Render in UTC with 'Z' and microseconds, the form the spec recommends LRSs return.

    A naive datetime is taken to be UTC already, matching how parse_timestamp reads offset-less input.
    """
    utc = dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def validate_duration(text: str) -> None:
    """Accept only the ISO 8601:2004 4.4.3.2 duration format (PnYnMnDTnHnMnS or PnW), as the spec requires.

    The alternative format (P0003-01-29T...) and negative durations are rejected; only the last component
    may carry a decimal fraction, which is the ISO rule.
    """
    match = _DURATION.fullmatch(text)
    present = [unit for unit in _DURATION_UNITS if match is not None and match[unit] is not None]
    time_part = [unit for unit in present if unit in ("H", "Mi", "S")]
    if match is None or not present or (match["T"] is not None and not time_part):
        raise BadRequest(f"{_quote(text)} is not an ISO 8601 duration (e.g. 'PT1H30M' or 'P4W')")
    if any(re.search(r"[.,]", match[unit]) for unit in present[:-1]):
        raise BadRequest(f"{_quote(text)}: only the smallest component of a duration may have a fraction")


def _parse_date(text: str) -> date:
    """Calendar, ordinal and week dates are all ISO 8601 dates, so all three are read."""
    digits = text.replace("-", "")
    year = int(digits[:4])
    if "W" in digits:
        return date.fromisocalendar(year, int(digits[5:7]), int(digits[7]))
    if len(digits) == 7:
        ordinal = int(digits[4:])
        if not 1 <= ordinal <= (date(year, 12, 31) - date(year, 1, 1)).days + 1:
            raise ValueError("day of year out of range")
        return date(year, 1, 1) + timedelta(days=ordinal - 1)
    return date(year, int(digits[4:6]), int(digits[6:8]))


def _parse_time(text: str) -> int:
    """Return microseconds since midnight; a fraction applies to the smallest unit written, per ISO 8601."""
    whole, _, fraction = text.replace(",", ".").partition(".")
    digits = whole.replace(":", "")
    fields = [int(digits[i : i + 2]) for i in range(0, len(digits), 2)]
    hour, minute, second = [*fields, 0, 0][:3]
    if hour > 24 or minute > 59 or second > 60 or (hour == 24 and (minute or second or fraction.strip("0"))):
        raise ValueError("time of day out of range")
    unit_seconds = (3600, 60, 1)[len(fields) - 1]
    fraction = fraction[:15]  # finer than a microsecond of an hour is noise, and bounds the int() below
    extra = Fraction(int(fraction), 10 ** len(fraction)) if fraction else Fraction(0)
    micros = (hour * 3600 + minute * 60 + second) * _MICROS_PER_SECOND
    micros += int(extra * unit_seconds * _MICROS_PER_SECOND)
    if second == 60:  # a leap second cannot be represented; keep it inside the minute it belongs to
        micros = min(micros, (hour * 3600 + minute * 60 + 60) * _MICROS_PER_SECOND - 1)
    return micros


def _parse_offset(text: str | None) -> timedelta:
    """'-00:00' means "offset unknown" in RFC 3339 and is not ISO 8601, so it is rejected, not read as UTC."""
    if text is None or text in ("Z", "z"):
        return timedelta(0)
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or "0")
    if hours > 23 or minutes > 59:
        raise ValueError("UTC offset out of range")
    if text[0] == "-" and hours == minutes == 0:
        raise BadRequest(f"{_quote(text)} is not a valid UTC offset; write UTC as 'Z' or '+00:00'")
    offset = timedelta(hours=hours, minutes=minutes)
    return -offset if text[0] == "-" else offset


def _quote(text: str) -> str:
    """Echo the client's value in the message, shortened so a huge body is not reflected back."""
    shown = repr(text)
    return shown if len(shown) <= 60 else shown[:56] + "...'"


_SPACE_OFFSET = re.compile(r"(.*[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]+)?) ([0-9]{2}(?::?[0-9]{2})?)")


def parse_query_timestamp(text: str) -> datetime:
    """Parse a timestamp from a query string, where an unencoded '+' of the offset arrives as a space.

    Clients that build URLs by hand often forget to encode '+'; a trailing ' hh:mm' can only mean '+hh:mm'.
    """
    match = _SPACE_OFFSET.fullmatch(text)
    return parse_timestamp(f"{match[1]}+{match[2]}" if match else text)
