"""The access log's one table: who read whose learning data, when and why, each row chained to the one before."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from learning.db import Base, UTCDateTime


class AccessLogEntry(Base):
    """One read of a person's learning data or of a dashboard.

    The id is given by the writer (the previous id + 1, under the append lock), not by a sequence: it is part of
    the hashed fields, so renumbering rows breaks the chain too. `prev_hash` is unique, so even a writer that
    bypassed the lock could not fork the chain: a second row after the same predecessor is refused.
    """

    __tablename__ = "access_log"
    # The page lists newest first, filtered by who, what or when: each index ends in id, so a filter walks its
    # range backwards and stops after a page. "Whose" is a substring search over the newest rows, unindexed.
    __table_args__ = (
        Index("ix_access_log_actor_id", "actor", "id"),
        Index("ix_access_log_action_id", "action", "id"),
        Index("ix_access_log_at_id", "at", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(100))  # "user:<id>", "lrs:<credential key>" or "anonymous"
    actor_role: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))  # dashboard.read, progress.view, xapi.statements.read, ...
    subject: Mapped[str] = mapped_column(String(300))  # whose data: "environment:3", "user:12", an xAPI query
    purpose: Mapped[str] = mapped_column(String(100))  # why: the page or export that was asked for
    path: Mapped[str] = mapped_column(String(500))
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64))
