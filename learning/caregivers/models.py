"""A patient's consent that one caregiver may see their learning progress: granted by a code, revocable any time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from learning.db import Base, UTCDateTime, utcnow


class CareLink(Base):
    """One grant. Pending while only the code exists (caregiver_id None), active once a caregiver entered the code,
    ended when revoked. Rows are kept after revocation: who could see what, and when, must stay answerable."""

    __tablename__ = "care_link"
    __table_args__ = (
        Index("ix_care_link_patient", "patient_id"),
        Index("ix_care_link_caregiver", "caregiver_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    caregiver_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # SHA-256 of the code the patient hands over: the code itself is shown once and stored nowhere
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    @property
    def is_active(self) -> bool:
        return self.caregiver_id is not None and self.revoked_at is None

    @property
    def is_pending(self) -> bool:
        return self.caregiver_id is None and self.revoked_at is None
