"""The eight demo log-ins and three invitation codes the README promises, created once and never changed.

The demo codes are printed in the README, so anyone can read them: each works DEMO_CODE_USES times and for
DEMO_CODE_DAYS days from seeding, never without limit (migration 0012 bounds codes of older demo databases).
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from learning.accounts import mfa
from learning.accounts.models import Invitation, Role, User
from learning.accounts.services import create_user
from learning.db import db, utcnow
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
# The demo staff log-ins (author, reviewer, manager, admin, privacy officer) have their second factor set up at
# seed with this published secret, so `make run` demos work at once: add it to any authenticator app, or print the
# current code with `flask demo code`. Published, so it is only ever given to accounts of a demo database (only
# `flask demo seed` uses it). To show the set-up itself, reset one of them (admin page or `flask admin mfa-reset`).
DEMO_TOTP_SECRET = "VTCDEMOTOTPSECRETVTCDEMOTOTPSECR"  # noqa: S105 — documented demo secret
DEMO_CODE_USES = 25
DEMO_CODE_DAYS = 90
# code, role, organisation key, team key
INVITATIONS = (
    ("DEMO-PATIENT", Role.PATIENT, "zto", None),
    ("DEMO-CAREGIVER", Role.CAREGIVER, "zto", None),
    ("DEMO-STAFF", Role.PROFESSIONAL, "tzt", "tzt-hgl"),
)


def ensure_demo_accounts(region: Region) -> dict[str, int]:
    """Create the demo log-ins and invitation codes that are missing; return the user id of each log-in."""
    ids = {}
    mfa_keys = [str(current_app.secret_key or ""), *(current_app.config.get("SECRET_KEY_FALLBACKS") or [])]
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
                # example.org is reserved (RFC 2606): no mail reaches it, so nobody could ever confirm it; counted
                # as confirmed so the demo shows log-in links, without a bar nobody can act on (docs/signing-in.md)
                email_confirmed_at=utcnow(),
            )
            if mfa.requires_mfa(user):
                mfa.set_secret(user, DEMO_TOTP_SECRET, mfa_keys)
            db.session.flush()
        ids[email] = user.id
    _ensure_invitations(region)
    return ids


def _ensure_invitations(region: Region) -> None:
    """Create the missing demo codes, and bound every demo code (also one seeded before codes had limits)."""
    present = {inv.code: inv for inv in db.session.scalars(select(Invitation))}
    expires = utcnow() + timedelta(days=DEMO_CODE_DAYS)
    for code, role, org, team in INVITATIONS:
        invitation = present.get(code)
        if invitation is None:
            db.session.add(
                Invitation(
                    code=code,
                    organisation_id=region.organisations[org],
                    team_id=region.teams[team].id if team else None,
                    role=role,
                    max_uses=DEMO_CODE_USES,
                    expires_at=expires,
                    label="demo",
                )
            )
        else:
            invitation.max_uses = min(invitation.max_uses, invitation.uses + DEMO_CODE_USES)
            invitation.expires_at = expires
