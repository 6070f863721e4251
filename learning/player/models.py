"""An attempt is one enrolment in one module version: the xAPI registration, the bookmark and the answers."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.content.models import Module
from learning.db import Base, UTCDateTime, utcnow


class Attempt(Base):
    __tablename__ = "attempt"
    __table_args__ = (Index("ix_attempt_user_module", "user_id", "module_id", "finished_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"))
    version: Mapped[str] = mapped_column(String(20))
    registration: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    current_step: Mapped[int] = mapped_column(Integer, default=1)
    session_id: Mapped[str | None] = mapped_column(String(36))
    session_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    active_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    score_scaled: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)

    module: Mapped[Module] = relationship()
    answers: Mapped[list[AttemptAnswer]] = relationship(back_populates="attempt", order_by="AttemptAnswer.id")
    steps_seen: Mapped[list[AttemptStep]] = relationship(order_by="AttemptStep.step_number")

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    def answer_for(self, item_id: str) -> AttemptAnswer | None:
        """Return the (first, counted) answer to an item, if any."""
        return next((a for a in self.answers if a.item_id == item_id), None)


class AttemptAnswer(Base):
    """The first answer counts for the score; the learner still sees feedback on every try."""

    __tablename__ = "attempt_answer"
    __table_args__ = (Index("ix_attempt_answer_item", "attempt_id", "item_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"))
    item_id: Mapped[str] = mapped_column(String(64))
    response: Mapped[str] = mapped_column(String(64))
    correct: Mapped[bool | None] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="answers")


class AttemptStep(Base):
    __tablename__ = "attempt_step"
    __table_args__ = (Index("ix_attempt_step_unique", "attempt_id", "step_number", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"))
    step_number: Mapped[int] = mapped_column(Integer)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
