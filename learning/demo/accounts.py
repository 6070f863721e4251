"""The eight demo log-ins and three invitation codes the README promises, created once and never changed."""

from __future__ import annotations

from sqlalchemy import select

from learning.accounts.models import Invitation, Role, User
from learning.accounts.services import create_user
from learning.db import db
from learning.demo.structure import Region

DEMO_PASSWORD = "demo-password"  # noqa: S105 — documented demo log-in, seeded only by `flask demo seed`
# e-mail, role, organisation key, team key, display name
DEMO_ACCOUNTS = (
    ("patient@example.org", Role.PATIENT, "zto", None, "Demo patiënt"),
    ("caregiver@example.org", Role.CAREGIVER, "zto", None, "Demo mantelzorger"),
    ("nurse@example.org", Role.PROFESSIONAL, "zto", "zto-hf", "Demo verpleegkundige"),
    ("author@example.org", Role.AUTHOR, "tzt", None, "Demo auteur"),
    ("reviewer@example.org", Role.REVIEWER, "zto", "zto-hf", "Demo reviewer"),
    ("manager@example.org", Role.MANAGER, "zto", "zto-hf", "Demo manager"),
    ("admin@example.org", Role.ADMIN, None, None, "Demo beheerder"),
    ("privacy@example.org", Role.PRIVACY_OFFICER, "zto", None, "Demo privacy officer"),
)
# code, role, organisation key, team key
INVITATIONS = (
    ("DEMO-PATIENT", Role.PATIENT, "zto", None),
    ("DEMO-CAREGIVER", Role.CAREGIVER, "zto", None),
    ("DEMO-STAFF", Role.PROFESSIONAL, "tzt", "tzt-hgl"),
)


def ensure_demo_accounts(region: Region) -> dict[str, int]:
    """Create the demo log-ins and invitation codes that are missing; return the user id of each log-in."""
    ids = {}
    for email, role, org, team, name in DEMO_ACCOUNTS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = create_user(
                email,
                DEMO_PASSWORD,
                role,
                organisation_id=region.organisations[org] if org else None,
                team_id=region.teams[team].id if team else None,
                display_name=name,
            )
            db.session.flush()
        ids[email] = user.id
    _ensure_invitations(region)
    return ids


def _ensure_invitations(region: Region) -> None:
    present = set(db.session.scalars(select(Invitation.code)))
    db.session.add_all(
        Invitation(
            code=code,
            organisation_id=region.organisations[org],
            team_id=region.teams[team].id if team else None,
            role=role,
            max_uses=1000,
        )
        for code, role, org, team in INVITATIONS
        if code not in present
    )
