"""Implementation environments: who rolls out which RPM programme, in which teams, with which staff and curricula.

Shapes follow the data model behind docs/metrics.md. Staff and patients appear here only as pseudonyms scoped to their
care organisation; a staff member is linked to a VTC account (and so to xAPI records) only when they have one.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, Enum, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.accounts.models import Organisation, Team, User
from learning.db import Base, UTCDateTime, utcnow


class Phase(enum.StrEnum):
    """CeHRes Roadmap phases (Van Gemert-Pijnen et al. 2011), the University of Twente's development frame."""

    CONTEXTUAL_INQUIRY = "contextual_inquiry"
    VALUE_SPEC = "value_spec"
    DESIGN = "design"
    OPERATIONALISATION = "operationalisation"
    SUMMATIVE_EVAL = "summative_eval"
    SUSTAINMENT = "sustainment"


class Condition(enum.StrEnum):
    HF = "HF"
    T2DM = "T2DM"
    COPD = "COPD"
    OA = "OA"
    DEM = "DEM"
    HTN = "HTN"


class Environment(Base):
    """An implementation environment (implementatie-omgeving), e.g. "Hartfalen Twente"."""

    __tablename__ = "environment"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    condition: Mapped[Condition] = mapped_column(Enum(Condition, native_enum=False, length=10))
    region: Mapped[str] = mapped_column(String(100), default="Twente")
    phase: Mapped[Phase] = mapped_column(Enum(Phase, native_enum=False, length=30))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)
    funding_end: Mapped[date | None] = mapped_column(Date)

    programmes: Mapped[list[Programme]] = relationship(back_populates="environment", order_by="Programme.name")


class Programme(Base):
    """An RPM programme of one organisation in an environment: condition, platform, schedule, alert SLAs."""

    __tablename__ = "rpm_programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    environment_id: Mapped[int] = mapped_column(ForeignKey("environment.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    name: Mapped[str] = mapped_column(String(200))
    condition: Mapped[Condition] = mapped_column(Enum(Condition, native_enum=False, length=10))
    platform_name: Mapped[str] = mapped_column(String(100))
    # {"weight": "daily", "bp": "3/wk"}: what the care plan expects patients to measure
    measurement_schedule: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # minutes within which an alert of each severity must have a first action: {"red": 60, "orange": 480}
    alert_sla_minutes: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # business-hours window used for SLA clocks: {"start": "08:00", "end": "17:00", "days": [0,1,2,3,4]}
    business_hours: Mapped[dict[str, object] | None] = mapped_column(JSON)
    adherence_threshold: Mapped[float] = mapped_column(Float, default=0.8)
    monitoring_centre_team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active")

    environment: Mapped[Environment] = relationship(back_populates="programmes")
    organisation: Mapped[Organisation] = relationship()
    teams: Mapped[list[Team]] = relationship(secondary="programme_team", order_by="Team.name")


class ProgrammeTeam(Base):
    __tablename__ = "programme_team"

    programme_id: Mapped[int] = mapped_column(ForeignKey("rpm_programme.id"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), primary_key=True)


class StaffRole(Base):
    """A care role a curriculum can target (hf_nurse, np, gp, poh, physio, casemanager_dem, …)."""

    __tablename__ = "staff_role"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label_nl: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100))
    label_de: Mapped[str | None] = mapped_column(String(100))  # None: German readers see the English label


class StaffMember(Base):
    """A member of staff as the organisation's (pseudonymised) HR roster knows them.

    `pid` is the organisation's pseudonym; `user_id` links a VTC account when the person has one, which is
    what connects roster, xAPI records and RPM actions. Names live only on the account (privacy.md).
    """

    __tablename__ = "staff_member"
    __table_args__ = (UniqueConstraint("organisation_id", "pid", name="uq_staff_member_org_pid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    pid: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    line_manager_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    organisation: Mapped[Organisation] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    memberships: Mapped[list[StaffMembership]] = relationship(back_populates="staff")


class StaffMembership(Base):
    """Who works in which team in which role from when to when (turnover is what the monthly roll-up sees)."""

    __tablename__ = "staff_membership"
    __table_args__ = (Index("ix_staff_membership_team_dates", "team_id", "start", "end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    role_code: Mapped[str] = mapped_column(ForeignKey("staff_role.code"))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)

    staff: Mapped[StaffMember] = relationship(back_populates="memberships")
    team: Mapped[Team] = relationship()


class Curriculum(Base):
    """The modules a role in a programme must complete, how soon, and how often again."""

    __tablename__ = "curriculum"
    __table_args__ = (UniqueConstraint("programme_id", "role_code", name="uq_curriculum_programme_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("rpm_programme.id"))
    role_code: Mapped[str] = mapped_column(ForeignKey("staff_role.code"))
    module_slugs: Mapped[list[str]] = mapped_column(JSON)
    due_days: Mapped[int] = mapped_column(Integer, default=30)
    refresher_months: Mapped[int | None] = mapped_column(Integer)


class PatientLink(Base):
    """A patient's VTC account linked to the programme's patient pseudonym, with the patient's consent, so
    onboarding fidelity can count education before enrolment. Without a link a patient stays anonymous here."""

    __tablename__ = "patient_link"
    __table_args__ = (UniqueConstraint("programme_id", "patient_pid", name="uq_patient_link_programme_pid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("rpm_programme.id"))
    patient_pid: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Framework(enum.StrEnum):
    NASSS = "NASSS"
    CFIR = "CFIR"


class Assessment(Base):
    """A periodic NASSS or CFIR judgement: stored beside the numbers, never computed from them."""

    __tablename__ = "assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("rpm_programme.id"))
    framework: Mapped[Framework] = mapped_column(Enum(Framework, native_enum=False, length=10))
    domain: Mapped[str] = mapped_column(String(100))  # NASSS domain 1-7 or CFIR construct
    rating: Mapped[str] = mapped_column(String(20))  # simple|complicated|complex, or -2..+2 for CFIR
    rationale: Mapped[str] = mapped_column(Text)
    assessed_by_role: Mapped[str] = mapped_column(String(40))
    assessed_on: Mapped[date] = mapped_column(Date)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
