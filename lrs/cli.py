"""`flask lrs …`: manage the LRS from the command line."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from lrs.http.auth import credential_pepper
from lrs.store.credentials import create_credential, list_credentials, revoke_credential, rotate_credential
from lrs.store.engine import upgrade_database
from lrs.xapi.scopes import DEFAULT_SCOPES, Scope, UnknownScope, parse_scopes

cli = AppGroup("lrs", help="Manage the built-in xAPI LRS.")


def _scopes_option(_ctx: click.Context, _param: click.Parameter, names: tuple[str, ...]) -> tuple[Scope, ...]:
    """Validate --scope values with the same rules as the admin page; none given means 'all'."""
    try:
        return parse_scopes(names) or DEFAULT_SCOPES
    except UnknownScope as error:
        raise click.BadParameter(str(error)) from None


@cli.command("create-credential")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    callback=_scopes_option,
    metavar="SCOPE",
    help=f"What the client may do; repeat for more. One of: {', '.join(Scope)}. Default: all.",
)
@click.option("--organisation", help="Confine its reading to this organisation's learners (name or homePage).")
@click.option("--regional", is_flag=True, help="Let it read the statements of every organisation of the region.")
def create_credential_command(name: str, scopes: tuple[Scope, ...], organisation: str | None, regional: bool) -> None:
    """Create a key and secret for an xAPI client; the last line printed is KEY:SECRET.

    Either --organisation or --regional is required: how far a client reads is always a deliberate choice.
    """
    tenant = _tenant_option(organisation, regional)
    with current_app.extensions["lrs"].engine.begin() as conn:
        key, secret = create_credential(conn, credential_pepper(), name, scopes, tenant=tenant)
    reach = "every organisation (regional)" if tenant is None else f"organisation {organisation!r} ({tenant})"
    click.echo(f"Created credential {name!r} with scopes {' '.join(scopes)}, reading {reach}.")
    click.echo("The secret is shown only now; store it safely.")
    click.echo(f"{key}:{secret}")


def _tenant_option(organisation: str | None, regional: bool) -> str | None:
    """Return the tenant homePage named by --organisation, or None for --regional; exactly one must be given."""
    if regional == (organisation is not None):
        raise click.UsageError("give either --organisation NAME (reads that organisation only) or --regional")
    if organisation is None:
        return None
    tenants = current_app.extensions["lrs"].tenants()
    found = [t for t in tenants if organisation in {t.label, t.home_page}]
    if not found:
        known = ", ".join(t.label for t in tenants) or "none"
        raise click.BadParameter(f"no organisation {organisation!r}; known: {known}", param_hint="--organisation")
    home_page: str = found[0].home_page
    return home_page


@cli.command("rotate-credential")
@click.argument("key")
def rotate_credential_command(key: str) -> None:
    """Give a credential a new secret (the old one stops working now); the last line printed is KEY:SECRET."""
    with current_app.extensions["lrs"].engine.begin() as conn:
        secret = rotate_credential(conn, credential_pepper(), key)
    if secret is None:
        raise click.ClickException(f"no active credential with key {key}")
    click.echo(f"Rotated {key}: the old secret no longer works. The new one is shown only now; store it safely.")
    click.echo(f"{key}:{secret}")


@cli.command("revoke-credential")
@click.argument("key")
def revoke_credential_command(key: str) -> None:
    """Revoke a credential by its key."""
    with current_app.extensions["lrs"].engine.begin() as conn:
        if not revoke_credential(conn, key):
            raise click.ClickException(f"no active credential with key {key}")
    click.echo(f"Revoked {key}.")


@cli.command("list-credentials")
def list_credentials_command() -> None:
    """List credentials with their scopes and the organisation they read (never their secrets)."""
    labels = {t.home_page: t.label for t in current_app.extensions["lrs"].tenants()}
    with current_app.extensions["lrs"].engine.connect() as conn:
        for cred in list_credentials(conn):
            state = "revoked" if cred.revoked_at else "active"
            scopes = ",".join(cred.scopes)
            reach = "regional" if cred.tenant is None else labels.get(cred.tenant, cred.tenant)
            click.echo(f"{cred.key}  {state:8}  {cred.created_at:%Y-%m-%d}  {scopes:24}  {reach:24}  {cred.name}")


@cli.command("upgrade")
def upgrade_command() -> None:
    """Migrate the LRS tables to the newest schema."""
    upgrade_database(current_app.config["LRS_DATABASE_URI"])
    click.echo("LRS schema is up to date.")
