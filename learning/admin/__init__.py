"""Administration of organisations, teams, people and invitation codes (issue 12), in pages and `flask admin`.

Public surface: init_app(). Who may administer what is decided in learning.admin.scope, in one place.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the admin pages and the `flask admin` commands."""
    from learning.admin import cli_curricula, cli_programmes, cli_roles  # noqa: F401 — add their groups to `flask admin`
    from learning.admin.cli import cli
    from learning.admin.views import bp
    from learning.admin.views_environments import bp as environments_bp
    from learning.admin.views_roles import bp as roles_bp

    app.register_blueprint(bp)
    app.register_blueprint(environments_bp)
    app.register_blueprint(roles_bp)
    app.cli.add_command(cli)
