"""RPM usage data: three ways in (CSV upload, JSON API, and xAPI via the LRS), all checked and idempotent.

Public surface: init_app(), which registers the upload pages, the API (exempt from CSRF: clients authenticate with
API keys, not a browser session) and the `flask rpm` commands.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the upload pages, the JSON API and the CLI; exempt the API from the app's CSRF protection."""
    # Imported here: learning.rpm.models is loaded with every model, and must not pull in the web layer.
    from learning.rpm.api import bp as api_bp
    from learning.rpm.api import json_routing_errors
    from learning.rpm.cli import cli
    from learning.rpm.views import bp as views_bp

    app.register_blueprint(views_bp)
    app.register_blueprint(api_bp)
    app.before_request(json_routing_errors)
    app.cli.add_command(cli)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(api_bp)
