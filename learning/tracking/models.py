"""The durable outbox: a statement is written here in the same transaction as the progress it reports.

A row leaves the table when the LRS has the statement. A statement the LRS refuses is kept with its reason
(`last_error`) and the time (`set_aside_at`), and no longer sent, so it cannot hold up the statements behind it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from learning.db import Base, UTCDateTime, utcnow


class OutboxStatement(Base):
    __tablename__ = "outbox_statement"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    set_aside_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
