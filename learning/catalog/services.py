"""Which modules a learner may see, and where each learner stands in them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, case, exists, literal, select

from learning import first_reads
from learning.accounts.models import AUDIENCE_OF_ROLE, User
from learning.content.models import Module
from learning.content.services import PublishedText, get_module, get_module_text
from learning.db import db
from learning.environments.models import StaffMember
from learning.player.models import Attempt


@dataclass(frozen=True)
class CatalogModule:
    """What the catalogue reads of a module, as plain data (its card, its link, its texts)."""

    id: int
    slug: str
    minutes: int
    current_version: str
    updated_at: datetime


@dataclass(frozen=True)
class CatalogEntry:
    module: CatalogModule
    text: PublishedText
    status: str  # "new" | "started" | "passed" | "not-passed" | "finished" (no judged questions)


def can_open(user: User, module: Module) -> bool:
    """Learners see approved modules of their own audience; authors, reviewers, managers and admins see every
    approved module (a reviewer reads an unapproved draft through the review preview, never the player)."""
    if not module.current_version:  # no version approved yet (learning.content.publishing)
        return False
    return user.audience is None or user.audience.value in module.audience_list


# Built once: the catalogue is the learner's home page. The modules with an approved version as plain rows, each with
# the learner's standing in it (an open attempt; a finished one and whether the newest finished one passed), and
# whether she is on a staff roster at all: only then can a programme require training of her
# (own_required_training). One statement: each attempt column is a subquery on the (user, module, finished_at) index.
_OF_LEARNER_AND_MODULE = (Attempt.user_id == bindparam("user_id")) & (Attempt.module_id == Module.id)
# Only the modules of the learner's audience (can_open's rule, which still decides): a patient's home page reads 6 of
# the 13 modules, and their subqueries, not all of them (docs/performance.md, sixth round). Staff roles see all: their
# pattern is "%". One CASE on the learner's role, so the database reads the role once per statement.
_AUDIENCE_PATTERN = case(
    {literal(role, User.__table__.c.role.type): f"%,{audience.value},%" for role, audience in AUDIENCE_OF_ROLE.items()},
    value=select(User.role).where(User.id == bindparam("user_id")).scalar_subquery(),
    else_="%",
)
_OF_LEARNERS_AUDIENCE = ("," + Module.audiences + ",").like(_AUDIENCE_PATTERN)
_PUBLISHED_MODULES = (
    select(Module.id, Module.slug, Module.audiences, Module.minutes, Module.current_version, Module.updated_at,
           exists().where(StaffMember.user_id == bindparam("user_id")),
           exists().where(_OF_LEARNER_AND_MODULE, Attempt.finished_at.is_(None)),
           exists().where(_OF_LEARNER_AND_MODULE, Attempt.finished_at.is_not(None)),
           select(Attempt.passed).where(_OF_LEARNER_AND_MODULE, Attempt.finished_at.is_not(None))
           .order_by(Attempt.finished_at.desc(), Attempt.id.desc()).limit(1).scalar_subquery())
    .where(Module.current_version != "", _OF_LEARNERS_AUDIENCE)
    .order_by(Module.slug)
)  # fmt: skip


first_reads.register("catalog.index", _PUBLISHED_MODULES, lambda url: {}, many=True)


def get_catalog(user: User, language: str) -> list[CatalogEntry]:
    """Return the modules for this learner with their status."""
    return catalog_and_roster(user, language)[0]


def catalog_and_roster(user: User, language: str) -> tuple[list[CatalogEntry], bool]:
    """Return the modules for this learner with their status, and whether she has a staff roster entry (without
    one no training is required of her, and the home page needs no roster queries). One query."""
    audience = user.audience.value if user.audience else None
    entries, on_roster = [], None
    found = first_reads.rows(_PUBLISHED_MODULES, {"user_id": user.id})  # read with the account on the home page
    for id_, slug, audiences, minutes, version, updated_at, listed, started, finished, passed in sorted(
        found,
        key=lambda row: row[1],  # by slug (code points, the same on every engine): the join keeps no order
    ):
        on_roster = bool(listed)
        if audience is not None and audience not in audiences.split(","):
            continue
        module = CatalogModule(id_, slug, minutes, version, updated_at)
        text = get_module_text(module, version, language)
        if text is not None:
            entries.append(CatalogEntry(module, text, _status(bool(started), bool(finished), passed)))
    if on_roster is None:  # no module published at all: ask the roster on its own
        on_roster = db.session.scalar(select(exists().where(StaffMember.user_id == user.id))) or False
    return entries, on_roster


def _status(started: bool, finished: bool, passed: bool | None) -> str:
    """A module's status as the learner should read it: a fail is never shown as done. `passed` is that of the
    newest finished attempt."""
    if started:
        return "started"
    if not finished:
        return "new"
    if passed is None:
        return "finished"
    return "passed" if passed else "not-passed"


def get_visible_module(user: User, slug: str) -> Module | None:
    """Return the module if it exists and this learner may open it."""
    module = get_module(slug)
    return module if module is not None and can_open(user, module) else None
