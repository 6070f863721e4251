"""Retention: raw learning records and RPM rows older than the configured period are deleted; aggregates stay.

`LMS_RETENTION_DAYS` (default 730, 24 months) bounds the LMS's rows per statement and per patient-day:
training_event (the LMS's copy of statements), rpm_daily, rpm_alert, staff_rpm_activity and the per-month patient
summaries of months wholly before the cutoff. `LMS_LRS_RETENTION_DAYS` (default 730) bounds the statements in the
built-in LRS, deleted by the LRS's own service. Metric values of those months stay when they were shown (above the
suppression threshold); a suppressed cell is deleted with its raw rows, since its numbers describe a small group.
0 keeps everything. Run by `flask privacy retention` (cron) and once a day by the live job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from learning.db import db, utcnow
from learning.metrics.models import MetricValue, PatientMonth, SyncCursor, TrainingEvent
from learning.rpm.models import Alert, DailyMeasurement, StaffActivity

DEFAULT_DAYS = 730
LAST_RUN = "retention-run"  # a SyncCursor row: when the live job last applied retention
EVERY = timedelta(days=1)


@dataclass(frozen=True)
class RetentionReport:
    """How many rows went, per table, and the cutoff used (None: retention is off)."""

    cutoff: datetime | None
    deleted: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


def cutoff(now: datetime | None = None) -> datetime | None:
    """The moment before which raw LMS rows are deleted, or None when LMS_RETENTION_DAYS is 0."""
    days = int(current_app.config.get("RETENTION_DAYS", DEFAULT_DAYS))
    return None if days <= 0 else (now or utcnow()) - timedelta(days=days)


def apply_retention(now: datetime | None = None) -> RetentionReport:
    """Delete what is older than the retention periods, in the LMS and (in-process) the LRS, in short transactions."""
    moment = cutoff(now)
    deleted: dict[str, int] = {}
    if moment is not None:
        day = moment.astimezone(UTC).date()
        month = date(day.year, day.month, 1)
        for name, key, condition in (
            ("training_event", TrainingEvent.statement_id, TrainingEvent.timestamp < moment),
            ("rpm_daily", DailyMeasurement.id, DailyMeasurement.day < day),
            ("rpm_alert", Alert.id, Alert.created_at < moment),
            ("staff_rpm_activity", StaffActivity.id, StaffActivity.day < day),
            ("rpm_patient_month", None, PatientMonth.month < month),
            ("metric_value", MetricValue.id, (MetricValue.period_end < day) & MetricValue.suppressed.is_(True)),
        ):
            deleted[name] = _delete_in_batches(key, condition) if key is not None else _delete(PatientMonth, condition)
    apply_lrs = current_app.extensions.get("vtc.lrs_retention")
    if apply_lrs is not None:
        deleted["lrs_statement"] = apply_lrs()
    return RetentionReport(moment, deleted)


BATCH = 2_000
"""Rows deleted per transaction: the first run after a long pause may delete years of rows, and SQLite's one write
lock must not be held for all of them at once (a log-in waits for it; docs/operations.md, "Live figures")."""


def _delete(model: Any, condition: ColumnElement[bool]) -> int:
    count = cast(CursorResult[Any], db.session.execute(delete(model).where(condition))).rowcount or 0
    db.session.commit()
    return count


def _delete_in_batches(key: InstrumentedAttribute[Any], condition: ColumnElement[bool]) -> int:
    """Delete the rows matching `condition` BATCH at a time, each batch committed on its own; return how many."""
    total = 0
    while True:
        batch = select(key).where(condition).limit(BATCH).scalar_subquery()
        count = _delete(key.class_, key.in_(batch))
        total += count
        if count < BATCH:
            return total


def apply_if_due(now: datetime | None = None) -> RetentionReport | None:
    """Apply retention when the last run is a day old or more (the live job calls this on every tick)."""
    now = now or utcnow()
    row = db.session.get(SyncCursor, LAST_RUN)
    if row is not None and row.updated_at is not None and now - _aware(row.updated_at) < EVERY:
        return None
    report = apply_retention(now)
    row = db.session.get(SyncCursor, LAST_RUN)
    if row is None:
        db.session.add(SyncCursor(name=LAST_RUN, position="", updated_at=now))
    else:
        row.updated_at = now
    db.session.commit()
    return report


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def last_run() -> datetime | None:
    """When retention was last applied by the live job (None: never)."""
    return db.session.scalar(select(SyncCursor.updated_at).where(SyncCursor.name == LAST_RUN))
