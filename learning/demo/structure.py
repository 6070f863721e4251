"""Write the region's fixed structure: organisations, teams, environments, programmes, roles and curricula.

Organisations and teams of the first demo are reused by name, so a database seeded before the region existed
gains the region instead of failing on a duplicate name.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from learning.accounts.models import Organisation, Team
from learning.db import db
from learning.demo.clock import Window, new_uuid
from learning.demo.region import (
    ALERT_SLA_MINUTES,
    DAILY_8_TO_22,
    ENVIRONMENTS,
    ORGANISATIONS,
    PATIENT_MODULES,
    PROFESSIONAL_MODULE,
    PROGRAMMES,
    ROLES,
    SCHEDULES,
    TEAMS,
    UNTARGETED_ROLES,
    WEEKDAYS_8_TO_17,
    ProgrammeSpec,
)
from learning.environments.models import Condition, Curriculum, Environment, Programme, ProgrammeTeam, StaffRole
from learning.environments.roles import PATIENT_AUDIENCE_LABEL_DE, PATIENT_AUDIENCE_ROLE, ensure_care_roles

SEEDING_SUFFIX = " (demo wordt aangemaakt)"  # the marker's name until the last row is written


@dataclass(frozen=True)
class TeamRow:
    id: int
    key: str
    organisation: str
    pseudonym: str


@dataclass(frozen=True)
class Requirement:
    """What a role in a programme must learn: the curriculum as the generators need it."""

    module: str
    due_days: int
    refresher_months: int | None


@dataclass
class ProgrammeRow:
    id: int
    spec: ProgrammeSpec
    condition: Condition
    start: date
    schedule: dict[str, str]
    sla: dict[str, int]
    hours: dict[str, object]
    curriculum: dict[str, Requirement] = field(default_factory=dict)

    @property
    def staff_teams(self) -> tuple[str, ...]:
        centre = (self.spec.monitoring_centre,) if self.spec.monitoring_centre else ()
        return self.spec.teams + centre


@dataclass
class Region:
    window: Window
    organisations: dict[str, int]
    teams: dict[str, TeamRow]
    programmes: list[ProgrammeRow]
    marker: Environment


def _organisations() -> dict[str, int]:
    ids = {}
    for key, name, kind in ORGANISATIONS:
        organisation = db.session.scalar(select(Organisation).where(Organisation.name == name))
        if organisation is None:
            organisation = Organisation(name=name, kind=kind)
            db.session.add(organisation)
            db.session.flush()
        ids[key] = organisation.id
    return ids


def _teams(rng: random.Random, organisations: dict[str, int]) -> dict[str, TeamRow]:
    rows = {}
    for spec in TEAMS:
        org_id = organisations[spec.organisation]
        team = db.session.scalar(select(Team).where(Team.organisation_id == org_id, Team.name == spec.name))
        pseudonym = new_uuid(rng)  # drawn even for a reused team, so the rest of the region stays reproducible
        if team is None:
            team = Team(organisation_id=org_id, name=spec.name, kind=spec.kind, pseudonym=pseudonym)
            db.session.add(team)
            db.session.flush()
        rows[spec.key] = TeamRow(team.id, spec.key, spec.organisation, team.pseudonym)
    return rows


def _roles() -> None:
    """Add the care roles (and the patient audience) that are missing; labels of existing ones stay."""
    ensure_care_roles()
    code, nl, en = PATIENT_AUDIENCE_ROLE
    if db.session.get(StaffRole, code) is None:
        db.session.add(StaffRole(code=code, label_nl=nl, label_en=en, label_de=PATIENT_AUDIENCE_LABEL_DE))
    db.session.flush()


def _environments(window: Window) -> dict[str, Environment]:
    made = {}
    for spec in ENVIRONMENTS:
        first = spec.name == ENVIRONMENTS[0].name
        environment = Environment(
            name=spec.name + (SEEDING_SUFFIX if first else ""),
            condition=spec.condition,
            region="Twente",
            phase=spec.phase,
            start=window.month(spec.start_months),
            funding_end=None if spec.funding_end_months is None else window.month(spec.funding_end_months),
        )
        db.session.add(environment)
        made[spec.name] = environment
    db.session.flush()
    return made


def _curriculum(spec: ProgrammeSpec, condition: Condition) -> dict[str, Requirement]:
    """Every care role working in the programme's teams learns the professional module; core roles sooner."""
    roles = {role for team in TEAMS if team.key in (*spec.teams, spec.monitoring_centre) for role, _ in team.staff}
    curriculum = {
        role: Requirement(PROFESSIONAL_MODULE, 30 if ROLES[role][3] else 90, 12 if ROLES[role][3] else 24)
        for role in sorted(roles - UNTARGETED_ROLES)
    }
    if condition in PATIENT_MODULES:
        curriculum[PATIENT_AUDIENCE_ROLE[0]] = Requirement(PATIENT_MODULES[condition], 7, None)
    return curriculum


def _programme(region: Region, spec: ProgrammeSpec, environment: Environment) -> ProgrammeRow:
    condition = environment.condition
    programme = Programme(
        environment_id=environment.id,
        organisation_id=region.organisations[spec.organisation],
        name=spec.name,
        condition=condition,
        platform_name=spec.platform,
        measurement_schedule=SCHEDULES[condition],
        alert_sla_minutes=ALERT_SLA_MINUTES[condition],
        business_hours=DAILY_8_TO_22 if spec.around_the_clock else WEEKDAYS_8_TO_17,
        adherence_threshold=0.8,
        monitoring_centre_team_id=region.teams[spec.monitoring_centre].id if spec.monitoring_centre else None,
        start=region.window.month(spec.start_months),
        status="active",
    )
    db.session.add(programme)
    db.session.flush()
    row = ProgrammeRow(
        programme.id,
        spec,
        condition,
        programme.start,
        programme.measurement_schedule,
        programme.alert_sla_minutes,
        dict(programme.business_hours or {}),
        _curriculum(spec, condition),
    )
    _add_teams_and_curricula(region, row)
    return row


def _add_teams_and_curricula(region: Region, row: ProgrammeRow) -> None:
    db.session.add_all(ProgrammeTeam(programme_id=row.id, team_id=region.teams[key].id) for key in row.staff_teams)
    db.session.add_all(
        Curriculum(
            programme_id=row.id,
            role_code=role,
            module_slugs=[need.module],
            due_days=need.due_days,
            refresher_months=need.refresher_months,
        )
        for role, need in row.curriculum.items()
    )


def write_structure(rng: random.Random, window: Window) -> Region:
    """Create the fixed part of the region and return where everything landed."""
    organisations = _organisations()
    teams = _teams(rng, organisations)
    _roles()
    environments = _environments(window)
    region = Region(window, organisations, teams, [], environments[ENVIRONMENTS[0].name])
    for spec in PROGRAMMES:
        region.programmes.append(_programme(region, spec, environments[spec.environment]))
    db.session.flush()
    return region
