"""Drafts of modules: a module folder's files kept in the database while authors write and reviewers check them.

A draft is the same set of files as a modules_content/ folder (`nl.md`, `en.md`, pictures), so what the web editor
makes can be exported to git and a git folder can be imported as a draft without conversion.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.db import Base, UTCDateTime, utcnow


class DraftStatus(enum.StrEnum):
    EDITING = "editing"  # authors write; also after a reviewer sent it back
    SUBMITTED = "submitted"  # waiting for a reviewer; the content hash of the submission is kept
    APPROVED = "approved"  # a reviewer approved exactly `approved_hash`; an edit makes it EDITING again
    PUBLISHED = "published"  # became `published_version`; a published draft is read-only


class Draft(Base):
    __tablename__ = "draft"
    __table_args__ = (Index("ix_draft_slug", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80))
    base_version: Mapped[str | None] = mapped_column(String(20))  # the published version it started from
    status: Mapped[DraftStatus] = mapped_column(Enum(DraftStatus, native_enum=False, length=20))
    # Every save increments it; a save must name the revision it started from (no silent overwrite).
    revision: Mapped[int] = mapped_column(Integer, default=1)
    submitted_hash: Mapped[str | None] = mapped_column(String(64))
    approved_hash: Mapped[str | None] = mapped_column(String(64))
    published_version: Mapped[str | None] = mapped_column(String(20))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    files: Mapped[list[DraftFile]] = relationship(
        back_populates="draft", order_by="DraftFile.path", cascade="all, delete-orphan"
    )
    events: Mapped[list[DraftEvent]] = relationship(
        back_populates="draft", order_by="DraftEvent.id", cascade="all, delete-orphan"
    )


class DraftFile(Base):
    __tablename__ = "draft_file"
    __table_args__ = (Index("ix_draft_file_path", "draft_id", "path", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id"))
    path: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary)

    draft: Mapped[Draft] = relationship(back_populates="files")


class DraftEvent(Base):
    """One action on a draft, attributed and timestamped, never changed or deleted: the review record."""

    __tablename__ = "draft_event"
    __table_args__ = (Index("ix_draft_event_draft", "draft_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id"))
    # created, edited (first save by a person), submitted, comment, approved, sent_back, published
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(5))
    step: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text, default="")

    draft: Mapped[Draft] = relationship(back_populates="events")
