"""The roster the metrics read, kept in step with the people administered in the app.

Training coverage and a line manager's "still to complete" list count StaffMembership rows (who works in which team
in which care role, from when to when), not accounts. So whenever a member of staff gets a team and a care role, or
moves, changes role, leaves or returns, the open membership is ended (end = today, the end day is still worked) and
the next one opened (start = today): the history stays, because the monthly roll-up counts turnover. A change made on
the day the membership began corrects a mistake instead: that row is changed or removed, so a typo never shows as a
leaver. Patients and caregivers are never on the roster. Every change queues the teams' months for the metrics.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, select

from learning.accounts.models import Role, User
from learning.admin.programmes import local_today
from learning.admin.scope import AdminError
from learning.db import db
from learning.environments.models import StaffMember, StaffMembership, StaffRole
from learning.environments.roles import PATIENT_AUDIENCE_ROLE
from learning.metrics.arrivals import queue_months

NOT_ROSTERED = frozenset({Role.PATIENT, Role.CAREGIVER})


def check_care_role(role: Role, team_id: int | None, care_role: str | None) -> str | None:
    """The care role to store (None for none), or AdminError: staff only, a known role, and in a team."""
    code = (care_role or "").strip()
    if not code:
        return None
    if role in NOT_ROSTERED:
        raise AdminError("care-role-not-staff")
    if code == PATIENT_AUDIENCE_ROLE[0] or db.session.get(StaffRole, code) is None:
        raise AdminError("care-role-unknown")
    if team_id is None:
        raise AdminError("care-role-needs-team")
    return code


def _staff(user: User) -> StaffMember | None:
    return db.session.scalar(select(StaffMember).where(StaffMember.user_id == user.id))


def _open(staff: StaffMember | None) -> list[StaffMembership]:
    if staff is None or staff.id is None:
        return []
    query = select(StaffMembership).where(StaffMembership.staff_id == staff.id, StaffMembership.end.is_(None))
    return list(db.session.scalars(query.order_by(StaffMembership.start)))


def current_care_role(user_id: int) -> str | None:
    """The care role of the person's open membership: the one in their own team first (someone may also work in a
    second team), else the newest."""
    query = (
        select(StaffMembership.role_code)
        .join(StaffMember, StaffMember.id == StaffMembership.staff_id)
        .join(User, User.id == StaffMember.user_id)
        .where(StaffMember.user_id == user_id, StaffMembership.end.is_(None))
        .order_by(
            case((StaffMembership.team_id == User.team_id, 0), else_=1),
            StaffMembership.start.desc(),
            StaffMembership.id.desc(),
        )
    )
    return db.session.scalars(query).first()


def sync_roster(
    user: User,
    care_role: str | None,
    *,
    previous_team: int | None = None,
    pid: str | None = None,
    today: date | None = None,
) -> None:
    """Make the roster say what the account says: an open membership in the user's team with this care role, or none
    (no care role, a leaver, a patient). Only the memberships in the team the account had before (`previous_team`,
    default: its present one) and in its new team are the app's to change: someone who also works in a second team
    (an HR roster, the demo) keeps that one. `pid` names a new roster row (an HR personnel number); without it the
    row is `vtc-<user id>`. Nothing is committed."""
    today = today or local_today()
    wanted = None
    if user.role not in NOT_ROSTERED and user.is_active_account and user.team_id is not None and care_role:
        wanted = (user.team_id, care_role)
    staff = _staff(user)
    current = _open(staff)
    if wanted is not None:
        managed = {previous_team if previous_team is not None else user.team_id, user.team_id}
        current = [m for m in current if m.team_id in managed]
    kept = next((m for m in current if (m.team_id, m.role_code) == wanted), None)
    ending = [m for m in current if m is not kept]
    if kept is not None and not ending:
        return
    for membership in ending:
        if membership.start >= today:
            db.session.delete(membership)  # begun today: a correction, not a move
        else:
            membership.end = today
    if wanted is not None and kept is None:
        if staff is None:
            staff = StaffMember(organisation_id=user.organisation_id, pid=pid or f"vtc-{user.id}", user_id=user.id)
            db.session.add(staff)
            db.session.flush()
        db.session.add(StaffMembership(staff_id=staff.id, team_id=wanted[0], role_code=wanted[1], start=today))
    db.session.flush()
    touched = {m.team_id for m in ending} | ({wanted[0]} if wanted else set())
    queue_months([(team, today.replace(day=1)) for team in sorted(touched)])


def restore_roster(user: User, *, today: date | None = None) -> None:
    """A returning member of staff is counted again in their team, in the care role they last held there."""
    staff = _staff(user)
    if staff is None or _open(staff):
        return
    last = db.session.scalars(
        select(StaffMembership.role_code)
        .where(StaffMembership.staff_id == staff.id)
        .order_by(StaffMembership.start.desc(), StaffMembership.id.desc())
    ).first()
    if last is not None:
        sync_roster(user, last, today=today)
