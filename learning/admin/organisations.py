"""Organisations and their nested teams: create, rename, move a team under another (never under itself)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from learning.accounts.models import Organisation, Team, User
from learning.admin import log
from learning.admin.scope import Actor, AdminError, OutOfScope, require
from learning.db import db
from learning.environments.models import Environment, Programme

ORGANISATION_KINDS = ("hospital", "gp_practice", "care_group", "home_care", "nursing_home", "physio", "municipality")
TEAM_KINDS = ("ward", "outpatient_clinic", "district_team", "practice", "monitoring_centre")
AGB = re.compile(r"\d{8}")  # the Vektis AGB code of a care organisation: eight digits


@dataclass(frozen=True)
class OrganisationData:
    name: str
    kind: str
    agb_code: str = ""


@dataclass(frozen=True)
class TeamData:
    name: str
    kind: str
    parent_id: int | None = None


@dataclass(frozen=True)
class TeamRow:
    """A team in the tree as a page lists it: depth 0 for a top team."""

    team: Team
    depth: int
    people: int


@dataclass(frozen=True)
class Overview:
    organisation: Organisation
    teams: list[TeamRow]
    environments: list[Environment]
    programmes: list[Programme]


def visible_organisations(actor: Actor) -> list[Organisation]:
    """The organisations the actor administers, by name."""
    query = select(Organisation).order_by(Organisation.name)
    if not actor.regional:
        query = query.where(Organisation.id == (actor.organisation_id or -1))
    return list(db.session.scalars(query))


def get_organisation(actor: Actor, organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, require(actor, organisation_id))
    if organisation is None:
        raise OutOfScope
    return organisation


def _check_organisation(data: OrganisationData, own_id: int | None) -> OrganisationData:
    name, agb = " ".join(data.name.split()), data.agb_code.strip()
    if not name or len(name) > 200:
        raise AdminError("name-required")
    if data.kind not in ORGANISATION_KINDS:
        raise AdminError("kind-unknown")
    if agb and not AGB.fullmatch(agb):
        raise AdminError("agb-invalid")
    taken = db.session.scalar(select(Organisation.id).where(func.lower(Organisation.name) == name.lower()))
    if taken is not None and taken != own_id:
        raise AdminError("organisation-name-taken")
    return OrganisationData(name, data.kind, agb)


def create_organisation(actor: Actor, data: OrganisationData) -> Organisation:
    """Add a care organisation (regional administrators only)."""
    if not actor.regional:
        raise OutOfScope
    data = _check_organisation(data, None)
    organisation = Organisation(name=data.name, kind=data.kind, agb_code=data.agb_code or None)
    db.session.add(organisation)
    db.session.commit()
    log.record(actor, "admin.organisation.create", f"organisation:{organisation.id}")
    return organisation


def update_organisation(actor: Actor, organisation_id: int, data: OrganisationData) -> Organisation:
    organisation = get_organisation(actor, organisation_id)
    data = _check_organisation(data, organisation.id)
    organisation.name, organisation.kind, organisation.agb_code = data.name, data.kind, data.agb_code or None
    db.session.commit()
    log.record(actor, "admin.organisation.update", f"organisation:{organisation.id}")
    return organisation


def get_team(actor: Actor, organisation_id: int, team_id: int) -> Team:
    team = db.session.get(Team, team_id)
    if team is None or team.organisation_id != require(actor, organisation_id):
        raise OutOfScope
    return team


def _check_team(organisation_id: int, data: TeamData, team: Team | None) -> TeamData:
    name = " ".join(data.name.split())
    if not name or len(name) > 200:
        raise AdminError("name-required")
    if data.kind not in TEAM_KINDS:
        raise AdminError("kind-unknown")
    taken = db.session.scalar(
        select(Team.id).where(Team.organisation_id == organisation_id, func.lower(Team.name) == name.lower())
    )
    if taken is not None and (team is None or taken != team.id):
        raise AdminError("team-name-taken")
    if data.parent_id is not None:
        parent = db.session.get(Team, data.parent_id)
        if parent is None or parent.organisation_id != organisation_id:
            raise AdminError("parent-unknown")
        if team is not None and _is_within(parent, team.id):
            raise AdminError("team-cycle")
    return TeamData(name, data.kind, data.parent_id)


def _is_within(team: Team, ancestor_id: int) -> bool:
    """True when `team` is the team `ancestor_id` or lies anywhere below it."""
    seen: set[int] = set()
    current: Team | None = team
    while current is not None and current.id not in seen:
        if current.id == ancestor_id:
            return True
        seen.add(current.id)
        current = db.session.get(Team, current.parent_team_id) if current.parent_team_id else None
    return False


def create_team(actor: Actor, organisation_id: int, data: TeamData) -> Team:
    organisation = get_organisation(actor, organisation_id)
    data = _check_team(organisation.id, data, None)
    team = Team(organisation_id=organisation.id, name=data.name, kind=data.kind, parent_team_id=data.parent_id)
    db.session.add(team)
    db.session.commit()
    log.record(actor, "admin.team.create", f"team:{team.id}")
    return team


def update_team(actor: Actor, organisation_id: int, team_id: int, data: TeamData) -> Team:
    """Rename a team or move it under another team of the organisation (or to the top); never under itself."""
    team = get_team(actor, organisation_id, team_id)
    data = _check_team(team.organisation_id, data, team)
    team.name, team.kind, team.parent_team_id = data.name, data.kind, data.parent_id
    db.session.commit()
    log.record(actor, "admin.team.update", f"team:{team.id}")
    return team


def team_tree(organisation_id: int) -> list[TeamRow]:
    """The organisation's teams, each followed by the teams below it, indented by depth."""
    teams = list(db.session.scalars(select(Team).where(Team.organisation_id == organisation_id).order_by(Team.name)))
    counts = dict(
        db.session.execute(
            select(User.team_id, func.count(User.id))
            .where(User.organisation_id == organisation_id, User.is_active_account.is_(True))
            .group_by(User.team_id)
        ).all()
    )
    children: dict[int | None, list[Team]] = {}
    ids = {team.id for team in teams}
    for team in teams:
        parent = team.parent_team_id if team.parent_team_id in ids else None
        children.setdefault(parent, []).append(team)
    rows: list[TeamRow] = []

    def walk(parent: int | None, depth: int) -> None:
        for team in children.get(parent, []):
            rows.append(TeamRow(team, depth, counts.get(team.id, 0)))
            walk(team.id, depth + 1)

    walk(None, 0)
    return rows


def overview(actor: Actor, organisation_id: int) -> Overview:
    """The organisation with its team tree, the environments it takes part in and its RPM programmes."""
    organisation = get_organisation(actor, organisation_id)
    programmes = list(
        db.session.scalars(
            select(Programme).where(Programme.organisation_id == organisation.id).order_by(Programme.name)
        )
    )
    environments = sorted({p.environment for p in programmes}, key=lambda e: e.name)
    return Overview(organisation, team_tree(organisation.id), environments, programmes)
