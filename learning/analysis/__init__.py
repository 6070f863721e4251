"""Item analysis: what an author learns from the learning records of a module version. Public surface: init_app()."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from learning.analysis.views import bp

    app.register_blueprint(bp)
