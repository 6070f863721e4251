"""People, the organisations they belong to, and the codes that let patients and staff join."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, Enum, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.db import Base, UTCDateTime, utcnow


class Role(enum.StrEnum):
    PATIENT = "patient"
    CAREGIVER = "caregiver"
    PROFESSIONAL = "professional"
    AUTHOR = "author"
    REVIEWER = "reviewer"
    MANAGER = "manager"
    ADMIN = "admin"
    PRIVACY_OFFICER = "privacy_officer"  # reads the access log (/audit/); no dashboards, no administration


class Audience(enum.StrEnum):
    """Who a module is written for; patients and caregivers get B1 text, professionals work content."""

    PATIENT = "patient"
    CAREGIVER = "caregiver"
    PROFESSIONAL = "professional"


AUDIENCE_OF_ROLE = {Role.PATIENT: Audience.PATIENT, Role.CAREGIVER: Audience.CAREGIVER,
                    Role.PROFESSIONAL: Audience.PROFESSIONAL}  # fmt: skip
"""The module audience of each learner role; other roles see every module."""


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # hospital | gp_practice | care_group | home_care | nursing_home | physio | municipality
    kind: Mapped[str] = mapped_column(String(40))
    agb_code: Mapped[str | None] = mapped_column(String(8))
    # Opaque id in the xAPI homePage of this organisation's learners ({XAPI_BASE_IRI}/org/<pseudonym>): an LRS
    # credential is confined to one organisation by it, and statements never carry the organisation's name or key.
    pseudonym: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))

    teams: Mapped[list[Team]] = relationship(back_populates="organisation", order_by="Team.name")


class Team(Base):
    __tablename__ = "team"
    __table_args__ = (Index("ix_team_org_name", "organisation_id", "name", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    parent_team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    name: Mapped[str] = mapped_column(String(200))
    # ward | outpatient_clinic | district_team | practice | monitoring_centre
    kind: Mapped[str] = mapped_column(String(40))
    # Opaque id for xAPI context: statements may name a team, never an organisation's internal key.
    pseudonym: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))

    organisation: Mapped[Organisation] = relationship(back_populates="teams")


class User(UserMixin, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    locale: Mapped[str] = mapped_column(String(5), default="nl")
    # Reading preferences (learning/preferences), stored per account so they follow the person to every device.
    text_size: Mapped[str] = mapped_column(String(10), default="normal", server_default="normal")
    contrast: Mapped[str] = mapped_column(String(10), default="auto", server_default="auto")
    speech_voice: Mapped[str | None] = mapped_column(Text, nullable=True)
    speech_rate: Mapped[float] = mapped_column(Float, default=0.9, server_default=text("0.9"))
    # The xAPI actor name: random, so a learning record never carries e-mail or name (privacy.md).
    xapi_pid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # Part of the id a session cookie carries: raising it (logout, password change) makes every older cookie
    # of this account worthless, although the cookie itself is signed and still unexpired.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # Second factor (learning/accounts/mfa.py): the TOTP secret, encrypted with a key derived from the app's
    # secret key (a copy of the database alone cannot make codes); when it was confirmed; and the last 30-second
    # time step a code was accepted for, so a code seen over someone's shoulder cannot be used again.
    mfa_secret: Mapped[str | None] = mapped_column(Text, nullable=True)
    mfa_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    mfa_last_step: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # When the person showed this address is theirs (a confirmation link, or a completed password reset); empty
    # until then and again after a change of address. Sign-in links go only to confirmed addresses.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation | None] = relationship()
    team: Mapped[Team | None] = relationship()

    def get_id(self) -> str:
        """The session's user id: "<id>:<session version>", checked by the user loader on every request."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sessions of deactivated accounts
        return self.is_active_account

    @property
    def audience(self) -> Audience | None:
        """Return the module audience of this account, or None for roles that see every module."""
        return AUDIENCE_OF_ROLE.get(self.role)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


class Invitation(Base):
    """A code a care organisation hands out; it fixes the organisation, team and role of whoever registers."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    max_uses: Mapped[int] = mapped_column(Integer, default=1)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when an administrator withdraws the code (a lost letter): it stops working at once, the row stays.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # What the code was made for: a patient's pseudonym from a bulk import, or the administrator's note.
    label: Mapped[str | None] = mapped_column(String(64))

    organisation: Mapped[Organisation] = relationship()
    team: Mapped[Team | None] = relationship()


class LoginFailure(Base):
    """One failed log-in, kept briefly to throttle guessing; the account is stored as a hash, not an address.

    device_key is set when the attempt came with a known-device cookie for this account: such failures are
    counted apart, so guessing from elsewhere never slows down the owner on the device she always uses.
    """

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_account_at", "account_key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_key: Mapped[str] = mapped_column(String(64))
    client_key: Mapped[str] = mapped_column(String(64), index=True)
    device_key: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RecoveryCode(Base):
    """One single-use recovery code of an account's second factor, for a lost or broken phone.

    Stored as an argon2id hash (a code has about 50 bits: too few for a plain hash, NIST SP 800-63B 5.1.2.2);
    used_at is set by one conditional UPDATE, so the same code cannot be spent twice, not even at once.
    """

    __tablename__ = "mfa_recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(200))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SignInLink(Base):
    """A one-time sign-in link sent by e-mail (patients and caregivers, docs/signing-in.md).

    Only a hash of the token is kept, so a copy of the database holds no live link. A link works once (used_at)
    and until expires_at; using one, a password change and a change of address end the account's other links.
    """

    __tablename__ = "sign_in_link"
    __table_args__ = (Index("ix_sign_in_link_user", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
