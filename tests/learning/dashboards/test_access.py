"""Who may open which dashboard: the rules as plain functions, on real rows."""

from __future__ import annotations

import uuid

from dashboard_helpers import Region
from flask import Flask
from metrics_helpers import World

from learning.accounts.models import Role, User
from learning.assessments.services import may_assess, may_view_assessments
from learning.dashboards.access import environment_ids_for, may_view_environment, may_view_region
from learning.db import db
from learning.environments.models import Programme, ProgrammeTeam


def _user(role: Role, organisation: int | None) -> User:
    user = User(email=f"{uuid.uuid4()}@example.test", password_hash="x", role=role, organisation_id=organisation)
    db.session.add(user)
    db.session.flush()
    return user


def test_manager_sees_environments_where_own_organisation_runs_a_programme(app: Flask, region: Region) -> None:
    with app.app_context():
        assert environment_ids_for(_user(Role.MANAGER, region.hospital)) == [region.environment]


def test_partner_manager_sees_the_shared_environment_too(app: Flask, region: Region) -> None:
    with app.app_context():
        assert may_view_environment(_user(Role.MANAGER, region.partner), region.environment)


def test_manager_does_not_see_an_environment_without_their_organisation(app: Flask, region: Region) -> None:
    with app.app_context():
        assert not may_view_environment(_user(Role.MANAGER, region.outsider), region.environment)
        assert may_view_environment(_user(Role.MANAGER, region.outsider), region.other_environment)


def test_organisation_with_only_a_team_in_a_programme_takes_part(app: Flask, region: Region) -> None:
    with app.app_context():
        world = World()
        team = world.team(region.outsider, "Gastteam")
        world.add(ProgrammeTeam(programme_id=region.programme, team_id=team))
        manager = _user(Role.MANAGER, region.outsider)
        assert may_view_environment(manager, region.environment)
        programme = db.session.get(Programme, region.programme)
        assert programme is not None
        assert may_view_assessments(manager, programme)  # the dashboard shows them, so the record is readable too
        assert not may_assess(manager, programme)


def test_admin_sees_every_environment_and_the_region(app: Flask, region: Region) -> None:
    with app.app_context():
        admin = _user(Role.ADMIN, None)
        assert set(environment_ids_for(admin)) == {region.environment, region.other_environment}
        assert may_view_region(admin)


def test_staff_patients_and_managers_without_organisation_see_nothing(app: Flask, region: Region) -> None:
    with app.app_context():
        for user in (_user(Role.PROFESSIONAL, region.hospital), _user(Role.PATIENT, region.hospital),
                     _user(Role.MANAGER, None)):  # fmt: skip
            assert environment_ids_for(user) == []
            assert not may_view_region(user)
