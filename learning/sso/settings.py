"""Setting an organisation's single sign-on: checked here once, for the admin page and `flask admin oidc` alike.

Only a regional administrator sets it: whoever chooses the provider chooses who may log in as the organisation's
staff, so a manager of the organisation may not (403 on the page). The client secret is kept encrypted and never
shown again; leaving it empty on a later save keeps the stored one.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select

from learning.accounts import mfa
from learning.accounts.models import Role, Team
from learning.admin import log
from learning.admin.organisations import get_organisation
from learning.admin.scope import Actor, AdminError, OutOfScope
from learning.db import db, utcnow
from learning.sso.models import OidcProvider

DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
CLAIM = re.compile(r"[A-Za-z0-9_.:/-]{1,100}")
# Roles a provider's claims may give an account made just in time. Never admin or privacy officer: those are
# regional duties a regional administrator gives by hand, not something an organisation's directory decides.
JIT_ROLES = (Role.PROFESSIONAL, Role.AUTHOR, Role.REVIEWER, Role.MANAGER)


@dataclass(frozen=True)
class SsoData:
    """The form as typed: mappings as lines "claim value = role" and "claim value = team name"."""

    issuer: str
    client_id: str
    client_secret: str
    domains: str
    role_claim: str = "roles"
    role_lines: str = ""
    team_claim: str = ""
    team_lines: str = ""
    default_role: str = Role.PROFESSIONAL.value
    enabled: bool = True
    trust_email: bool = False  # the provider checks its addresses: one may bind an existing account (signin.py)


def provider_of(organisation_id: int) -> OidcProvider | None:
    return db.session.scalar(select(OidcProvider).where(OidcProvider.organisation_id == organisation_id))


def _require_regional(actor: Actor, organisation_id: int) -> None:
    get_organisation(actor, organisation_id)  # another organisation's: 404 for a manager, as everywhere
    if not actor.regional:
        raise PermissionError("only a regional administrator sets single sign-on")


def issuer_ok(issuer: str) -> bool:
    """https, or http only to this machine (a provider a test or a demo runs on a loopback port)."""
    parts = urlsplit(issuer)
    if not parts.hostname or parts.query or parts.fragment:
        return False
    if parts.scheme == "https":
        return True
    if parts.scheme != "http":
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def _pairs(lines: str, reason: str) -> list[tuple[str, str]]:
    pairs = []
    for line in lines.splitlines():
        if not line.strip():
            continue
        value, sep, target = line.partition("=")
        if not sep or not value.strip() or not target.strip():
            raise AdminError(reason, line=line.strip())
        pairs.append((value.strip(), target.strip()))
    return pairs


def _check(organisation_id: int, data: SsoData, has_secret: bool) -> dict[str, object]:
    issuer = data.issuer.strip().rstrip("/")
    if not issuer_ok(issuer):
        raise AdminError("sso-issuer-invalid")
    client_id = data.client_id.strip()
    if not client_id or len(client_id) > 200:
        raise AdminError("sso-client-id-required")
    if not data.client_secret.strip() and not has_secret:
        raise AdminError("sso-secret-required")
    domains = sorted({d.strip().lower().lstrip("@") for d in re.split(r"[\s,;]+", data.domains) if d.strip()})
    if not domains or not all(DOMAIN.fullmatch(d) for d in domains):
        raise AdminError("sso-domains-invalid")
    for claim in (data.role_claim.strip(), data.team_claim.strip()):
        if claim and not CLAIM.fullmatch(claim):
            raise AdminError("sso-claim-invalid")
    allowed = {role.value for role in JIT_ROLES}
    roles = dict(_pairs(data.role_lines, "sso-role-line"))
    if data.default_role not in allowed or not set(roles.values()) <= allowed:
        raise AdminError("sso-role-not-allowed", roles=", ".join(sorted(allowed)))
    team_ids = {
        t.name.lower(): t.id for t in db.session.scalars(select(Team).where(Team.organisation_id == organisation_id))
    }
    teams = {}
    for value, name in _pairs(data.team_lines, "sso-team-line"):
        if name.lower() not in team_ids:
            raise AdminError("sso-team-unknown", team=name)
        teams[value] = team_ids[name.lower()]
    return {"issuer": issuer, "client_id": client_id, "domains": " ".join(domains),
            "role_claim": data.role_claim.strip(), "role_map": json.dumps(roles, sort_keys=True),
            "team_claim": data.team_claim.strip(), "team_map": json.dumps(teams, sort_keys=True),
            "default_role": data.default_role, "enabled": data.enabled, "trust_email": data.trust_email}  # fmt: skip


def save(actor: Actor, organisation_id: int, data: SsoData, secret_keys: list[str]) -> OidcProvider:
    """Store the organisation's provider (new or changed); audit-logged after the commit.

    :raises PermissionError: for a manager; OutOfScope for another organisation's; AdminError for a bad field.
    """
    _require_regional(actor, organisation_id)
    provider = provider_of(organisation_id)
    values = _check(organisation_id, data, provider is not None)
    if provider is None:
        provider = OidcProvider(organisation_id=organisation_id)
        db.session.add(provider)
    for name, value in values.items():
        setattr(provider, name, value)
    if data.client_secret.strip():
        provider.client_secret = mfa.encrypt(data.client_secret.strip(), secret_keys)
    provider.updated_at = utcnow()
    db.session.commit()
    log.record(actor, "admin.organisation.sso", f"organisation:{organisation_id}")
    return provider


def remove(actor: Actor, organisation_id: int) -> None:
    """Forget the organisation's provider: its staff log in with a password (and code) again."""
    _require_regional(actor, organisation_id)
    provider = provider_of(organisation_id)
    if provider is None:
        raise OutOfScope
    db.session.delete(provider)
    db.session.commit()
    log.record(actor, "admin.organisation.sso_remove", f"organisation:{organisation_id}")


def as_form(provider: OidcProvider | None) -> dict[str, str]:
    """The stored settings as the form shows them: never the secret."""
    if provider is None:
        return {"role_claim": "roles", "default_role": Role.PROFESSIONAL.value, "enabled": "1"}
    teams = {t.id: t.name for t in provider.organisation.teams}
    return {
        "issuer": provider.issuer, "client_id": provider.client_id, "domains": " ".join(provider.domain_list),
        "role_claim": provider.role_claim, "team_claim": provider.team_claim, "default_role": provider.default_role,
        "role_lines": "\n".join(f"{k} = {v}" for k, v in json.loads(provider.role_map).items()),
        "team_lines": "\n".join(f"{k} = {teams.get(v, v)}" for k, v in json.loads(provider.team_map).items()),
        "enabled": "1" if provider.enabled else "",
        "trust_email": "1" if provider.trust_email else "",
    }  # fmt: skip
