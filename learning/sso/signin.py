"""Who a checked ID token logs in: the rules after the provider has spoken, callable without a browser.

- The organisation is found by the domain of the e-mail address typed on our page.
- The token's e-mail (`email`, or Entra ID's `preferred_username` when that is an address) must have a domain of
  that organisation: a provider may vouch only for its own people.
- An active account with that address in that organisation is logged in, with the role it has here (an
  administrator's change of role is never undone by the provider's claims).
- No account yet: one is made just in time, with the role and team the claims map to. An account with that
  address in another organisation, or one whose membership ended, is refused.
Every log-in and every refusal is written to the access log (who, which organisation, and why not).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from flask import has_request_context, request
from sqlalchemy import select

from learning.accounts.models import Role, User
from learning.accounts.services import normalise_email
from learning.audit.chain import Fields
from learning.audit.service import append
from learning.db import db, utcnow
from learning.sso.client import SsoRefused
from learning.sso.models import OidcProvider

# No argon2 hash: no password matches it until the person sets one through "Forgot your password?".
NO_PASSWORD = "!sso"  # noqa: S105 — a marker, not a password


def domain_of(email: str) -> str:
    return email.rpartition("@")[2].lower()


def enabled_providers() -> list[OidcProvider]:
    return list(db.session.scalars(select(OidcProvider).where(OidcProvider.enabled.is_(True))))


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def provider_for_email(email: str) -> OidcProvider | None:
    """The enabled provider whose organisation has this address's domain, or None.

    By the domain alone, never by looking the address up: the answer must not tell whether an account exists.
    (An address outside the organisation's domains could not log in through it anyway: account_for refuses it.)
    """
    email = normalise_email(email)
    if "@" not in email:
        return None
    return next((p for p in enabled_providers() if domain_of(email) in p.domain_list), None)


def email_of(claims: dict[str, Any]) -> str:
    """The address the provider vouches for; a provider that says it did not verify it is not believed."""
    if claims.get("email_verified") is False:
        raise SsoRefused("no-email", "email_verified is false")
    for name in ("email", "preferred_username", "upn"):
        value = claims.get(name)
        if isinstance(value, str) and "@" in value:
            return normalise_email(value)
    raise SsoRefused("no-email")


def _values(claims: dict[str, Any], name: str) -> list[str]:
    value = claims.get(name) if name else None
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def mapped_role(provider: OidcProvider, claims: dict[str, Any]) -> Role:
    """The highest role any claim value maps to (an author who is also a manager becomes manager), else the default."""
    mapping: dict[str, str] = json.loads(provider.role_map)
    found = [Role(mapping[v]) for v in _values(claims, provider.role_claim) if v in mapping]
    order = [Role.PROFESSIONAL, Role.REVIEWER, Role.AUTHOR, Role.MANAGER]
    return max(found, key=order.index) if found else Role(provider.default_role)


def mapped_team(provider: OidcProvider, claims: dict[str, Any]) -> int | None:
    mapping: dict[str, int] = json.loads(provider.team_map)
    return next((mapping[v] for v in _values(claims, provider.team_claim) if v in mapping), None)


def account_for(provider: OidcProvider, claims: dict[str, Any]) -> tuple[User, bool]:
    """The account these claims log in, made just in time when allowed; (account, made now).

    :raises SsoRefused: no-email, other-domain, other-organisation, account-ended.
    """
    email = email_of(claims)
    if domain_of(email) not in provider.domain_list:
        raise SsoRefused("other-domain", domain_of(email))
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None:
        if user.organisation_id != provider.organisation_id:
            raise SsoRefused("other-organisation", f"user:{user.id}")
        if not user.is_active:
            raise SsoRefused("account-ended", f"user:{user.id}")
        return user, False
    name = claims.get("name") if isinstance(claims.get("name"), str) else ""
    user = User(
        email=email,
        password_hash=NO_PASSWORD,
        display_name=str(name)[:100],
        role=mapped_role(provider, claims),
        organisation_id=provider.organisation_id,
        team_id=mapped_team(provider, claims),
        email_confirmed_at=utcnow(),  # the organisation's provider vouches for its own addresses
    )
    db.session.add(user)
    db.session.commit()
    return user, True


def audit(action: str, organisation_id: int | None, user: User | None, reason: str) -> None:
    """One access-log entry for an SSO log-in ("sso.login", "sso.account_made") or refusal ("sso.refused")."""
    actor, role = (f"user:{user.id}", user.role.value) if user is not None else ("anonymous", "anonymous")
    subject = f"organisation:{organisation_id}" if organisation_id is not None else "organisation:-"
    path = request.path if has_request_context() else "cli"
    append(Fields(utcnow(), actor, role, action, subject, reason or action, path))
