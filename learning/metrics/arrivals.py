"""What the metrics must hear when data arrives: the months it falls in, and the summaries it changes.

The issue asks for metrics "recomputed idempotently and incrementally when new statements or RPM data arrive".
An import does not recompute them itself: a CSV upload or an API call must answer at once, and a recompute takes
a second or two at x10 of the demo. Instead, in the import's own transaction (so that a rolled-back import leaves
no trace), every writer of the fact tables calls this module, which
- queues the (team, month) pairs the rows fall in (metric_dirty; team None where a row has no single team), for an
  updated row the months of its old values too, and
- keeps the summaries that make a run over recent months cheap up to date (learner_state.refresh_learners for
  statements, patient_months.fold_daily_rows for daily rows).

The writers are RPM ingestion (learning/rpm/ingest.py: CSV upload, JSON API, `flask rpm import` and the RPM
statements of the xAPI sync all store through it) and the xAPI sync of learning statements and voiding
(learning/tracking/sync_training.py). The queue is drained by `flask metrics recompute --pending` (cron, or after a
batch of imports) and at the end of every `flask xapi sync` run: services.recompute_pending recomputes from the
earliest queued month to the newest month with data, storing each month in a short transaction of its own, and
deletes the rows it took only after the last month is stored, so a failed or interrupted drain leaves them queued,
rows queued meanwhile wait for the next drain, and draining again changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, insert, select

from learning.db import Base, db, utcnow
from learning.metrics.learner_state import refresh_learners
from learning.metrics.models import MetricDirty
from learning.metrics.patient_months import fold_daily_rows
from learning.metrics.periods import Period
from learning.rpm.models import Alert, DailyMeasurement, EligibleCount, Enrolment, StaffActivity

Row = Mapping[str, Any]
TeamMonth = tuple[int | None, date]
ENROLMENT_DATES = ("offered_at", "enrolled_at", "first_measurement_at", "disenrolled_at")


def _month(value: date | datetime) -> date:
    day = value.astimezone(UTC).date() if isinstance(value, datetime) else value
    return date(day.year, day.month, 1)


def queue_months(pairs: Iterable[TeamMonth]) -> None:
    """Queue (team, month) pairs for the next drain (each distinct pair once per call)."""
    now = utcnow()
    rows = [{"team_id": team, "period_start": month, "queued_at": now} for team, month in sorted(set(pairs), key=str)]
    if rows:
        db.session.execute(insert(MetricDirty), rows)


def take_pending() -> tuple[list[int], list[tuple[int | None, Period]]]:
    """Return the queued rows' ids and their distinct (team, month) pairs, oldest month first."""
    rows = db.session.execute(select(MetricDirty.id, MetricDirty.team_id, MetricDirty.period_start)).all()
    pairs = sorted({(team, Period(start)) for _id, team, start in rows}, key=lambda pair: (pair[1], str(pair[0])))
    return [row.id for row in rows], pairs


def forget(ids: list[int], chunk: int = 500) -> None:
    """Delete drained queue rows (in the caller's transaction)."""
    for start in range(0, len(ids), chunk):
        db.session.execute(delete(MetricDirty).where(MetricDirty.id.in_(ids[start : start + chunk])))


def note_statements(events: Iterable[tuple[str, str | None, datetime]]) -> None:
    """Take in new or voided statements as (actor, module slug, timestamp): refresh their learners, queue months."""
    listed = list(events)
    refresh_learners({(actor, module or "") for actor, module, _at in listed})
    queue_months((None, _month(at)) for _actor, _module, at in listed)


def note_rpm_rows(model: type[Base], changes: Iterable[tuple[Row | None, Row]]) -> None:
    """Take in RPM rows an import inserted (old None) or updated (old = the stored values before)."""
    listed = list(changes)
    if model is DailyMeasurement:
        fold_daily_rows(new for _old, new in listed)
    queue_months(pair for old, new in listed for row in (old, new) if row is not None for pair in _months(model, row))


def _months(model: type[Base], row: Row) -> list[TeamMonth]:
    if model is Enrolment:
        return [(row["team_id"], _month(row[name])) for name in ENROLMENT_DATES if row[name] is not None]
    if model is Alert:
        return [(row["team_id"], _month(row["created_at"]))]
    if model in (DailyMeasurement, StaffActivity):
        return [(None, _month(row["day"]))]
    if model is EligibleCount:
        return [(None, _month(row["period_start"]))]
    return []
