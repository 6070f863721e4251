"""Published modules: each loaded version of each language is kept, so an attempt can name what it showed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.db import Base, UTCDateTime, utcnow


class Module(Base):
    __tablename__ = "module"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    audiences: Mapped[str] = mapped_column(String(80))  # comma-separated Audience values
    minutes: Mapped[int] = mapped_column(Integer)
    mastery_score: Mapped[float] = mapped_column(Float)
    current_version: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    texts: Mapped[list[ModuleText]] = relationship(back_populates="module")

    @property
    def audience_list(self) -> list[str]:
        return self.audiences.split(",")


class ModuleText(Base):
    """One language of one version, stored as the author's Markdown source."""

    __tablename__ = "module_text"
    __table_args__ = (Index("ix_module_text_version", "module_id", "version", "language", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"))
    version: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(5))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    # The Markdown is read only to parse a version the process has not parsed yet (see get_document), so pages
    # that list or show modules do not carry every text's source over the wire.
    source: Mapped[str] = mapped_column(Text, deferred=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    module: Mapped[Module] = relationship(back_populates="texts")


class ModuleFile(Base):
    """One file (a language's Markdown or a picture, caption or video) of one stored version, byte for byte.

    Kept per version so a learner mid-way through an old version sees that version's pictures, and so a version can
    be exported back to its modules_content/ folder exactly. A stored version never changes.
    """

    __tablename__ = "module_file"
    __table_args__ = (Index("ix_module_file_version_path", "module_id", "version", "path", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"))
    version: Mapped[str] = mapped_column(String(20))
    path: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)


class ModuleApproval(Base):
    """A reviewer's approval of one stored version: only approved versions are shown to learners.

    `content_hash` names exactly what was approved (see version_hash). `clinical` is False when no real clinician
    checked the text (the demo reviewer, or a test fixture): every step then says so.
    """

    __tablename__ = "module_approval"
    __table_args__ = (Index("ix_module_approval_version", "module_id", "version", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"))
    version: Mapped[str] = mapped_column(String(20))
    content_hash: Mapped[str] = mapped_column(String(64))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewer_name: Mapped[str] = mapped_column(String(100))
    clinical: Mapped[bool] = mapped_column(Boolean)
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
