"""`flask rpm …`: API keys of care organisations, LRS credentials linked to them, and imports of RPM files."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from learning.rpm import services
from learning.rpm.csv_io import CsvError, TooManyRows
from learning.rpm.fields import Kind
from learning.rpm.ingest import ForeignProgramme, Report, import_records
from learning.rpm.keys import UnknownOrganisation, create_api_key, list_api_keys, revoke_api_key
from learning.rpm.sources import SourceError, find_organisation, link_credential, list_sources, unlink_credential

cli = AppGroup("rpm", help="RPM data: API keys, RPM statement sources and imports.")
MAX_ROWS = 10_000_000  # the command line has no upload limit; the file is read into memory once


@cli.command("create-api-key")
@click.argument("organisation_id", type=int)
@click.argument("name")
def create_api_key_command(organisation_id: int, name: str) -> None:
    """Create an API key for an organisation's RPM platform; the last line printed is KEY_ID:SECRET."""
    try:
        key_id, secret = create_api_key(organisation_id, name)
    except UnknownOrganisation:
        raise click.ClickException(f"no organisation with id {organisation_id}") from None
    click.echo(f"Created API key {name!r} for organisation {organisation_id}.")
    click.echo("The secret is shown only now; store it safely.")
    click.echo(f"{key_id}:{secret}")


@cli.command("revoke-api-key")
@click.argument("key_id")
def revoke_api_key_command(key_id: str) -> None:
    """Revoke an API key by its id; it stops working at once."""
    if not revoke_api_key(key_id):
        raise click.ClickException(f"no active API key with id {key_id}")
    click.echo(f"Revoked {key_id}.")


@cli.command("list-api-keys")
def list_api_keys_command() -> None:
    """List API keys (never their secrets)."""
    for key in list_api_keys():
        state = "revoked" if key.revoked_at else "active"
        click.echo(f"{key.key_id}  {state:8}  org {key.organisation_id:<5} {key.created_at:%Y-%m-%d}  {key.name}")


ORGANISATION = click.option("--organisation", required=True, help="The organisation's id or exact name.")
KEY = click.option("--key", required=True, help="The LRS credential's key: KEY of the KEY:SECRET line of `flask lrs`.")


@cli.command("link-credential")
@ORGANISATION
@KEY
@click.option("--label", default="", help="What sends with it, e.g. the platform's name (default: the key).")
@click.option("--home-page", help="Also require this authority homePage (an LRS whose homePage is fixed).")
def link_credential_command(organisation: str, key: str, label: str, home_page: str | None) -> None:
    """Accept RPM statements that an LRS credential sends for an organisation's programmes."""
    try:
        found = find_organisation(organisation)
        link_credential(found, key, label, home_page)
    except SourceError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Linked credential {key} to {found.name} (organisation {found.id}): the next `flask xapi sync` "
               "accepts its RPM statements for that organisation's programmes.")  # fmt: skip


@cli.command("unlink-credential")
@ORGANISATION
@KEY
def unlink_credential_command(organisation: str, key: str) -> None:
    """Stop accepting an LRS credential's RPM statements for an organisation (rows imported before stay)."""
    try:
        found = find_organisation(organisation)
        unlink_credential(found, key)
    except SourceError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Unlinked credential {key} from {found.name}: the sync now rejects its RPM statements for it.")


@cli.command("list-sources")
def list_sources_command() -> None:
    """List the LRS credentials that may send RPM statements, per organisation."""
    for source, organisation in list_sources():
        home = source.authority_home_page or "*"
        click.echo(f"org {source.organisation_id:<5} {organisation:30}  {source.authority_name:20}  {home:30}  "
                   f"{source.created_at:%Y-%m-%d}  {source.label}")  # fmt: skip


@cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice([k.value for k in Kind]), required=True, help="What the file holds.")
@click.option("--organisation", "organisation_id", type=int, required=True, help="The organisation's id.")
def import_command(path: Path, kind: str, organisation_id: int) -> None:
    """Import a CSV file (or JSON {"records": [...]}) whole, or nothing when any row has a problem."""
    try:
        report = _import(path, Kind(kind), organisation_id)
    except CsvError as error:
        raise click.ClickException(error.problem.message) from None
    except ForeignProgramme as error:
        raise click.ClickException(f"{error}; nothing was imported") from None
    for problem in report.problems:
        where = f"row {problem.row}" if path.suffix != ".json" else f"record {problem.index}"
        click.echo(f"{path.name}: {where}, {problem.field or '-'}: {problem.message}", err=True)
    if report.problems:
        raise click.ClickException(f"{len(report.problems)} problem(s); nothing was imported")
    click.echo(f"Imported {report.received} rows: {report.inserted} new, {report.updated} changed, "
               f"{report.unchanged} unchanged.")  # fmt: skip


def _import(path: Path, kind: Kind, organisation_id: int) -> Report:
    data = path.read_bytes()
    if path.suffix.lower() != ".json":
        try:
            return services.import_csv(kind, organisation_id, data, MAX_ROWS)
        except TooManyRows:
            raise click.ClickException("the file has too many rows") from None
    try:
        body = json.loads(data)
    except ValueError:
        raise click.ClickException("the file is not valid JSON") from None
    records = body.get("records") if isinstance(body, dict) else body
    if not isinstance(records, list):
        raise click.ClickException('the JSON must be {"records": [...]} or a list of records')
    return import_records(kind, organisation_id, records)
