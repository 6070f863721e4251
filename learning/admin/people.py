"""People of an organisation: create, edit (name, e-mail, role, team), line managers, and ending a membership.

A leaver is never deleted: their learning records, attempts and log entries must stay (a care organisation has
to show later who was trained). Ending a membership disables the account (it cannot log in) and raises its
session version, so every open session ends on its next request (see load_user in learning/__init__.py).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select

from learning.accounts import mfa
from learning.accounts.confirm import forget_confirmation
from learning.accounts.models import Role, Team, User
from learning.accounts.services import normalise_email
from learning.admin import log
from learning.admin.roster import check_care_role, current_care_role, restore_roster, sync_roster
from learning.admin.scope import Actor, AdminError, OutOfScope, assignable_roles, require
from learning.db import db
from learning.environments.models import StaffMember

LINE_MANAGER_ROLES = frozenset({Role.MANAGER})
"""Who can be a line manager: the dashboard's "still to complete" list is shown to the manager named here."""


@dataclass(frozen=True)
class PersonData:
    email: str
    display_name: str
    role: Role
    team_id: int | None = None
    care_role: str | None = None  # a code of staff_role ("functie"); staff only, and only with a team


@dataclass(frozen=True)
class PersonRow:
    user: User
    line_manager: User | None


def unusable_password() -> str:
    """A stored "hash" no password matches: not argon2 at all, so checking one fails at once (argon2 refuses it as
    an invalid hash), and an import of thousands of staff does not spend a second of hashing per person. The person
    sets their own password through a reset link."""
    return "!unusable:" + secrets.token_hex(8)


def get_person(actor: Actor, organisation_id: int, user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.organisation_id != require(actor, organisation_id):
        raise OutOfScope
    if user.role is Role.ADMIN and not actor.regional:
        raise OutOfScope  # a manager neither sees nor changes a regional administrator's account
    return user


def people_of(actor: Actor, organisation_id: int, *, left: bool = False) -> list[PersonRow]:
    """Active people (or with left=True those whose membership ended) of the organisation, by name."""
    require(actor, organisation_id)
    query = (
        select(User)
        .where(User.organisation_id == organisation_id, User.is_active_account.is_(not left))
        .order_by(func.lower(User.display_name), User.email)
    )
    if not actor.regional:
        query = query.where(User.role != Role.ADMIN)
    users = list(db.session.scalars(query))
    managers = _line_managers([u.id for u in users])
    return [PersonRow(user, managers.get(user.id)) for user in users]


def _line_managers(user_ids: list[int]) -> dict[int, User]:
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(StaffMember.user_id, User)
        .join(User, User.id == StaffMember.line_manager_user_id)
        .where(StaffMember.user_id.in_(user_ids))
    ).all()
    return {row[0]: row[1] for row in rows if row[0] is not None}


def care_role_of(user_id: int) -> str | None:
    """The care role of this person's open membership on the roster, if any (what the person page shows)."""
    return current_care_role(user_id)


def line_manager_of(user_id: int) -> int | None:
    """The user id of this person's line manager on the roster, if any."""
    return db.session.scalar(select(StaffMember.line_manager_user_id).where(StaffMember.user_id == user_id))


def line_manager_choices(organisation_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.organisation_id == organisation_id,
                User.role.in_(LINE_MANAGER_ROLES),
                User.is_active_account.is_(True),
            )
            .order_by(func.lower(User.display_name), User.email)
        )
    )


def _check(actor: Actor, organisation_id: int, data: PersonData, user: User | None) -> PersonData:
    email = normalise_email(data.email)
    name = " ".join(data.display_name.split())
    if "@" not in email or len(email) > 254 or any(ch.isspace() for ch in email):
        raise AdminError("email-invalid")
    if not name or len(name) > 100:
        raise AdminError("name-required")
    if data.role not in assignable_roles(actor):
        raise AdminError("role-not-allowed")
    taken = db.session.scalar(select(User.id).where(User.email == email))
    if taken is not None and (user is None or taken != user.id):
        raise AdminError("email-taken")
    if data.team_id is not None:
        team = db.session.get(Team, data.team_id)
        if team is None or team.organisation_id != organisation_id:
            raise AdminError("team-unknown")
    care_role = check_care_role(data.role, data.team_id, data.care_role)
    return PersonData(email, name, data.role, data.team_id, care_role)


def create_person(actor: Actor, organisation_id: int, data: PersonData) -> User:
    """Add a person to the organisation; they cannot log in until they set a password (reset link)."""
    require(actor, organisation_id)
    data = _check(actor, organisation_id, data, None)
    user = User(
        email=data.email,
        password_hash=unusable_password(),
        display_name=data.display_name,
        role=data.role,
        organisation_id=organisation_id,
        team_id=data.team_id,
    )
    db.session.add(user)
    db.session.flush()
    sync_roster(user, data.care_role)
    db.session.commit()
    log.record(actor, "admin.person.create", f"user:{user.id}")
    return user


def update_person(actor: Actor, organisation_id: int, user_id: int, data: PersonData) -> User:
    """Change name, e-mail, role or team (a move between teams); nobody changes their own role."""
    user = get_person(actor, organisation_id, user_id)
    data = _check(actor, organisation_id, data, user)
    if user.id == actor.user_id and data.role is not user.role:
        raise AdminError("own-role")
    if data.email != user.email:
        forget_confirmation(user)  # the new address is unconfirmed; links sent to the old one stop working
    previous_team = user.team_id
    user.email, user.display_name, user.role, user.team_id = data.email, data.display_name, data.role, data.team_id
    sync_roster(user, data.care_role, previous_team=previous_team)  # a move or a new care role: end, open the next
    db.session.commit()
    log.record(actor, "admin.person.update", f"user:{user.id}")
    return user


def end_membership(actor: Actor, organisation_id: int, user_id: int) -> User:
    """A leaver: the account is disabled and every session ends; records and log entries stay."""
    user = get_person(actor, organisation_id, user_id)
    if user.id == actor.user_id:
        raise AdminError("own-membership")
    user.is_active_account = False
    user.session_version += 1
    sync_roster(user, None)  # the roster stops counting a leaver from tomorrow
    db.session.commit()
    log.record(actor, "admin.person.end", f"user:{user.id}")
    return user


def restore_membership(actor: Actor, organisation_id: int, user_id: int) -> User:
    """Undo an ending made by mistake (or a returning employee): the account can log in again."""
    user = get_person(actor, organisation_id, user_id)
    user.is_active_account = True
    restore_roster(user)
    db.session.commit()
    log.record(actor, "admin.person.restore", f"user:{user.id}")
    return user


def check_line_manager(organisation_id: int, user_id: int, manager_id: int | None) -> None:
    """Refuse a line manager who is not an active manager of the organisation, or the person themselves."""
    if manager_id is None:
        return
    manager = db.session.get(User, manager_id)
    if (
        manager is None
        or manager.organisation_id != organisation_id
        or manager.role not in LINE_MANAGER_ROLES
        or not manager.is_active_account
    ):
        raise AdminError("line-manager-unknown")
    if manager.id == user_id:
        raise AdminError("own-line-manager")


def set_line_manager(actor: Actor, organisation_id: int, user_id: int, manager_id: int | None) -> None:
    """Name (or clear) the line manager of a member of staff, on the roster row the dashboards read."""
    user = get_person(actor, organisation_id, user_id)
    check_line_manager(organisation_id, user.id, manager_id)
    staff = db.session.scalar(select(StaffMember).where(StaffMember.user_id == user.id))
    if staff is None:
        staff = StaffMember(organisation_id=organisation_id, pid=f"vtc-{user.id}", user_id=user.id)
        db.session.add(staff)
    staff.line_manager_user_id = manager_id
    db.session.commit()
    log.record(actor, "admin.line_manager.set", f"user:{user.id}")


def reset_second_factor(actor: Actor, organisation_id: int, user_id: int) -> User:
    """Forget a person's authenticator app and recovery codes (a lost phone): every session of theirs ends, and
    at the next log-in they set the app up again. Nobody resets their own: that would let a stolen session
    replace the owner's phone."""
    user = get_person(actor, organisation_id, user_id)
    if user.id == actor.user_id:
        raise AdminError("own-second-factor")
    mfa.reset(user)
    log.record(actor, "admin.person.mfa_reset", f"user:{user.id}")
    return user
