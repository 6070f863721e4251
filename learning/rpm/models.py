"""RPM usage as it may leave a care organisation: daily aggregates and counts keyed by its pseudonyms.

Never measurement values, diagnoses or names (privacy.md). Every row has a natural key, so the same file or
batch sent twice changes nothing (ingestion upserts on it).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from learning.db import Base, UTCDateTime, utcnow


class Enrolment(Base):
    __tablename__ = "rpm_enrolment"
    __table_args__ = (UniqueConstraint("programme_id", "patient_pid", name="uq_rpm_enrolment_patient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("rpm_programme.id"))
    patient_pid: Mapped[str] = mapped_column(String(64))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))  # the team that enrolled the patient
    offered_at: Mapped[date | None] = mapped_column(Date)
    enrolled_at: Mapped[date | None] = mapped_column(Date)  # None: offered, declined
    first_measurement_at: Mapped[date | None] = mapped_column(Date)
    disenrolled_at: Mapped[date | None] = mapped_column(Date)
    # patient_choice | technical | other count as drop-out; death | transfer | planned_end | graduation do not
    disenrol_reason: Mapped[str | None] = mapped_column(String(30))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class DailyMeasurement(Base):
    """Whether measurements were expected on a day and how many of each type arrived (counts only)."""

    __tablename__ = "rpm_daily"
    __table_args__ = (
        UniqueConstraint("programme_id", "patient_pid", "day", name="uq_rpm_daily_patient_day"),
        Index("ix_rpm_daily_programme_day", "programme_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("rpm_programme.id"))
    patient_pid: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    expected: Mapped[bool] = mapped_column(Boolean)
    received_counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # {"weight": 1, "bp": 2}
    manual_counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # typed in, not via Bluetooth


class Alert(Base):
    __tablename__ = "rpm_alert"
    __table_args__ = (
        UniqueConstraint("programme_id", "external_id", name="uq_rpm_alert_external"),
        Index("ix_rpm_alert_programme_created", "programme_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("rpm_programme.id"))
    external_id: Mapped[str] = mapped_column(String(64))  # the platform's own alert id: the idempotency key
    patient_pid: Mapped[str] = mapped_column(String(64))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    severity: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    first_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    action_type: Mapped[str | None] = mapped_column(String(30))  # acknowledged | contacted | …
    outcome: Mapped[str | None] = mapped_column(String(30))  # no_action | contact | treatment_change | …


class StaffActivity(Base):
    """How many RPM actions one staff member did on one day (enrolments, reviews, alerts handled)."""

    __tablename__ = "staff_rpm_activity"
    __table_args__ = (UniqueConstraint("programme_id", "staff_pid", "day", name="uq_staff_rpm_activity_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("rpm_programme.id"))
    staff_pid: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    actions: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)


class EligibleCount(Base):
    """Patients eligible for a programme in a period (from the EHR or counted by hand): Reach's denominator."""

    __tablename__ = "eligible_count"
    __table_args__ = (UniqueConstraint("programme_id", "period_start", name="uq_eligible_count_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("rpm_programme.id"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(10))  # ehr | manual


class ApiKey(Base):
    """A key an organisation's RPM platform uses for the JSON ingestion API; stored as a keyed hash."""

    __tablename__ = "rpm_api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    key_id: Mapped[str] = mapped_column(String(20), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RpmSource(Base):
    """An LRS credential that may send RPM statements for an organisation, named by the authority it stamps.

    The LRS sets every stored statement's `authority` to an Agent whose account name is the key of the credential
    that sent it; the sync accepts an RPM statement only when that authority is linked to the organisation that
    owns the statement's programme (docs/xapi-profile-rpm.md). `authority_home_page` None matches any homePage:
    the built-in LRS derives it from the Host header of the request, so only the name identifies the credential.
    """

    __tablename__ = "rpm_source"
    __table_args__ = (
        UniqueConstraint("organisation_id", "authority_name", name="uq_rpm_source_organisation_authority"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    authority_home_page: Mapped[str | None] = mapped_column(String(255))
    authority_name: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
