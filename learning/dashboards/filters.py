"""Template filters of the dashboards: numbers, changes and names in the page's language."""

from __future__ import annotations

from collections.abc import Callable

from babel.numbers import format_decimal
from flask import Blueprint
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from jinja2 import pass_context
from jinja2.runtime import Context

from learning.dashboards import explanations, glossary
from learning.dashboards.attention import ALERT_AIM, TRAINING_TARGET
from learning.dashboards.charts import format_point, render_svg, table
from learning.dashboards.frameworks import MetricRow
from learning.dashboards.numbers import as_shown, format_value
from learning.dashboards.values import month_label
from learning.environments.models import Phase

PHASES = {
    Phase.CONTEXTUAL_INQUIRY: _l("contextual inquiry"),
    Phase.VALUE_SPEC: _l("value specification"),
    Phase.DESIGN: _l("design"),
    Phase.OPERATIONALISATION: _l("operationalisation"),
    Phase.SUMMATIVE_EVAL: _l("summative evaluation"),
    Phase.SUSTAINMENT: _l("sustainment"),
}
PERCENTAGE_POINTS = _l("pp")  # percentage points: a change of a share, not a relative change
SOURCES = {"xapi": _l("learning records (xAPI)"), "rpm": _l("RPM data"), "both": _l("learning records and RPM data")}
UNITS = {
    "ratio": _l("share (%)"),
    "minutes": _l("minutes"),
    "days": _l("days"),
    "likert_points": _l("points on a 1–5 scale"),
    "per_100_patient_days": _l("per 100 patient-days"),
    "count": _l("number"),
}


def _locale() -> str:
    return str(get_locale())


def change_number(row: MetricRow, locale: str) -> str:
    """Return the change since the month before as a signed number of the unit's steps ("+4"), or "–"."""
    current, previous = row.current.value, row.previous.value
    if current is None or previous is None:
        return "–"
    change = as_shown(current, row.spec.unit) - as_shown(previous, row.spec.unit)
    return "0" if change == 0 else format_decimal(change, format="+#,##0.#;-#,##0.#", locale=locale)


def change_text(row: MetricRow, locale: str) -> str:
    """Return the change since the month before, as the difference of the two shown figures: percentage points
    for shares, the unit's own steps otherwise; no sign on no change."""
    text = change_number(row, locale)  # "63%" beside "50%": +13 pp
    return f"{text} {PERCENTAGE_POINTS}" if row.spec.unit == "ratio" and text != "–" else text


def count_text(row: MetricRow, locale: str) -> str:
    """Return how many people or events the shown value counts (statistics store their n as denominator)."""
    shown = row.current.value is not None or row.current.band is not None  # a band shows its group size
    if row.denominator is None or not shown or row.spec.unit == "per_100_patient_days":
        return "–"
    return format_decimal(row.denominator, format="#,##0", locale=locale)


def _per_request(function: Callable[..., object]) -> Callable[..., object]:
    """Return the filter marked as needing the render context, so Jinja never runs it at compile time.

    Jinja folds a filter applied to a constant (`{{ "RPM"|term }}`) into the compiled template. Compiled templates
    are shared by every request, so the language of the first request would be the language of every later one
    (an English page explained "RPM" in Dutch). A context filter is never folded.
    """

    @pass_context
    def filter_(_context: Context, *args: object) -> object:
        return function(*args)

    return filter_


def register(bp: Blueprint) -> None:
    """Make the filters available to every template (the dashboards' pieces are macros)."""
    filters: dict[str, Callable[..., object]] = {
        "metric_value": lambda point, unit: format_point(point, unit, _locale()),
        "metric_change": lambda row: change_text(row, _locale()),
        "metric_change_number": lambda row: change_number(row, _locale()),
        "metric_count": lambda row: count_text(row, _locale()),
        "chart_svg": lambda chart: render_svg(chart, _locale()),
        "chart_table": lambda chart: table(chart, _locale()),
        "month_name": lambda period: month_label(period, _locale()),
        "phase_name": lambda phase: PHASES.get(Phase(phase), phase),
        "spec_name": lambda spec: explanations.name(spec, _locale()),
        "metric_sentence": lambda spec: explanations.sentence(spec.code, _locale()),
        "metric_example": lambda spec: explanations.example(spec.code, _locale()),
        "term": lambda abbreviation: glossary.term(abbreviation, _locale()),
        "condition_name": lambda code: glossary.condition(code, _locale()),
        "framework_terms": lambda frameworks: glossary.framework_terms(frameworks, _locale()),
        "source_name": lambda source: SOURCES.get(source, source),
        "unit_name": lambda unit: UNITS.get(unit, unit),
    }
    for name, function in filters.items():
        bp.add_app_template_filter(_per_request(function), name)
    bp.add_app_template_global(lambda: format_value(TRAINING_TARGET, "ratio", _locale()), "training_target")
    bp.add_app_template_global(lambda: format_value(ALERT_AIM, "ratio", _locale()), "alert_aim")
    # "%-punt" cannot go through the template's gettext, which %-formats every message
    bp.add_app_template_global(lambda: str(PERCENTAGE_POINTS), "percentage_points")
