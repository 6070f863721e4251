"""RPM ingestion fixtures: two organisations with programmes and teams made as rows, a logged-in manager, and an
API key made with the real CLI. Dates are fixed in 2025, well before today."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from learning.accounts.models import Organisation, Role, Team
from learning.db import db
from learning.environments.models import Condition, Environment, Phase, Programme


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """Keep uploads awaiting confirmation in the test's own directory."""
    return {**app_config, "RPM_UPLOAD_DIR": str(tmp_path / "rpm_uploads")}


@dataclass(frozen=True)
class Seed:
    organisation_id: int
    other_organisation_id: int
    hf: int  # "Hartfalen thuis": weight daily, bp 3/wk; red 60 min, orange 480 min; team Hartfalenpoli
    copd: int  # "COPD op afstand": spo2 daily; red 30 min; team Longpoli
    other: int  # the other organisation's programme
    hf_team: int
    copd_team: int
    other_team: int


@pytest.fixture
def seed(app: Flask, organisation_id: int) -> Seed:
    with app.app_context():
        org = db.session.get(Organisation, organisation_id)
        assert org is not None
        hf_team = org.teams[0]  # Hartfalenpoli, made by the organisation_id fixture
        copd_team = Team(organisation=org, name="Longpoli", kind="outpatient_clinic")
        other_org = Organisation(name="Andere Zorggroep", kind="care_group")
        other_team = Team(organisation=other_org, name="Wijkteam Noord", kind="district_team")
        env = Environment(
            name="Hartfalen Twente", condition=Condition.HF, phase=Phase.OPERATIONALISATION, start=date(2024, 1, 1)
        )
        hf = _programme(
            env, org, "Hartfalen thuis", {"weight": "daily", "bp": "3/wk"}, {"red": 60, "orange": 480}, hf_team
        )
        copd = _programme(env, org, "COPD op afstand", {"spo2": "daily"}, {"red": 30}, copd_team)
        other = _programme(env, other_org, "Hartfalen wijk", {"weight": "daily"}, {"red": 60}, other_team)
        db.session.add_all([hf, copd, other])
        db.session.commit()
        return Seed(org.id, other_org.id, hf.id, copd.id, other.id, hf_team.id, copd_team.id, other_team.id)


def _programme(
    env: Environment, org: Organisation, name: str, schedule: dict[str, str], sla: dict[str, int], team: Team
) -> Programme:
    return Programme(
        environment=env,
        organisation=org,
        name=name,
        condition=Condition.HF,
        platform_name="Luscii",
        measurement_schedule=schedule,
        alert_sla_minutes=sla,
        start=date(2024, 6, 1),
        teams=[team],
    )


@pytest.fixture
def manager(make_user: Callable[..., Any], login: Callable[..., FlaskClient], seed: Seed) -> FlaskClient:
    """A client logged in as a manager of the first organisation (English, so messages are the msgids)."""
    return login(make_user(Role.MANAGER, locale="en"))


@pytest.fixture
def make_key(runner: FlaskCliRunner) -> Callable[[int], tuple[str, str]]:
    """Create an API key with the real CLI and return (key id, secret)."""

    def make(organisation_id: int) -> tuple[str, str]:
        result = runner.invoke(args=["rpm", "create-api-key", str(organisation_id), "Luscii koppeling"])
        assert result.exit_code == 0, result.output
        key_id, secret = result.output.strip().splitlines()[-1].split(":", 1)
        return key_id, secret

    return make


@pytest.fixture
def api_headers(make_key: Callable[[int], tuple[str, str]], seed: Seed) -> dict[str, str]:
    """Basic-auth headers with a fresh key of the first organisation."""
    key_id, secret = make_key(seed.organisation_id)
    return {"Authorization": "Basic " + base64.b64encode(f"{key_id}:{secret}".encode()).decode()}


@pytest.fixture
def good(seed: Seed) -> dict[str, list[dict[str, Any]]]:
    """A valid batch of every kind (API field names), keyed by kind."""
    hf, copd = seed.hf, seed.copd
    return {
        "enrolments": [
            {"programme": hf, "patient_pid": "P-0001", "team": "Hartfalenpoli", "offered_at": "2025-02-20",
             "enrolled_at": "2025-03-01", "first_measurement_at": "2025-03-02"},
            {"programme": hf, "patient_pid": "P-0002", "team": seed.hf_team, "offered_at": "2025-02-21",
             "enrolled_at": "2025-03-03", "first_measurement_at": "2025-03-03", "disenrolled_at": "2025-06-30",
             "disenrol_reason": "technical"},
            {"programme": copd, "patient_pid": "P-0001", "offered_at": "2025-04-01"},  # offered, declined
        ],
        "daily": [
            {"programme": hf, "patient_pid": "P-0001", "day": "2025-03-02", "expected": True,
             "received": {"weight": 1, "bp": 0}, "manual": {"weight": 1}},
            {"programme": hf, "patient_pid": "P-0001", "day": "2025-03-03", "expected": True, "received": {}},
            {"programme": copd, "patient_pid": "P-0009", "day": "2025-03-02", "expected": False,
             "received": {"spo2": 2}},
        ],
        "alerts": [
            {"programme": hf, "external_id": "A-1", "patient_pid": "P-0001", "team": "hartfalenpoli",
             "severity": "red", "created_at": "2025-03-02T09:15", "first_action_at": "2025-03-02T09:40+01:00",
             "action_type": "contacted", "outcome": "contact"},
            {"programme": hf, "external_id": "A-2", "patient_pid": "P-0002", "severity": "orange",
             "created_at": "2025-07-01T09:15:00Z"},
        ],
        "staff-activity": [
            {"programme": hf, "staff_pid": "S-0042", "day": "2025-03-02",
             "actions": {"enrolments": 1, "reviews": 6, "alerts_handled": 0}},
        ],
        "eligible-counts": [
            {"programme": hf, "period": "2025-03", "count": 140, "source": "ehr"},
            {"programme": copd, "period": "2025-03", "count": 0, "source": "manual"},
        ],
    }  # fmt: skip
