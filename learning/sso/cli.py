"""`flask admin oidc ...`: set, show and remove an organisation's single sign-on from the operator's shell.

The same checks and access-log entries as the admin page (settings.py). The client secret is read from a prompt
or from the environment variable named by --secret-env, never from the command line (it would stay in the
shell's history and in the process list).
"""

from __future__ import annotations

import os

import click
from flask.cli import AppGroup
from sqlalchemy import select

from learning.accounts import login_flow
from learning.accounts.models import User
from learning.accounts.services import normalise_email
from learning.admin import log
from learning.admin.cli import _fail, _organisation
from learning.admin.scope import Actor, AdminError, OutOfScope
from learning.db import db
from learning.sso import identities, settings

oidc = AppGroup("oidc", help="Single sign-on (OpenID Connect) of an organisation.")


@oidc.command("set")
@click.argument("organisation")
@click.option(
    "--issuer", required=True, help="The provider's issuer, e.g. https://login.microsoftonline.com/<tenant>/v2.0"
)
@click.option("--client-id", required=True)
@click.option("--secret-env", default="", help="Read the client secret from this environment variable.")
@click.option("--domain", "domains", multiple=True, required=True, help="An e-mail domain of the organisation.")
@click.option("--role-claim", default="roles", show_default=True)
@click.option("--role", "roles", multiple=True, help="VALUE=ROLE: a claim value and the role it gives.")
@click.option("--team-claim", default="")
@click.option("--team", "teams", multiple=True, help="VALUE=TEAM NAME: a claim value and the team it gives.")
@click.option("--default-role", default="professional", show_default=True)
@click.option("--disabled", is_flag=True, help="Store the settings but do not offer the log-in yet.")
@click.option(
    "--trust-email",
    is_flag=True,
    help="The provider checks its e-mail addresses: one may link an existing account the first time.",
)
def set_sso(organisation: str, issuer: str, client_id: str, secret_env: str, domains: tuple[str, ...],
            role_claim: str, roles: tuple[str, ...], team_claim: str, teams: tuple[str, ...], default_role: str,
            disabled: bool, trust_email: bool) -> None:  # fmt: skip
    """Set ORGANISATION's provider; asks the client secret (empty keeps the stored one)."""
    org = _organisation(organisation)
    if secret_env:
        secret = os.environ.get(secret_env, "")
    else:
        secret = click.prompt("Client secret (empty keeps the stored one)", default="", hide_input=True,
                              show_default=False)  # fmt: skip
    data = settings.SsoData(issuer, client_id, secret, " ".join(domains), role_claim, "\n".join(roles), team_claim,
                            "\n".join(teams), default_role, not disabled, trust_email)  # fmt: skip
    try:
        settings.save(Actor.shell(), org.id, data, login_flow.secret_keys())
    except AdminError as error:
        raise _fail(error) from None
    click.echo(f"Single sign-on of {org.name} saved ({'disabled' if disabled else 'enabled'}).")


@oidc.command("show")
@click.argument("organisation")
def show_sso(organisation: str) -> None:
    """Show ORGANISATION's provider settings (never the secret)."""
    org = _organisation(organisation)
    provider = settings.provider_of(org.id)
    if provider is None:
        raise click.ClickException(f"{org.name} has no single sign-on")
    for name, value in settings.as_form(provider).items():
        click.echo(f"{name}: {value}".replace("\n", "; "))
    click.echo("client_secret: (stored encrypted)")


@oidc.command("remove")
@click.argument("organisation")
def remove_sso(organisation: str) -> None:
    """Remove ORGANISATION's single sign-on; its staff log in with their password again."""
    org = _organisation(organisation)
    try:
        settings.remove(Actor.shell(), org.id)
    except OutOfScope:
        raise click.ClickException(f"{org.name} has no single sign-on") from None
    click.echo(f"Single sign-on of {org.name} removed.")


@oidc.command("unlink")
@click.argument("email")
def unlink(email: str) -> None:
    """Unlink EMAIL's account from its work account at the provider (that work account was replaced).

    Its next log-in through the organisation links it again, by a verified address.
    """
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise click.ClickException(f"no account {email}")
    count = identities.unbind(user)
    log.record(Actor.shell(), "admin.person.sso_unlink", f"user:{user.id}")
    click.echo(f"{count} link(s) of {user.email} removed.")
