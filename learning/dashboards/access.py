"""Who may see which dashboard.

An implementation environment joins several care organisations (a hospital with its home-care and GP partners),
so a manager sees every environment in which their organisation runs a programme or has a team taking part. What
they see there is aggregated and suppressed; names of staff appear only on the list of the manager's own reports
(privacy.md: individual status goes to the line manager only). The region view holds the same aggregates for all
environments side by side: it is open to every manager, as the steering group's shared picture, and to admins.
"""

from __future__ import annotations

from sqlalchemy import or_, select

from learning.accounts.models import Role, Team, User
from learning.db import db
from learning.environments.models import Environment, Programme, ProgrammeTeam


def may_view_region(user: User) -> bool:
    """Return whether the user may see all environments side by side."""
    return user.role is Role.ADMIN or (user.role is Role.MANAGER and user.organisation_id is not None)


def environment_ids_for(user: User) -> list[int]:
    """Return the ids of the environments whose dashboard the user may open, by name."""
    query = select(Environment.id).order_by(Environment.name)
    if user.role is Role.ADMIN:
        return list(db.session.scalars(query))
    if user.role is not Role.MANAGER or user.organisation_id is None:
        return []
    own_team_programmes = (
        select(ProgrammeTeam.programme_id)
        .join(Team, Team.id == ProgrammeTeam.team_id)
        .where(Team.organisation_id == user.organisation_id)
    )
    taking_part = select(Programme.environment_id).where(
        or_(Programme.organisation_id == user.organisation_id, Programme.id.in_(own_team_programmes))
    )
    return list(db.session.scalars(query.where(Environment.id.in_(taking_part))))


def may_view_environment(user: User, environment_id: int) -> bool:
    """Return whether the user may open this environment's dashboard."""
    return environment_id in environment_ids_for(user)
