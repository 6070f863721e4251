"""Dashboard numbers in words: shares, minutes, days and rates as a Dutch or English reader reads them.

Shared by the SVG charts, their data tables, the PNG/PDF exports and the page templates, so a value reads the same
everywhere. A missing value says why: hidden for a small group, or no data. A banded value (a share whose count is
below the threshold in a large enough group) reads as "< 12% (minder dan 10 van 85)": an upper bound and the group
size, never the count itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Literal

from babel.numbers import format_percent, get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

from learning.metrics.suppression import band_share

Status = Literal["ok", "suppressed", "empty", "banded"]

_WORDS = {  # the few words a chart needs; kept here so this module needs no Flask request for gettext
    "nl": {"suppressed": "verborgen (kleine groep)", "empty": "geen gegevens", "hidden": "verborgen",
           "band": "minder dan {below} van {of}",
           "day": "dag", "days": "dagen", "line": "Maand", "bar": "Naam"},
    "en": {"suppressed": "hidden (small group)", "empty": "no data", "hidden": "hidden",
           "band": "fewer than {below} of {of}",
           "day": "day", "days": "days", "line": "Month", "bar": "Name"},
    "de": {"suppressed": "verborgen (kleine Gruppe)", "empty": "keine Daten", "hidden": "verborgen",
           "band": "weniger als {below} von {of}",
           "day": "Tag", "days": "Tage", "line": "Monat", "bar": "Name"},
}  # fmt: skip


def words(locale: str) -> dict[str, str]:
    """Return the chart vocabulary of a dashboard language.

    :raises ValueError: for a language other than Dutch or English, rather than showing a mix.
    """
    lang = locale.replace("-", "_").split("_")[0].lower()
    if lang not in _WORDS:
        raise ValueError(f"charts speak nl, en and de, not {locale!r}")
    return _WORDS[lang]


@lru_cache(maxsize=4)
def _symbols(lang: str) -> tuple[dict[int, str], str, str]:
    """Return the language's CLDR signs: Python's "," and "." mapped to group and decimal signs, minus, percent."""
    table = str.maketrans({",": get_group_symbol(lang), ".": get_decimal_symbol(lang)})
    percent = format_percent(0, locale=lang).replace("0", "", 1)  # the sign with its spacing: "%" in nl and en
    return table, get_minus_sign_symbol(lang), percent


def _number(value: Decimal, lang: str, places: int) -> str:
    # Python's own grouping with babel's signs: a bar chart formats hundreds of values per page, and Dutch and
    # English both group by three with no minimum, so this equals babel's pattern formatting at a fraction of its cost.
    table, minus, _ = _symbols(lang)
    text = f"{abs(value):,.{places}f}".translate(table)
    return minus + text if value < 0 else text


_QUANTUM = {places: Decimal(1).scaleb(-places) for places in (0, 1)}


def _rounded(value: float, places: int, scale: int = 1) -> Decimal:
    # Half up from the shortest decimal repr, as people round (42.5 min -> 43, 14.5 % -> 15), not half-even.
    return (Decimal(str(value)) * scale).quantize(_QUANTUM[places], rounding=ROUND_HALF_UP) + 0  # + 0: no "-0"


# (decimal places, scale) of each unit as shown: a share as a whole percentage, rates and Likert points to 0.1
_PRECISION: dict[str, tuple[int, int]] = {
    "ratio": (0, 100), "minutes": (0, 1), "days": (0, 1), "count": (0, 1), "per_100_patient_days": (1, 1),
    "likert_points": (1, 1),
}  # fmt: skip


def as_shown(value: float, unit: str) -> Decimal:
    """Return the value rounded as its cell shows it (a share in percent), so differences of shown figures add up."""
    places, scale = _PRECISION[unit]
    return _rounded(value, places, scale)


def _signed(rounded: Decimal, lang: str) -> str:
    return ("+" if rounded > 0 else "") + _number(rounded, lang, 1)


def _days(rounded: Decimal, lang: str) -> str:
    return f"{_number(rounded, lang, 0)} {_WORDS[lang]['day' if abs(rounded) == 1 else 'days']}"


_FORMATS: dict[str, Callable[[Decimal, str], str]] = {  # each gets the value already rounded by as_shown
    "ratio": lambda d, lang: _number(d, lang, 0) + _symbols(lang)[2],  # nl and en: "81%"
    "minutes": lambda d, lang: f"{_number(d, lang, 0)} min",
    "days": _days,
    "per_100_patient_days": lambda d, lang: _number(d, lang, 1),
    "likert_points": _signed,
    "count": lambda d, lang: _number(d, lang, 0),
}


@lru_cache(maxsize=4096)
def format_value(value: float | None, unit: str, locale: str, status: Status = "ok") -> str:
    """Return a value as a dashboard reader reads it, or why it is missing.

    :raises ValueError: for an unknown unit or language, so a new metric cannot show a number in the wrong form.
    """
    if unit not in _FORMATS:
        raise ValueError(f"unknown unit {unit!r}")
    text = words(locale)
    if status == "suppressed":
        return text["suppressed"]
    if status != "ok" or value is None or not math.isfinite(value):
        return text["empty"]
    return _FORMATS[unit](as_shown(value, unit), locale.replace("-", "_").split("_")[0].lower())


def band_bound(below: int, of: float) -> float:
    """Return the share a band lies below, as a fraction rounded up to a whole percentage ("fewer than 10 of 85" is
    below 11.8 %: 0.12), so the figure shown stays true and a chart can draw the band up to it."""
    return band_share(below, of) / 100


def format_band(below: int, of: float, locale: str, *, short: bool = False) -> str:
    """Return a banded share as the page shows it: "< 12%" and, unless short, "(minder dan 10 van 85)"."""
    lang = locale.replace("-", "_").split("_")[0].lower()
    share = "< " + _FORMATS["ratio"](Decimal(band_share(below, of)), lang)
    if short:
        return share
    group = words(locale)["band"].format(below=below, of=_number(Decimal(int(of)), lang, 0))
    return f"{share} ({group})"
