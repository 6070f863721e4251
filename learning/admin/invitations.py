"""Invitation codes: per organisation, role and team; a set number of uses, an expiry date, revocable.

Codes are made of letters and digits nobody confuses on paper (no 0/O, no 1/I), in two groups of four; typed
codes are compared without case, spaces or hyphens (learning.accounts.services.code_key), so "k7qm xw3p" works.
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from learning.accounts.models import Invitation, Role, Team
from learning.accounts.services import code_key, stored_code_key
from learning.admin import log
from learning.admin.scope import Actor, AdminError, OutOfScope, assignable_roles, require
from learning.db import db, utcnow

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
"""32 symbols without 0, O, 1 and I: 8 of them give 2^40 codes, far beyond guessing within an expiry."""
GROUP, GROUPS = 4, 2
MAX_USES = 1000
MAX_DAYS = 366
DEFAULT_DAYS = 30


class Status(enum.StrEnum):
    ACTIVE = "active"
    USED_UP = "used_up"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class InvitationData:
    role: Role
    team_id: int | None = None
    max_uses: int = 1
    expires_on: date | None = None  # the last day the code works (Dutch time is close enough: end of day UTC)
    label: str = ""


def new_code() -> str:
    """A random code like K7QM-XW3P that is not in use yet."""
    while True:
        chars = "".join(secrets.choice(ALPHABET) for _ in range(GROUP * GROUPS))
        code = "-".join(chars[i : i + GROUP] for i in range(0, len(chars), GROUP))
        if not _taken(code):
            return code


def _taken(code: str) -> bool:
    return db.session.scalar(select(Invitation.id).where(stored_code_key() == code_key(code))) is not None


def status(invitation: Invitation, now: datetime | None = None) -> Status:
    now = now or utcnow()
    if invitation.revoked_at is not None:
        return Status.REVOKED
    if invitation.expires_at is not None and invitation.expires_at <= now:
        return Status.EXPIRED
    if invitation.uses >= invitation.max_uses:
        return Status.USED_UP
    return Status.ACTIVE


def end_of(day: date) -> datetime:
    """The moment a code valid through `day` stops working."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def _check(actor: Actor, organisation_id: int, data: InvitationData) -> InvitationData:
    if data.role not in assignable_roles(actor):
        raise AdminError("role-not-allowed")
    if not 1 <= data.max_uses <= MAX_USES:
        raise AdminError("uses-out-of-range", maximum=MAX_USES)
    today = utcnow().date()
    expires_on = data.expires_on or today + timedelta(days=DEFAULT_DAYS)
    if not today <= expires_on <= today + timedelta(days=MAX_DAYS):
        raise AdminError("expiry-out-of-range", days=MAX_DAYS)
    if data.team_id is not None:
        team = db.session.get(Team, data.team_id)
        if team is None or team.organisation_id != organisation_id:
            raise AdminError("team-unknown")
    label = " ".join(data.label.split())
    if len(label) > 64:
        raise AdminError("label-too-long")
    return InvitationData(data.role, data.team_id, data.max_uses, expires_on, label)


def make_invitation(actor: Actor, organisation_id: int, data: InvitationData) -> Invitation:
    """Create one code without committing (a bulk import adds many in one transaction)."""
    data = _check(actor, require(actor, organisation_id), data)
    invitation = Invitation(
        code=new_code(),
        organisation_id=organisation_id,
        team_id=data.team_id,
        role=data.role,
        max_uses=data.max_uses,
        uses=0,
        expires_at=end_of(data.expires_on or default_expiry()),
        label=data.label or None,
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation


def create_invitation(actor: Actor, organisation_id: int, data: InvitationData) -> Invitation:
    invitation = make_invitation(actor, organisation_id, data)
    db.session.commit()
    log.record(actor, "admin.invitation.create", f"invitation:{invitation.id}")
    return invitation


def get_invitation(actor: Actor, organisation_id: int, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.organisation_id != require(actor, organisation_id):
        raise OutOfScope
    return invitation


def revoke(actor: Actor, organisation_id: int, invitation_id: int) -> Invitation:
    """Withdraw a code at once (a letter got lost); accounts made with it stay."""
    invitation = get_invitation(actor, organisation_id, invitation_id)
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        db.session.commit()
        log.record(actor, "admin.invitation.revoke", f"invitation:{invitation.id}")
    return invitation


def invitations_of(actor: Actor, organisation_id: int) -> list[Invitation]:
    """The organisation's codes, newest first, with how often each was used (Invitation.uses)."""
    require(actor, organisation_id)
    return list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.organisation_id == organisation_id)
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        )
    )


def default_expiry() -> date:
    """The last day a new code works when the form leaves it empty."""
    return utcnow().date() + timedelta(days=DEFAULT_DAYS)
