"""Which modules a learner may see, and where each learner stands in them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select

from learning.accounts.models import User
from learning.content.models import Module
from learning.content.services import PublishedText, get_module, list_modules_for
from learning.db import db
from learning.player.models import Attempt


@dataclass(frozen=True)
class CatalogEntry:
    module: Module
    text: PublishedText
    status: str  # "new" | "started" | "passed" | "not-passed" | "finished" (no judged questions)


def can_open(user: User, module: Module) -> bool:
    """Learners see approved modules of their own audience; authors, reviewers, managers and admins see every
    approved module (a reviewer reads an unapproved draft through the review preview, never the player)."""
    if not module.current_version:  # no version approved yet (learning.content.publishing)
        return False
    return user.audience is None or user.audience.value in module.audience_list


# Built once: the catalogue is the learner's home page. Only the three columns a status needs, as plain rows (no
# ORM objects: loading every attempt the learner ever made as an Attempt cost more than the query).
_ATTEMPT_STATUS = (
    select(Attempt.module_id, Attempt.finished_at, Attempt.passed)
    .where(Attempt.user_id == bindparam("user_id"))
    .order_by(Attempt.finished_at)
)


def get_catalog(user: User, language: str) -> list[CatalogEntry]:
    """Return the modules for this learner with their status."""
    attempts = db.session.execute(_ATTEMPT_STATUS, {"user_id": user.id}).all()
    started = {module_id for module_id, finished_at, _passed in attempts if finished_at is None}
    # ordered by finished_at: the newest result wins
    last_finished = {module_id: passed for module_id, finished_at, passed in attempts if finished_at is not None}
    audience = user.audience.value if user.audience else None
    return [
        CatalogEntry(module, text, _status(module.id, started, last_finished))
        for module, text in list_modules_for(audience, language)
    ]


def _status(module_id: int, started: set[int], last_finished: dict[int, bool | None]) -> str:
    """A module's status as the learner should read it: a fail is never shown as done."""
    if module_id in started:
        return "started"
    if module_id not in last_finished:
        return "new"
    passed = last_finished[module_id]
    if passed is None:
        return "finished"
    return "passed" if passed else "not-passed"


def get_visible_module(user: User, slug: str) -> Module | None:
    """Return the module if it exists and this learner may open it."""
    module = get_module(slug)
    return module if module is not None and can_open(user, module) else None
