"""The module editor: live preview, inline problems, block insertion and upload checks. Public: init_app()."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the editor's endpoints (they store nothing; the draft workflow saves)."""
    from learning.editor.views import bp

    app.register_blueprint(bp)
