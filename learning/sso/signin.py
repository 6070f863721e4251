"""Who a checked ID token logs in: the rules after the provider has spoken, callable without a browser.

- The organisation is found by the domain of the e-mail address typed on our page.
- An account is found by the token's (issuer, subject), the only stable name of a person at a provider (OpenID
  Connect Core 5.7). What the token says about the e-mail address then changes nothing: an address can be given
  to a successor, and some providers let people edit it ("nOAuth").
- No binding yet: the token's e-mail (`email`, or Entra ID's `preferred_username` when that is an address) must
  have a domain of that organisation. An active account with that address in that organisation is bound and
  logged in only when the provider vouches for the address (verified_email); and never when that account is
  already bound to another subject of this provider (someone else with the same address).
- No account at all: one is made just in time, with the role and team the claims map to, and bound at once. An
  account with that address in another organisation, or one whose membership ended, is refused.
Every log-in and every refusal is written to the access log (who, which organisation, and why not).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from flask import has_request_context, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from learning.accounts.models import Role, User
from learning.accounts.services import normalise_email
from learning.audit.chain import Fields
from learning.audit.service import append
from learning.db import db, utcnow
from learning.sso import identities
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


def verified_email(provider: OidcProvider, claims: dict[str, Any]) -> bool:
    """Whether the provider vouches that the person owns the token's address, so it may bind an existing account.

    `email_verified` true (OpenID Connect Core 5.1; some providers send the string "true"); Entra ID's optional
    claim `xms_edov` (the address's domain is verified by the tenant); or, for a provider that sends neither (Entra
    without that claim), the organisation's setting that its provider's addresses are trusted.
    """
    said = claims.get("email_verified")
    if said is True or said == "true" or claims.get("xms_edov") in (True, "true", 1, "1"):
        return True
    return provider.trust_email and said is None


def _commit_binding() -> None:
    """Commit a new binding; two log-ins of one person at the same moment (a double click on the provider's page)
    both try to make it, and the unique keys let one win: the other is asked to start again, and then is found."""
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise SsoRefused("state-invalid", "a log-in at the same moment bound this work account") from exc


def _only(only: int | None, found: int | None) -> None:
    if only is not None and found != only:
        raise SsoRefused("other-account", f"user:{only} came back as user:{found if found is not None else 'new'}")


def account_for(provider: OidcProvider, claims: dict[str, Any], only: int | None = None) -> tuple[User, str]:
    """The account these claims log in, bound or made just in time when allowed, with the access log's action:
    "sso.login" (found by its binding), "sso.linked" (bound now, by a vouched-for address) or "sso.account_made".

    only: the id of the logged-in account confirming it is them; any other account (found, bound or to be made)
        is refused before anything is written.
    :raises SsoRefused: no-email, other-domain, other-organisation, account-ended, email-unverified (an existing
        account the provider does not vouch for), identity-mismatch (that account is bound to another subject),
        other-account (not the account `only` names).
    """
    subject = str(claims["sub"])
    bound = identities.find(provider.issuer, subject)
    if bound is not None:
        user = bound.user
        _only(only, user.id)
        if user.organisation_id != provider.organisation_id:
            raise SsoRefused("other-organisation", f"user:{user.id}")
        if not user.is_active:
            raise SsoRefused("account-ended", f"user:{user.id}")
        identities.used(bound)
        return user, "sso.login"
    email = email_of(claims)
    if domain_of(email) not in provider.domain_list:
        raise SsoRefused("other-domain", domain_of(email))
    existing = db.session.scalar(select(User).where(User.email == email))
    _only(only, existing.id if existing is not None else None)
    if existing is not None:
        user = existing
        if user.organisation_id != provider.organisation_id:
            raise SsoRefused("other-organisation", f"user:{user.id}")
        if not user.is_active:
            raise SsoRefused("account-ended", f"user:{user.id}")
        if identities.of_user_at(user.id, provider.issuer) is not None:
            raise SsoRefused("identity-mismatch", f"user:{user.id} sub:{subject}")
        if not verified_email(provider, claims):
            raise SsoRefused("email-unverified", f"user:{user.id}")
        identities.bind(user, provider.issuer, subject)
        _commit_binding()
        return user, "sso.linked"
    name = claims.get("name") if isinstance(claims.get("name"), str) else ""
    user = User(
        email=email,
        password_hash=NO_PASSWORD,
        display_name=str(name)[:100],
        role=mapped_role(provider, claims),
        organisation_id=provider.organisation_id,
        team_id=mapped_team(provider, claims),
        # the organisation's provider vouches for its own addresses only when it says so; else the banner asks
        email_confirmed_at=utcnow() if verified_email(provider, claims) else None,
    )
    db.session.add(user)
    identities.bind(user, provider.issuer, subject)
    _commit_binding()
    return user, "sso.account_made"


def audit(action: str, organisation_id: int | None, user: User | None, reason: str) -> None:
    """One access-log entry for an SSO log-in ("sso.login", "sso.linked", "sso.account_made") or refusal
    ("sso.refused")."""
    actor, role = (f"user:{user.id}", user.role.value) if user is not None else ("anonymous", "anonymous")
    subject = f"organisation:{organisation_id}" if organisation_id is not None else "organisation:-"
    path = request.path if has_request_context() else "cli"
    append(Fields(utcnow(), actor, role, action, subject, (reason or action)[:100], path))
