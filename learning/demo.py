"""The demo region: two care organisations, their teams, one account per role and invitation codes.

Only `flask demo seed` calls this; demo accounts never exist outside a demo database.
"""

from __future__ import annotations

from sqlalchemy import select

from learning.accounts.models import Invitation, Organisation, Role, Team
from learning.accounts.services import create_user
from learning.db import db

DEMO_PASSWORD = "demo-password"  # noqa: S105 — documented demo log-in, seeded only by `flask demo seed`
HOSPITAL = "Ziekenhuis Twente Oost (demo)"
HOME_CARE = "Thuiszorg Twente (demo)"


def seed_demo() -> bool:
    """Create the demo region unless it exists; return whether anything was created."""
    if db.session.scalar(select(Organisation).where(Organisation.name == HOSPITAL)) is not None:
        return False
    hospital = Organisation(name=HOSPITAL, kind="hospital")
    home_care = Organisation(name=HOME_CARE, kind="home_care")
    heart = Team(organisation=hospital, name="Hartfalenpoli", kind="outpatient_clinic")
    centre = Team(organisation=hospital, name="Medisch Servicecentrum", kind="monitoring_centre")
    district = Team(organisation=home_care, name="Wijkteam Hengelo", kind="district_team")
    db.session.add_all(
        [
            hospital,
            home_care,
            heart,
            centre,
            district,
            Team(organisation=home_care, name="Wijkteam Enschede", kind="district_team"),
        ]
    )
    db.session.flush()
    accounts = [
        ("patient@example.org", Role.PATIENT, hospital, None, "Demo patiënt"),
        ("caregiver@example.org", Role.CAREGIVER, hospital, None, "Demo mantelzorger"),
        ("nurse@example.org", Role.PROFESSIONAL, hospital, heart, "Demo verpleegkundige"),
        ("author@example.org", Role.AUTHOR, home_care, None, "Demo auteur"),
        ("reviewer@example.org", Role.REVIEWER, hospital, heart, "Demo reviewer"),
        ("manager@example.org", Role.MANAGER, hospital, heart, "Demo manager"),
        ("admin@example.org", Role.ADMIN, None, None, "Demo beheerder"),
    ]
    for email, role, organisation, team, name in accounts:
        create_user(email, DEMO_PASSWORD, role, organisation=organisation, team=team, display_name=name)
    db.session.add_all(
        [
            Invitation(code="DEMO-PATIENT", organisation=hospital, role=Role.PATIENT, max_uses=1000),
            Invitation(code="DEMO-CAREGIVER", organisation=hospital, role=Role.CAREGIVER, max_uses=1000),
            Invitation(code="DEMO-STAFF", organisation=home_care, team=district, role=Role.PROFESSIONAL, max_uses=1000),
        ]
    )
    db.session.commit()
    return True
