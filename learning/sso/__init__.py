"""Single sign-on with OpenID Connect for staff and teachers (issue 12): per organisation a provider (Entra ID,
SURFconext), the authorization-code flow with PKCE through Authlib, accounts made just in time within the
organisation's domains. Public surface: init_app()."""

from __future__ import annotations

from flask import Flask, g
from flask_login import current_user
from werkzeug.wrappers import Response

FORM_ORIGIN = "sso_form_origin"  # set on g by a page that offers a confirmation through the organisation


def _offered_to_current_user() -> bool:
    from learning.sso.settings import provider_of

    if not current_user.is_authenticated or current_user.organisation_id is None:
        return False
    provider = provider_of(current_user.organisation_id)
    if provider is None or not provider.enabled:
        return False
    from learning.sso.signin import origin

    setattr(g, FORM_ORIGIN, origin(provider.issuer))
    return True


def allow_provider_as_form_target(response: Response) -> Response:
    """The confirm page's "Log in through your organisation" form is answered with a redirect to the provider,
    and browsers hold a form's redirects to the page's CSP form-action too: that page names its origin there."""
    allowed = g.get(FORM_ORIGIN)
    if allowed:
        from learning.web import CSP

        policy = response.headers.get("Content-Security-Policy", CSP)
        response.headers["Content-Security-Policy"] = policy.replace(
            "form-action 'self'", f"form-action 'self' {allowed}", 1
        )
    return response


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
    app.after_request(allow_provider_as_form_target)
    if "oidc" not in admin_cli.commands:
        admin_cli.add_command(oidc)
