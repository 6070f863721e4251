"""`flask speech render`: audio for every step of every loaded module version, run by `flask content load`."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from learning.content.models import Module
from learning.content.services import get_document
from learning.db import db
from learning.speech.services import SpeechError, audio_path, cache_dir, render_step

speech_cli = AppGroup("speech", help="Render read-aloud audio with espeak-ng.")


def render_all(cache: Path) -> int:
    """Render the missing audio of each module's current version in each of its languages; return how many.

    Also the newest stored version when it waits for an approval (`content load` without one): it is then ready
    the moment a reviewer approves it.

    Each step is two short external processes (espeak-ng, ffmpeg), so the steps are rendered a few at a time:
    the whole catalogue in both languages takes minutes one by one.
    """
    documents = [
        get_document(text)
        for module in db.session.scalars(select(Module).order_by(Module.slug))
        for text in module.texts
        if text.version in {module.current_version, _newest(module)}
    ]
    missing = [
        (document, step)
        for document in documents
        for step in document.steps
        if not audio_path(cache, document.slug, document.version, document.language, step.number).is_file()
    ]
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        list(pool.map(lambda job: render_step(cache, *job), missing))  # list(): re-raise the first failure
    return len(missing)


def _newest(module: Module) -> str:
    from learning.content.publishing import version_key

    return max((text.version for text in module.texts), key=version_key, default="")


@speech_cli.command("render")
def render_command() -> None:
    """Render audio that is missing; existing files are kept (a version's text never changes)."""
    try:
        rendered = render_all(cache_dir())
    except SpeechError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Read-aloud audio: {rendered} step(s) rendered.")
