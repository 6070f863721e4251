"""Who may put training into the LMS through the LRS: the sender rules the sync applies to learning statements.

A learning statement becomes training only when the platform itself sent it, or an LRS credential an
administrator linked to the learner's organisation (`flask rpm link-credential`), the rule RPM statements already
follow. Anything else is rejected and reported, so nobody can post a nurse's or patient's training under their
pseudonym. The built-in LRS enforces who may void what when it stores a voiding statement; an outside LRS (the
LMS configured with LRS_ENDPOINT) may not, so from there a void counts only from the same senders.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from learning.db import db
from learning.metrics.models import TrainingEvent
from learning.rpm.sources import is_linked
from learning.tracking.homes import organisation_of_home
from learning.tracking.profile import RpmIris
from learning.tracking.sync_rpm import Authority, Directory, Rejected, authority_of

PLATFORM_AUTHORITY = "vtc-lms"  # the authority account name of the LMS's in-process sink (app.py)


def check_learner_home(home: str, actor_pid: str, iris: RpmIris, directory: Directory) -> None:
    """An organisation's homePage must be the learner's own organisation's: a statement cannot move a learner.

    The regional homePage ({XAPI_BASE_IRI}) stays accepted: statements from before organisations had their own
    homePage carry it, as do those of people with no organisation.

    :raises Rejected: when the homePage names another organisation than the learner's account has.
    """
    named = organisation_of_home(home, iris.base)
    if named is not None and named != directory.organisation_pseudonym_of_learner(actor_pid):
        raise Rejected(f"the actor's homePage {home} is not that of the learner's own organisation")


def check_learning_sender(statement: dict[str, Any], actor_pid: str, iris: RpmIris, directory: Directory) -> None:
    """Accept a learning statement from the platform itself or from a credential linked to the learner's organisation.

    :raises Rejected: for any other sender, naming it and how an administrator would accept it.
    """
    authority = _sender(statement)
    if _is_platform(authority, iris):
        return
    organisation_id = directory.organisation_of_learner(actor_pid)
    if organisation_id is None or not is_linked(authority, directory.sources_of(organisation_id)):
        home, name = authority
        raise Rejected(
            f"credential {name} (authority homePage {home}) sent a learning statement for a learner of organisation "
            f"{organisation_id} without being linked to it; to accept it: flask rpm link-credential --organisation "
            f"{organisation_id} --key {name}, then flask xapi sync --since <a time before it>"
        )


def check_void_sender(
    statement: dict[str, Any], target: str, training: dict[str, dict[str, Any]], directory: Directory
) -> None:
    """From an outside LRS, a void of training counts only from the platform or a credential linked to the
    learner's organisation; the built-in LRS has already refused every other void when it was stored.

    `training` holds the training rows of the page being read, which a void may target before they are written.

    :raises Rejected: for a void of training from any other sender.
    """
    if not current_app.config.get("LRS_ENDPOINT"):
        return
    authority = _sender(statement)
    if authority[1] == current_app.config.get("LRS_KEY"):
        return
    row = training.get(target)
    actor_pid = row["actor_pid"] if row else _learner_of(target)
    if actor_pid is None:
        return  # not training: voiding it changes nothing in the LMS
    organisation_id = directory.organisation_of_learner(actor_pid)
    if organisation_id is None or not is_linked(authority, directory.sources_of(organisation_id)):
        raise Rejected(
            f"credential {authority[1]} voided training of a learner of organisation {organisation_id} without being "
            "the platform or linked to that organisation; the training still counts"
        )


def _sender(statement: dict[str, Any]) -> Authority:
    authority = authority_of(statement)
    if authority is None:
        raise Rejected("the statement's authority is not an account, so its sender is unknown")
    return authority


def _is_platform(authority: Authority, iris: RpmIris) -> bool:
    """The in-process sink's authority, or with a remote LRS the platform's own key there (LRS_KEY)."""
    home, name = authority
    if name == PLATFORM_AUTHORITY and home.rstrip("/") == iris.base.rstrip("/"):
        return True
    return bool(current_app.config.get("LRS_ENDPOINT")) and name == current_app.config.get("LRS_KEY")


def _learner_of(statement_id: str) -> str | None:
    pid: str | None = db.session.scalar(
        select(TrainingEvent.actor_pid).where(TrainingEvent.statement_id == statement_id)
    )
    return pid
