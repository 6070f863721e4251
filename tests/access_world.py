"""The small region the access matrix is proven on: organisations X and Y, each with a team, an environment and a
programme (X takes no part in Y's environment), a partner P with a programme in X's environment, users of every
role in X, finished attempts, stored dashboard figures, LRS credentials of every scope and an RPM API key per
organisation. Rows are written through the models and services (no mocks); the world is returned as plain data,
as ORM objects must not outlive their app context.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from dashboard_helpers import OCTOBER, SEPTEMBER, store
from flask import Flask
from helpers import FIXTURE_APPROVER, PASSWORD
from sqlalchemy import Engine, select

from learning.accounts.models import Invitation, Organisation, Role, Team
from learning.accounts.services import create_user
from learning.content.models import Module
from learning.content.services import load_content
from learning.db import Base, db
from learning.environments.models import Condition, Environment, Phase, Programme, StaffRole
from learning.player.models import Attempt
from learning.rpm.keys import create_api_key
from lrs.store.tables import metadata as lrs_metadata

MODULE_OF = {"patient": "elke-dag-wegen-hartfalen", "caregiver": "naaste-helpen-thuismeten"}
PROFESSIONAL_MODULE = "rpm-meting-tot-melding"
INVITATION = "MATRIX-WELKOM"
SCOPES = ("statements/read/mine", "statements/read", "statements/write", "state", "profile", "all/read", "all",
          "statements/read of X")  # fmt: skip
"""The xAPI table's credential columns: a regional credential with only that scope, and (`… of X`) one an
administrator confined to organisation X."""
ORGANISATION_X, ORGANISATION_Y = "Ziekenhuis X", "Zorggroep Y"


@dataclass(frozen=True)
class Account:
    id: int
    email: str


@dataclass(frozen=True)
class World:
    org_x: int
    org_y: int
    environment_x: int
    environment_y: int
    programme_x: int
    programme_y: int
    programme_partner: int  # organisation P's, in X's environment: X's managers read its assessments, add none
    users: dict[str, Account]  # role -> a user of organisation X
    manager_y: Account
    own_attempts: dict[str, int]  # role -> that user's finished attempt of own_module(role)
    bystander_attempts: dict[str, int]  # module slug -> another learner's finished attempt of it
    lrs_keys: dict[str, tuple[str, str]]  # scope -> (key, secret) of a credential with only that scope
    rpm_keys: dict[str, tuple[str, str]]  # "X" / "Y" -> (key id, secret)


def own_module(role: str) -> str:
    """A module written for the role's audience (roles without an audience see every module)."""
    return MODULE_OF.get(role, PROFESSIONAL_MODULE)


def other_module(role: str) -> str:
    """A module written for another audience than the role's."""
    return PROFESSIONAL_MODULE if role in MODULE_OF else MODULE_OF["patient"]


def basic(key: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


def _organisation(name: str, team: str) -> tuple[Organisation, Team]:
    org = Organisation(name=name, kind="hospital")
    unit = Team(organisation=org, name=team, kind="outpatient_clinic")
    db.session.add_all([org, unit])
    return org, unit


def _programme(name: str, org: Organisation, team: Team, environment: Environment | None = None) -> Programme:
    environment = environment or Environment(name=f"Omgeving {name}", condition=Condition.HF,
                                             phase=Phase.OPERATIONALISATION, start=date(2024, 1, 1))  # fmt: skip
    programme = Programme(environment=environment, organisation=org, name=name, condition=Condition.HF,
                          platform_name="Luscii", measurement_schedule={"weight": "daily"},
                          alert_sla_minutes={"red": 60, "orange": 480}, start=date(2024, 6, 1),
                          teams=[team])  # fmt: skip
    db.session.add(programme)
    return programme


def _user(role: str, org: Organisation, team: Team, label: str) -> Account:
    user = create_user(f"{label}@matrix.test", PASSWORD, Role(role), organisation=org,
                       team=team if role == "professional" else None)  # fmt: skip
    db.session.flush()
    return Account(user.id, user.email)


def _finished_attempt(user_id: int, slug: str) -> int:
    module = db.session.scalars(select(Module).where(Module.slug == slug)).one()
    done = datetime(2026, 10, 5, 10, tzinfo=UTC)
    attempt = Attempt(user_id=user_id, module=module, version=module.current_version, finished_at=done,
                      score_scaled=1.0, passed=True)  # fmt: skip
    db.session.add(attempt)
    db.session.flush()
    return attempt.id


def _figures(environments: tuple[int, ...], teams: tuple[int, ...]) -> None:
    """Stored dashboard cells for both environments and the region, so every export has something to show."""
    for month in (SEPTEMBER, OCTOBER):
        for environment, team in zip(environments, teams, strict=True):
            store("TRN_COVERAGE", "team", team, month, 8, 10, 0.8)
            store("PT_ADHERENCE", "team", team, month, 410, 500, 0.82)
            store("PT_ADHERENCE", "environment", environment, month, 733, 900, 733 / 900)
        store("TRN_COVERAGE", "region", 0, month, 44, 60, 44 / 60)


def build_world(app: Flask, roles: list[str], lrs_credential: Any) -> World:
    """Write the region with a user of each role in X; `lrs_credential(scope)` makes an LRS credential (with the
    real CLI) and returns its key and secret."""
    with app.app_context():
        load_content(Path(app.config["CONTENT_DIR"]), FIXTURE_APPROVER)
        org_x, team_x = _organisation(ORGANISATION_X, "Hartfalenpoli")
        org_y, team_y = _organisation(ORGANISATION_Y, "Wijkteam Y")
        org_p, team_p = _organisation("Thuiszorg P", "Wijkteam P")
        programme_x, programme_y = _programme("Hartfalen X", org_x, team_x), _programme("Hartfalen Y", org_y, team_y)
        programme_p = _programme("Hartfalen P", org_p, team_p, programme_x.environment)
        db.session.add_all([
            StaffRole(code="hf_nurse", label_nl="Hartfalenverpleegkundige", label_en="Heart failure nurse"),
            Invitation(code=INVITATION, organisation=org_x, role=Role.PATIENT, max_uses=100_000),
        ])  # fmt: skip
        db.session.flush()
        users = {role: _user(role, org_x, team_x, role) for role in roles}
        manager_y = _user("manager", org_y, team_y, "manager-y")
        own = {role: _finished_attempt(users[role].id, own_module(role)) for role in roles}
        bystanders = {}
        for slug, role in ((MODULE_OF["patient"], "patient"), (MODULE_OF["caregiver"], "caregiver"),
                           (PROFESSIONAL_MODULE, "professional")):  # fmt: skip
            bystander = _user(role, org_x, team_x, f"bystander-{role}")
            bystanders[slug] = _finished_attempt(bystander.id, slug)
        _figures((programme_x.environment_id, programme_y.environment_id), (team_x.id, team_y.id))
        db.session.commit()
        world = World(
            org_x=org_x.id, org_y=org_y.id, environment_x=programme_x.environment_id,
            environment_y=programme_y.environment_id, programme_x=programme_x.id, programme_y=programme_y.id,
            programme_partner=programme_p.id,
            users=users, manager_y=manager_y, own_attempts=own, bystander_attempts=bystanders,
            lrs_keys={}, rpm_keys={"X": create_api_key(org_x.id, "platform X"), "Y": create_api_key(org_y.id, "Y")},
        )  # fmt: skip
    world.lrs_keys.update({scope: lrs_credential(scope) for scope in SCOPES})
    return world


BOOKKEEPING = {"lrs_credential": ("last_version", "last_used_at")}
"""Columns that authenticating writes whatever the request then may do (the xAPI version a client speaks)."""


def fingerprint(lms_engine: Engine, lrs_engine: Engine) -> dict[str, str]:
    """A digest per LMS and LRS table (of every row): equal digests before and after a refused request prove it
    changed nothing stored; unequal ones name the table that changed."""
    digests = {}
    for engine, tables in ((lms_engine, Base.metadata.sorted_tables), (lrs_engine, lrs_metadata.sorted_tables)):
        with engine.connect() as conn:
            for table in tables:
                columns = [c for c in table.columns if c.name not in BOOKKEEPING.get(table.name, ())]
                rows = sorted(repr(tuple(row)) for row in conn.execute(select(*columns)))
                digests[table.name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digests


def awaiting_uploads(upload_dir: Path) -> dict[str, str]:
    """The RPM uploads awaiting confirmation, as one more "table" of the snapshot."""
    files = sorted(p.name for p in upload_dir.glob("*")) if upload_dir.exists() else []
    return {"(uploads awaiting confirmation)": repr(files)}
