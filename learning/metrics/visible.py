"""`visible_values()`: the only way stored metric values are read out for a page or an export.

Suppressed cells arrive with numerator, denominator and value blanked. A banded cell (suppression.is_banded: a
share whose group is large enough but whose numerator is below min_cell) arrives with its denominator, without
numerator and value, and with `band` = min_cell ("fewer than this"). Being banded is derived from the stored numbers
(a shown share with a numerator below min_cell; a cell whose group is small is always suppressed), so no column
stores it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from learning.db import db
from learning.metrics.definitions import BY_CODE
from learning.metrics.models import MetricDefinition, MetricValue
from learning.metrics.suppression import is_banded


@dataclass(frozen=True)
class ShownValue:
    """A stored value as it may be shown: numbers are None when the cell is suppressed."""

    metric_code: str
    definition_version: int
    scope_type: str
    scope_id: int
    period_start: date
    period_end: date
    numerator: float | None
    denominator: float | None
    value: float | None
    suppressed: bool
    computed_at: datetime
    band: int | None = None  # banded: the numerator is below this (min_cell); numerator and value are None then

    @property
    def banded(self) -> bool:
        return self.band is not None


def visible_values(
    *,
    metric_codes: list[str] | None = None,
    scope_type: str | None = None,
    scope_ids: list[int] | None = None,
    period_from: date | None = None,
    period_to: date | None = None,
) -> list[ShownValue]:
    """Return values of the current definition versions, suppressed cells blanked and banded cells (a share whose
    numerator is below min_cell in a large enough group) without numerator and value; every view and export uses
    this."""
    current = (
        select(MetricDefinition.code, func.max(MetricDefinition.version).label("version"))
        .group_by(MetricDefinition.code)
        .subquery()
    )
    columns = (MetricValue.metric_code, MetricValue.definition_version, MetricValue.scope_type, MetricValue.scope_id,
               MetricValue.period_start, MetricValue.period_end, MetricValue.numerator, MetricValue.denominator,
               MetricValue.value, MetricValue.suppressed, MetricValue.computed_at)  # fmt: skip
    # Plain rows, not ORM objects: a dashboard reads thousands of cells per page and needs no identity map.
    query = select(*columns).join(
        current, (MetricValue.metric_code == current.c.code) & (MetricValue.definition_version == current.c.version)
    )
    if metric_codes is not None:
        query = query.where(MetricValue.metric_code.in_(metric_codes))
    if scope_type is not None:
        query = query.where(MetricValue.scope_type == scope_type)
    if scope_ids is not None:
        query = query.where(MetricValue.scope_id.in_(scope_ids))
    if period_from is not None:
        query = query.where(MetricValue.period_start >= period_from)
    if period_to is not None:
        query = query.where(MetricValue.period_start <= period_to)
    order = (MetricValue.metric_code, MetricValue.scope_type, MetricValue.scope_id, MetricValue.period_start)
    return [_shown(*row) for row in db.session.execute(query.order_by(*order))]


def _shown(
    code: str, version: int, scope_type: str, scope_id: int, start: date, end: date, num: float | None,
    den: float | None, value: float | None, suppressed: bool, computed_at: datetime,
) -> ShownValue:  # fmt: skip
    band = None
    if suppressed:
        num = den = value = None
    elif code in BY_CODE and den is not None and is_banded(BY_CODE[code], num, den):
        # Shown, so its group passed the primary rule; a small numerator is shown only as "fewer than min_cell".
        band, num, value = BY_CODE[code].min_cell, None, None
    return ShownValue(code, version, scope_type, scope_id, start, end, num, den, value, suppressed, computed_at, band)
