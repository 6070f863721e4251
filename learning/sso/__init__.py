"""Single sign-on with OpenID Connect for staff and teachers (issue 12): per organisation a provider (Entra ID,
SURFconext), the authorization-code flow with PKCE through Authlib, accounts made just in time within the
organisation's domains. Public surface: init_app()."""

from __future__ import annotations

from flask import Flask
from flask_login import current_user


def _offered_to_current_user() -> bool:
    from learning.sso.settings import provider_of

    if not current_user.is_authenticated or current_user.organisation_id is None:
        return False
    provider = provider_of(current_user.organisation_id)
    return provider is not None and provider.enabled


def _regional_administrator() -> bool:
    return bool(current_user.is_authenticated and current_user.is_admin)


def init_app(app: Flask) -> None:
    """Register the log-in and admin pages and `flask admin oidc ...`."""
    from learning.admin.cli import cli as admin_cli
    from learning.sso.cli import oidc
    from learning.sso.views import bp

    app.register_blueprint(bp)
    # The admin menu's "Single sign-on" tab: its macro is imported without the page's context, so a global asks.
    app.jinja_env.globals["sso_settings_visible"] = _regional_administrator
    # The "confirm it is you" page offers a new log-in through the organisation to those who have one.
    app.jinja_env.globals["sso_offered"] = _offered_to_current_user
    if "oidc" not in admin_cli.commands:
        admin_cli.add_command(oidc)
