"""`flask speech render`: audio for every step of every loaded module version, run by `flask content load`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from learning.content.models import Module
from learning.content.services import get_document
from learning.db import db
from learning.speech.services import SpeechError, cache_dir, render_document

speech_cli = AppGroup("speech", help="Render read-aloud audio with espeak-ng.")


def render_all(cache: Path) -> int:
    """Render the missing audio of each module's current version in each of its languages; return how many."""
    rendered = 0
    for module in db.session.scalars(select(Module).order_by(Module.slug)):
        for text in module.texts:
            if text.version == module.current_version:
                rendered += render_document(cache, get_document(text))
    return rendered


@speech_cli.command("render")
def render_command() -> None:
    """Render audio that is missing; existing files are kept (a version's text never changes)."""
    try:
        rendered = render_all(cache_dir())
    except SpeechError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Read-aloud audio: {rendered} step(s) rendered.")
