"""The stored metric values a dashboard may show, read once per page through `visible_values()` and indexed.

Reading through `visible_values()` is the privacy rule: a suppressed cell arrives with its numbers blanked, so no
page, chart, table or export can show or derive them. Everything a dashboard computes further (changes between
months, the Kirkpatrick L4 comparison) uses only these shown numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import format_date
from sqlalchemy import select

from learning.dashboards import explanations
from learning.dashboards.charts import Point
from learning.db import db
from learning.metrics.definitions import BY_CODE, MetricSpec
from learning.metrics.models import MetricValue
from learning.metrics.periods import Period
from learning.metrics.scopes import Scope
from learning.metrics.visible import ShownValue, visible_values

Key = tuple[str, str, int, date]  # metric code, scope type, scope id, month start


def available_months() -> list[Period]:
    """Return the months that have computed values, oldest first (the region has a cell for every month)."""
    query = (
        select(MetricValue.period_start)
        .where(MetricValue.scope_type == "region", MetricValue.scope_id == 0)
        .distinct()
        .order_by(MetricValue.period_start)
    )
    return [Period(start) for start in db.session.scalars(query)]


def choose_month(months: list[Period], requested: str | None, today: date) -> Period | None:
    """Return the requested month ("YYYY-MM") when it has data, else the newest month that has ended."""
    by_key = {period.key: period for period in months}
    if requested in by_key:
        return by_key[requested]
    ended = [period for period in months if period.end <= today]
    chosen = ended or months
    return chosen[-1] if chosen else None


def months_up_to(months: list[Period], month: Period, count: int = 12) -> list[Period]:
    """Return up to `count` months with data ending at `month`: the window of a trend chart."""
    return [period for period in months if period <= month][-count:]


def month_label(period: Period, locale: str) -> str:
    """Return "okt 2026" / "Oct 2026": short enough for a chart axis on a phone."""
    return format_date(period.start, "MMM yyyy", locale=locale)


@dataclass
class ValueIndex:
    """Shown values by (code, scope type, scope id, month), with the newest computation moment."""

    values: dict[Key, ShownValue]

    @classmethod
    def load(
        cls, scope_type: str, scope_ids: Iterable[int], months: list[Period], codes: Iterable[str] | None = None
    ) -> ValueIndex:
        """Read one scope type's values (of the given metrics, default all) for a window of months in one query."""
        if not months:
            return cls({})
        rows = visible_values(
            metric_codes=sorted(set(codes)) if codes is not None else None,
            scope_type=scope_type,
            scope_ids=sorted(set(scope_ids)),
            period_from=months[0].start,
            period_to=months[-1].start,
        )
        return cls({(r.metric_code, r.scope_type, r.scope_id, r.period_start): r for r in rows})

    def merge(self, other: ValueIndex) -> ValueIndex:
        return ValueIndex({**self.values, **other.values})

    def get(self, code: str, scope: Scope, period: Period) -> ShownValue | None:
        return self.values.get((code, scope[0], scope[1], period.start))

    def point(self, code: str, scope: Scope, period: Period) -> Point:
        """Return the chart point of a cell: its value, or why there is none."""
        return to_point(self.get(code, scope, period))

    @property
    def computed_at(self) -> datetime | None:
        return max((v.computed_at for v in self.values.values()), default=None)


def to_point(shown: ShownValue | None) -> Point:
    if shown is not None and shown.suppressed:
        return Point(None, "suppressed")
    if shown is not None and shown.band is not None and shown.denominator is not None:
        return Point(None, "banded", (shown.band, shown.denominator))
    if shown is None or shown.value is None:
        return Point(None, "empty")
    return Point(shown.value)


def metric_name(spec: MetricSpec, locale: str) -> str:
    """Return the metric's name in the page language (German names live beside the plain-words explanations)."""
    return explanations.name(spec, locale)


def spec_of(code: str) -> MetricSpec:
    return BY_CODE[code]
