"""For the admin tests: two organisations (X and Y, a team each), their managers and a regional admin."""

from __future__ import annotations

from dataclasses import dataclass

from helpers import PASSWORD

from learning.accounts.models import Organisation, Role, Team
from learning.accounts.services import create_user
from learning.admin.scope import Actor
from learning.db import db


@dataclass(frozen=True)
class Region:
    org_x: int
    org_y: int
    team_x: int
    team_y: int
    manager_x: int
    manager_y: int
    admin: int


def make_region() -> Region:
    x, y = Organisation(name="Ziekenhuis X", kind="hospital"), Organisation(name="Zorggroep Y", kind="care_group")
    team_x, team_y = (
        Team(organisation=x, name="Hartfalenpoli", kind="outpatient_clinic"),
        Team(organisation=y, name="Wijkteam Y", kind="district_team"),
    )
    db.session.add_all([x, y, team_x, team_y])
    db.session.flush()
    manager_x = create_user("manager-x@example.test", PASSWORD, Role.MANAGER, organisation_id=x.id)
    manager_y = create_user("manager-y@example.test", PASSWORD, Role.MANAGER, organisation_id=y.id)
    admin = create_user("admin@example.test", PASSWORD, Role.ADMIN)
    db.session.commit()
    return Region(x.id, y.id, team_x.id, team_y.id, manager_x.id, manager_y.id, admin.id)


def actor(user_id: int) -> Actor:
    from learning.accounts.models import User

    user = db.session.get(User, user_id)
    assert user is not None
    return Actor.of(user)
