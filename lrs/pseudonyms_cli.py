"""`flask lrs rewrite-pseudonyms FILE`: the LMS's key rotation, where the LRS runs on its own.

Where the LMS and the LRS run in one app, `flask privacy rotate-pseudonyms` rewrites the LRS itself. With a remote
LRS it writes the old-to-new mapping to a file (mode 0600) for this command; the file links old and new
pseudonyms, so it is deleted once this has run (docs/privacy.md).
"""

from __future__ import annotations

from pathlib import Path

import click
import orjson
from flask import current_app

from lrs.cli import cli
from lrs.service.pseudonyms import rewrite_pseudonyms


@cli.command("rewrite-pseudonyms")
@click.argument("mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def rewrite_pseudonyms_command(mapping: Path) -> None:
    """Replace old pseudonyms by new ones in every statement, agent link, document and tenant (MAPPING: JSON
    object old -> new, as `flask privacy rotate-pseudonyms` writes it)."""
    try:
        replacements = orjson.loads(mapping.read_bytes())
    except orjson.JSONDecodeError:
        raise click.BadParameter("the mapping is not JSON") from None
    if not isinstance(replacements, dict) or not all(isinstance(v, str) for v in replacements.values()):
        raise click.BadParameter("the mapping is a JSON object of old -> new pseudonyms")
    try:
        done = rewrite_pseudonyms(current_app.extensions["lrs"].engine, replacements)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    click.echo(
        f"Rewrote {done.statements} statement(s), {done.agent_links} agent link(s), {done.documents} document(s) "
        f"and {done.credentials} credential tenant(s). Delete {mapping} now: it links old and new pseudonyms."
    )
