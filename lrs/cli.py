"""`flask lrs …`: manage the LRS from the command line."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from lrs.http.auth import credential_pepper
from lrs.store.credentials import create_credential, list_credentials, revoke_credential
from lrs.store.engine import upgrade_database

cli = AppGroup("lrs", help="Manage the built-in xAPI LRS.")


@cli.command("create-credential")
@click.argument("name")
def create_credential_command(name: str) -> None:
    """Create a key and secret for an xAPI client; the last line printed is KEY:SECRET."""
    with current_app.extensions["lrs"].engine.begin() as conn:
        key, secret = create_credential(conn, credential_pepper(), name, ("all",))
    click.echo(f"Created credential {name!r}. The secret is shown only now; store it safely.")
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
    """List credentials (never their secrets)."""
    with current_app.extensions["lrs"].engine.connect() as conn:
        for cred in list_credentials(conn):
            state = "revoked" if cred.revoked_at else "active"
            click.echo(f"{cred.key}  {state:8}  {cred.created_at:%Y-%m-%d}  {cred.name}")


@cli.command("upgrade")
def upgrade_command() -> None:
    """Migrate the LRS tables to the newest schema."""
    upgrade_database(current_app.config["LRS_DATABASE_URI"])
    click.echo("LRS schema is up to date.")
