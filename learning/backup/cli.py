"""`flask backup PATH` and `flask restore PATH [--force]`: both databases, as configured, in one backup folder."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from learning.backup.databases import BackupError, Copied, Database, backup, group_databases, restore


def _configured() -> list[Database]:
    config = current_app.config
    return group_databases({"lms": config["SQLALCHEMY_DATABASE_URI"], "lrs": config["LRS_DATABASE_URI"]})


def _report(verb: str, copied: list[Copied]) -> None:
    for copy in copied:
        roles = " and ".join(role.upper() for role in copy.roles)
        click.echo(f"{verb} the {roles} database: {len(copy.tables)} tables, {copy.rows} rows ({copy.file}).")


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Back up the LMS and LRS databases into the new folder PATH (safe while the app serves)."""
    try:
        copied = backup(_configured(), path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    _report("Backed up", copied)
    click.echo(f"Backup written to {path}. Restore it with: flask restore {path}")


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--force", is_flag=True, help="Replace databases that already hold data.")
@with_appcontext
def restore_command(path: Path, force: bool) -> None:
    """Restore the LMS and LRS databases from the backup folder PATH (stop the app first)."""
    try:
        restored = restore(path, _configured(), force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    _report("Restored", restored)
    click.echo("Every table holds the rows it held in the backup.")
