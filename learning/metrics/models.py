"""Metric definitions and computed values (docs/metrics.md).

Values keep numerator and denominator so any roll-up is Σnum/Σden, never a mean of percentages; each is tied
to the definition version it was computed with, and recomputation replaces a cell in place (idempotent).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, Date, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from learning.db import Base, UTCDateTime, utcnow


class MetricDefinition(Base):
    __tablename__ = "metric_definition"
    __table_args__ = (UniqueConstraint("code", "version", name="uq_metric_definition_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    name_nl: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    formula_nl: Mapped[str] = mapped_column(Text)
    formula_en: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))  # xapi | rpm | both
    frameworks: Mapped[list[str]] = mapped_column(JSON, default=list)
    unit: Mapped[str] = mapped_column(String(20))  # ratio | count | days | minutes | per_100_patient_days
    direction: Mapped[str] = mapped_column(String(10))  # up (higher is better) | down
    min_cell: Mapped[int] = mapped_column(Integer)  # 5 for staff-derived, 10 for patient-derived
    patient_derived: Mapped[bool] = mapped_column(Boolean)


class MetricValue(Base):
    __tablename__ = "metric_value"
    __table_args__ = (
        UniqueConstraint(
            "metric_code", "definition_version", "scope_type", "scope_id", "period_start", name="uq_metric_value_cell"
        ),
        Index("ix_metric_value_scope", "scope_type", "scope_id", "period_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    metric_code: Mapped[str] = mapped_column(String(40))
    definition_version: Mapped[int] = mapped_column(Integer)
    scope_type: Mapped[str] = mapped_column(String(20))  # team | organisation | programme | environment | region
    scope_id: Mapped[int] = mapped_column(Integer)  # 0 for the region
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    value: Mapped[float | None] = mapped_column(Float)  # statistics (medians) have no numerator/denominator
    suppressed: Mapped[bool] = mapped_column(Boolean, default=False)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TrainingEvent(Base):
    """A learning event as read back from the LRS through xAPI (the metrics never read the LRS's tables).

    One row per statement id, so re-reading a window is idempotent; the sync cursor is the LRS's `stored`.
    """

    __tablename__ = "training_event"
    __table_args__ = (
        Index("ix_training_event_actor_module", "actor_pid", "module_slug", "timestamp"),
        Index("ix_training_event_timestamp", "timestamp"),
    )

    statement_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    actor_pid: Mapped[str] = mapped_column(String(64))
    verb: Mapped[str] = mapped_column(String(20))  # short name: launched, completed, passed, answered, …
    module_slug: Mapped[str | None] = mapped_column(String(80))
    item_id: Mapped[str | None] = mapped_column(String(64))
    registration: Mapped[str | None] = mapped_column(String(36))
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime())
    success: Mapped[bool | None] = mapped_column(Boolean)
    scaled: Mapped[float | None] = mapped_column(Float)
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    response: Mapped[str | None] = mapped_column(String(64))
    voided: Mapped[bool] = mapped_column(Boolean, default=False)


class SyncCursor(Base):
    __tablename__ = "sync_cursor"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[str] = mapped_column(String(64))  # the `stored` timestamp reached, as xAPI text
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class TrainingProgress(Base):
    """What one learner did in one module over all their statements: the milestones a narrow run needs.

    Kept up to date by whoever writes training_event (see learner_state.py); module_slug '' stands for statements
    without a module. Moments are the first non-voided statement of each kind.
    """

    __tablename__ = "training_progress"

    actor_pid: Mapped[str] = mapped_column(String(64), primary_key=True)
    module_slug: Mapped[str] = mapped_column(String(80), primary_key=True)
    first_launched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # completed, passed or waived
    first_completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_judged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the first judged registration
    first_judged_passed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # its first `passed`
    completion_seconds: Mapped[float | None] = mapped_column(Float)  # Σ terminated up to the first completion's month


class TrainingFirstAnswer(Base):
    """A learner's first answer (Likert 1-5) to a survey item of a module."""

    __tablename__ = "training_first_answer"

    actor_pid: Mapped[str] = mapped_column(String(64), primary_key=True)
    module_slug: Mapped[str] = mapped_column(String(80), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    value: Mapped[int] = mapped_column(Integer)


class PatientMonth(Base):
    """One patient's daily rows of one month as bit masks (bit n-1 = day n), kept up to date by RPM ingestion.

    Independent of the programme's schedule: `received` holds a mask per measurement type, so met days and days
    with a measurement are derived for whatever the schedule is when a run reads them (patient_months.py).
    """

    __tablename__ = "rpm_patient_month"
    __table_args__ = (Index("ix_rpm_patient_month_month", "month", "programme_id"),)

    programme_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_pid: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # the first day of the month
    present: Mapped[int] = mapped_column(BigInteger)  # days with a row
    expected: Mapped[int] = mapped_column(BigInteger)  # days on which a measurement was expected
    any_received: Mapped[int] = mapped_column(BigInteger)  # days whose received counts are not empty
    received: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # type → days with a count >= 1


class MetricDirty(Base):
    """A (team, month) that an import changed and whose metrics wait for `flask metrics recompute --pending`."""

    __tablename__ = "metric_dirty"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int | None] = mapped_column(Integer)  # None: no single team (statements, daily rows, counts)
    period_start: Mapped[date] = mapped_column(Date)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
