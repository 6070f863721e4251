"""Single sign-on with OpenID Connect for staff and teachers (issue 12): per organisation a provider (Entra ID,
SURFconext), the authorization-code flow with PKCE through Authlib, accounts made just in time within the
organisation's domains. Public surface: init_app()."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the log-in and admin pages and `flask admin oidc ...`."""
    from learning.admin.cli import cli as admin_cli
    from learning.sso.cli import oidc
    from learning.sso.views import bp

    app.register_blueprint(bp)
    if "oidc" not in admin_cli.commands:
        admin_cli.add_command(oidc)
