"""Assessment fixtures: three organisations and their programmes made as rows, a care role, and log-ins.

"Test Ziekenhuis" (the organisation_id fixture) runs the programme under test; "Partner Zorggroep" runs another
programme in the same environment (so its managers may read); "Vreemde Thuiszorg" works only in another environment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import PASSWORD

from learning.accounts.models import Organisation, Role
from learning.accounts.services import create_user
from learning.db import db
from learning.environments.models import Condition, Environment, Phase, Programme, StaffRole

PROGRAMME_START = date(2024, 6, 1)


@dataclass(frozen=True)
class Account:
    """A test account as plain data (the `login` fixture needs only the e-mail address)."""

    id: int
    email: str


@dataclass(frozen=True)
class Seed:
    organisation: int
    partner: int
    stranger: int
    programme: int  # the organisation's, in "Hartfalen Twente", started PROGRAMME_START
    partner_programme: int  # the partner's, in the same environment
    stranger_programme: int  # the stranger's, in "COPD Twente"


def _programme(environment: Environment, organisation_id: int, name: str) -> Programme:
    return Programme(
        environment=environment,
        organisation_id=organisation_id,
        name=name,
        condition=environment.condition,
        platform_name="Luscii",
        start=PROGRAMME_START,
    )


@pytest.fixture
def seed(app: Flask, organisation_id: int) -> Seed:
    with app.app_context():
        partner = Organisation(name="Partner Zorggroep", kind="care_group")
        stranger = Organisation(name="Vreemde Thuiszorg", kind="home_care")
        db.session.add_all([partner, stranger])
        db.session.flush()
        hf = Environment(name="Hartfalen Twente", condition=Condition.HF, phase=Phase.DESIGN, start=date(2024, 1, 1))
        copd = Environment(name="COPD Twente", condition=Condition.COPD, phase=Phase.DESIGN, start=date(2024, 1, 1))
        programmes = [
            _programme(hf, organisation_id, "Hartfalen thuis"),
            _programme(hf, partner.id, "Hartfalen wijk"),
            _programme(copd, stranger.id, "COPD op afstand"),
        ]
        roles = [StaffRole(code=c, label_nl=nl, label_en=en) for c, nl, en in (
            ("hf_nurse", "Hartfalenverpleegkundige", "Heart failure nurse"),
            ("patient", "Patiënt (programma-educatie)", "Patient (programme education)"),
        )]  # fmt: skip
        db.session.add_all([*programmes, *roles])
        db.session.commit()
        return Seed(organisation_id, partner.id, stranger.id, *(p.id for p in programmes))


@pytest.fixture
def make_account(app: Flask, seed: Seed) -> Callable[..., Account]:
    """Create an account of a role in an organisation (default: the programme's), in English."""
    counter = iter(range(1, 1000))

    def make(role: Role, organisation_id: int | None = seed.organisation, locale: str = "en") -> Account:
        with app.app_context():
            email = f"{role.value}-{next(counter)}@example.test"
            user = create_user(email, PASSWORD, role, organisation_id=organisation_id, locale=locale)
            db.session.commit()
            return Account(user.id, user.email)

    return make


@pytest.fixture
def manager(make_account: Callable[..., Account], login: Callable[..., FlaskClient]) -> FlaskClient:
    """A client logged in as a manager of the organisation that runs the programme."""
    return login(make_account(Role.MANAGER))
