"""Server-rendered read-aloud audio for browsers without a voice for the module's language. Public: init_app()."""

from __future__ import annotations

from flask import Flask

from learning.speech.cli import speech_cli
from learning.speech.views import bp


def init_app(app: Flask) -> None:
    """Register the audio route and `flask speech render`."""
    app.register_blueprint(bp)
    app.cli.add_command(speech_cli)
