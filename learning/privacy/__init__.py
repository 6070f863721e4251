"""Erasure of a person (GDPR art. 17) across the LMS and the LRS, and retention of raw records.

Public surface: init_app().
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the erasure pages and `flask privacy`."""
    from learning.privacy.cli import privacy_cli
    from learning.privacy.views import bp

    app.config.setdefault("RETENTION_DAYS", 730)  # LMS_RETENTION_DAYS; 0 keeps everything (docs/privacy.md)
    app.register_blueprint(bp)
    app.cli.add_command(privacy_cli)
