"""Which months have data, and which months data written since the previous run falls in.

Both are answered with MIN/MAX lookups the existing indexes serve (one aggregate per query, per programme where
the index starts with the programme), so an incremental run does not begin with scans of the big tables.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from learning.db import db
from learning.environments.models import Programme
from learning.metrics.models import MetricValue, TrainingEvent
from learning.metrics.periods import Period
from learning.rpm.models import Alert, DailyMeasurement, Enrolment, StaffActivity

LATE_DAYS = 7  # how late a day's data may arrive and still be found without naming its month


def _as_day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _extreme(aggregate: Any, column: Any, *where: Any) -> list[Any]:
    """Return MIN or MAX of a column; per programme for the tables indexed on (programme_id, column)."""
    query = select(aggregate(column)).where(*where)
    if column in (DailyMeasurement.day, Alert.created_at):
        programme_id = column.class_.programme_id
        return [db.session.scalar(query.where(programme_id == p)) for p in db.session.scalars(select(Programme.id))]
    return [db.session.scalar(query)]


def data_range() -> tuple[date, date] | None:
    """Return the first and last day that any input has data for, or None when there is none."""
    columns = (TrainingEvent.timestamp, DailyMeasurement.day, Alert.created_at, StaffActivity.day,
               Enrolment.offered_at, Enrolment.enrolled_at)  # fmt: skip
    days = [_as_day(v) for c in columns for agg in (func.min, func.max) for v in _extreme(agg, c) if v is not None]
    return (min(days), max(days)) if days else None


def changed_months(since: datetime | None = None) -> set[Period]:
    """Return the months holding data written or dated at or after `since` (default: the previous run).

    Dated rows are looked for from LATE_DAYS before `since`, because a day's aggregates and offline statements
    arrive after the day they describe; enrolments carry the moment they were written (updated_at).
    """
    last_run = since or db.session.scalar(select(func.max(MetricValue.computed_at)))
    if last_run is None:
        span = data_range()
        return {Period.of(span[0])} if span else set()
    moment = last_run - timedelta(days=LATE_DAYS)
    day, offered = moment.date(), func.coalesce(Enrolment.offered_at, Enrolment.enrolled_at)
    firsts = [
        *_extreme(func.min, TrainingEvent.timestamp, TrainingEvent.timestamp >= moment),
        *_extreme(func.min, DailyMeasurement.day, DailyMeasurement.day >= day),
        *_extreme(func.min, StaffActivity.day, StaffActivity.day >= day),
        *_extreme(func.min, Alert.created_at, Alert.created_at >= moment),
        *_extreme(func.min, Alert.created_at, Alert.first_action_at >= moment),
        *_extreme(func.min, offered, Enrolment.updated_at >= last_run),
    ]
    return {Period.of(_as_day(value)) for value in firsts if value is not None}
