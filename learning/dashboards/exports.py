"""CSV export of a dashboard's values: as a spreadsheet reader sees the page, or raw for the steering group's analyst.

Rows come from `visible_values()` like every view, so a hidden cell is exported as hidden with empty numbers, and a
banded cell (a share whose count is below the threshold in a large enough group) with its group size and, instead
of its count and value, the band: "<5" as the count and "< 25%" as the value in the shown format; "<5" as the
numerator and "<0.25" as the value in the raw format (the raw value is the share it lies below, as a fraction).

Two formats (docs/metrics.md, "Exports"):

- `shown` (the default): what Dutch (or German, or English) Excel opens straight into columns. Excel splits a CSV
  on the list separator of the reader's regional settings, which is ";" wherever the decimal sign is "," — so the
  separator follows the page language's decimal sign. Headers are in the page language, numbers use its decimal
  sign, the value is written exactly as the page shows it ("75%", "12 min", "verborgen (kleine groep)"), so the
  spreadsheet and the page never disagree.
- `raw`: the machine-readable form that existed first (comma, decimal point, ISO dates, codes beside names, the
  value as a fraction), kept unchanged for scripts that read it.

Both start with a UTF-8 byte-order mark: without it Excel reads the file as Windows-1252 and mangles "ë" and "ü".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Literal
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import get_decimal_symbol
from flask_babel import gettext as _
from sqlalchemy import select

from learning.accounts.models import Organisation, Team
from learning.dashboards.numbers import Status, band_bound, format_band, format_value
from learning.dashboards.values import metric_name, month_label
from learning.db import db
from learning.environments.models import Environment, Programme
from learning.metrics.definitions import BY_CODE
from learning.metrics.periods import Period
from learning.metrics.visible import ShownValue, visible_values

Format = Literal["shown", "raw"]
FORMATS: tuple[Format, ...] = ("shown", "raw")
HEADER = ("metric_code", "metric", "definition_version", "scope_type", "scope_id", "scope", "month", "numerator",
          "denominator", "value", "suppressed", "computed_at")  # fmt: skip
LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")  # the time a reader in Twente sees on the page


NAMED: dict[str, type[Team] | type[Organisation] | type[Programme] | type[Environment]] = {
    "team": Team, "organisation": Organisation, "programme": Programme, "environment": Environment,
}  # fmt: skip


def _names(scope_type: str) -> dict[int, str]:
    model = NAMED.get(scope_type)
    if model is None:
        return {0: "Twente"}
    return {row.id: row.name for row in db.session.execute(select(model.id, model.name))}


def _number(value: float | None, decimal: str = ".") -> str:
    if value is None:
        return ""
    text = str(int(value)) if float(value).is_integer() else f"{value:.6g}"
    return text.replace(".", decimal)


def _language(locale: str) -> str:
    return locale.replace("-", "_").split("_")[0].lower()


def separator_for(locale: str) -> str:
    """Return the list separator a spreadsheet of this language expects: ";" where the decimal sign is ","."""
    return ";" if get_decimal_symbol(_language(locale)) == "," else ","


def _scope_labels() -> dict[str, str]:
    return {"team": _("team"), "organisation": _("organisation"), "programme": _("programme"),
            "environment": _("environment"), "region": _("region")}  # fmt: skip


def shown_header() -> tuple[str, ...]:
    """Return the column names of the shown format, in the request's language."""
    return (_("Figure"), _("Code"), _("Level"), _("Name"), _("Month"), _("Value"), _("Counted"), _("Out of"),
            _("Hidden"), _("Definition version"), _("Computed"))  # fmt: skip


def _rows(scopes: Iterable[tuple[str, list[int]]], months: list[Period]) -> list[ShownValue]:
    rows: list[ShownValue] = []
    for scope_type, ids in scopes:
        if months and ids:
            rows += visible_values(
                scope_type=scope_type, scope_ids=ids, period_from=months[0].start, period_to=months[-1].start
            )
    return rows


def _status(row: ShownValue) -> Status:
    if row.suppressed:
        return "suppressed"
    return "empty" if row.value is None else "ok"


def values_csv(
    scopes: Iterable[tuple[str, list[int]]], months: list[Period], locale: str, form: Format = "shown"
) -> str:
    """Return every shown value of the scopes in the months as CSV text (with a byte-order mark)."""
    rows = _rows(scopes, months)
    names = {scope_type: _names(scope_type) for scope_type in {r.scope_type for r in rows}}
    out = io.StringIO()
    out.write("\ufeff")
    if form == "raw":
        _write_raw(out, rows, names, locale)
    else:
        _write_shown(out, rows, names, locale)
    return out.getvalue()


def _write_raw(out: io.StringIO, rows: list[ShownValue], names: dict[str, dict[int, str]], locale: str) -> None:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        spec = BY_CODE.get(row.metric_code)
        scope_name = names[row.scope_type].get(row.scope_id, "")
        writer.writerow(
            (row.metric_code, metric_name(spec, locale) if spec else row.metric_code, row.definition_version,
             row.scope_type, row.scope_id, scope_name, row.period_start.isoformat()[:7],
             *_raw_numbers(row), "yes" if row.suppressed else "no",
             row.computed_at.isoformat(timespec="seconds"))
        )  # fmt: skip


def _raw_numbers(row: ShownValue) -> tuple[str, str, str]:
    if row.band is not None and row.denominator is not None:
        return f"<{row.band}", _number(row.denominator), f"<{_number(band_bound(row.band, row.denominator))}"
    return _number(row.numerator), _number(row.denominator), _number(row.value)


def _write_shown(out: io.StringIO, rows: list[ShownValue], names: dict[str, dict[int, str]], locale: str) -> None:
    decimal = get_decimal_symbol(_language(locale))
    writer = csv.writer(out, delimiter=separator_for(locale), lineterminator="\r\n")
    writer.writerow(shown_header())
    levels, yes, no = _scope_labels(), _("yes"), _("no")
    for row in rows:
        spec = BY_CODE.get(row.metric_code)
        counted = "" if spec is None or spec.unit == "per_100_patient_days" else _number(row.numerator, decimal)
        value = format_value(row.value, spec.unit, locale, _status(row)) if spec else _number(row.value, decimal)
        if row.band is not None and row.denominator is not None:  # the band, never the count
            counted, value = f"<{row.band}", format_band(row.band, row.denominator, locale, short=True)
        writer.writerow(
            (metric_name(spec, locale) if spec else row.metric_code, row.metric_code,
             levels.get(row.scope_type, row.scope_type), names[row.scope_type].get(row.scope_id, ""),
             month_label(Period(row.period_start), locale), value, counted, _number(row.denominator, decimal),
             yes if row.suppressed else no, row.definition_version,
             format_datetime(row.computed_at, "yyyy-MM-dd HH:mm", tzinfo=LOCAL_ZONE, locale=locale))
        )  # fmt: skip
