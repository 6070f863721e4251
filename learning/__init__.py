"""The LMS: accounts, catalogue, player, progress. Public surface: init_app()."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError
from sqlalchemy import event

from learning import (
    admin,
    analysis,
    audit,
    authoring,
    backup,
    caregivers,
    cli,
    editor,
    form_tokens,
    fragments,
    live,
    offline,
    page_cache,
    personal_data,
    preferences,
    privacy,
    rendering,
    round_trips,
    rpm,
    sessions,
    speech,
    sso,
)
from learning.accounts import login_flow, pseudonyms
from learning.accounts.email_views import bp as email_links_bp
from learning.accounts.loading import session_user
from learning.accounts.mail import MailSettings
from learning.accounts.mfa_manage import bp as mfa_manage_bp
from learning.accounts.mfa_views import bp as mfa_bp
from learning.accounts.models import User
from learning.accounts.views import bp as accounts_bp
from learning.assessments.views import bp as assessments_bp
from learning.catalog.views import bp as catalog_bp
from learning.content.hyphenation import hyphenate_filter
from learning.dashboards.views import bp as dashboards_bp
from learning.db import DATABASE_UNAVAILABLE, db, read_only_is_unavailable
from learning.demo import plain_http
from learning.i18n import LANGUAGE_NAMES, format_day, select_locale
from learning.metrics import cli as metrics_cli
from learning.player.views import bp as player_bp
from learning.progress.views import bp as progress_bp
from learning.tracking.admin import bp as outbox_admin_bp
from learning.tracking.cli import xapi_cli
from learning.tracking.views import bp as tracking_bp
from learning.web import (
    add_security_headers,
    refuse_nul_characters,
    render_csrf_error,
    render_database_unavailable,
    render_error,
)

login_manager = LoginManager()
babel = Babel()


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The session's user while its version is current and the account active (learning/accounts/loading.py)."""
    return session_user(session_id)


DEFAULT_BUSY_TIMEOUT_MS = 10_000


def _sqlite_pragmas(busy_timeout_ms: int) -> Callable[[Any, Any], None]:
    """WAL for readers beside a writer; FULL so a committed answer or import survives a power cut (see lrs engine).

    busy_timeout is how long a writer waits for another one's lock before the request gets the "busy" page (503).
    It is SQLITE_BUSY_TIMEOUT_MS (env LMS_SQLITE_BUSY_TIMEOUT_MS), 10 s by default: no writer of ours holds the
    lock nearly that long (the live job writes in short transactions, docs/operations.md), so a wait that long
    means something is wrong. Tests set it short to see a long-held lock as a refusal instead of a slow test."""

    def set_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms:d}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return set_pragmas


def init_app(app: Flask) -> None:
    """Register the LMS's database, log-in, translations, blueprints and CLI on the app."""
    MailSettings.of(app.config)  # a mistyped LMS_MAIL_* setting stops the start, not a person's reset request
    db.init_app(app)
    # First hook that may touch the database. On PostgreSQL a request begins its transaction at its first write and
    # a pooled connection is pinged only when the server closed it (or spoke to it) since its last use.
    round_trips.install(app)
    pseudonyms.init_app(app)  # the key of xAPI and organisation pseudonyms, from a file outside the database
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            busy_ms = int(app.config.get("SQLITE_BUSY_TIMEOUT_MS", DEFAULT_BUSY_TIMEOUT_MS))
            event.listen(db.engine, "connect", _sqlite_pragmas(busy_ms))
        else:
            read_only_is_unavailable(db.engine)  # 503, not 500, while the server takes no writes
    sessions.init_app(app)  # the session cookie is re-signed only when changed or due (learning/sessions.py)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"
    login_manager._session_identifier_generator = sessions.kept_session_identifier  # the same value, kept
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    rendering.init_app(app)  # after Babel: replaces its template gettext with one that looks up less
    fragments.init_app(app)  # the header and offline texts of base.html, rendered once per language and role
    page_cache.init_app(app)  # the catalogue and /progress, rendered once per what they show (PAGE_CACHE_CHECK)
    form_tokens.init_app(app)  # after CSRFProtect (app.py): a session's form token is signed once per worker
    app.jinja_env.globals["language_names"] = LANGUAGE_NAMES
    app.jinja_env.filters["hyphenate"] = hyphenate_filter  # long words break with a hyphen on narrow screens
    app.jinja_env.filters["day"] = format_day
    pages = (
        accounts_bp,
        mfa_bp,
        mfa_manage_bp,
        email_links_bp,
        catalog_bp,
        player_bp,
        progress_bp,
        dashboards_bp,
        assessments_bp,
    )
    for blueprint in pages:
        app.register_blueprint(blueprint)
    cli.init_app(app)
    offline.init_app(app)
    metrics_cli.init_app(app)
    rpm.init_app(app)
    audit.init_app(app)
    backup.init_app(app)
    speech.init_app(app)
    preferences.init_app(app)
    live.init_app(app)
    caregivers.init_app(app)
    personal_data.init_app(app)
    privacy.init_app(app)
    editor.init_app(app)
    authoring.init_app(app)
    analysis.init_app(app)  # the item analysis of each module version (authors, reviewers)
    admin.init_app(app)
    sso.init_app(app)  # single sign-on: log-in pages, its admin page, `flask admin oidc`
    app.register_blueprint(tracking_bp)  # the RPM xAPI profile at its IRI
    app.register_blueprint(outbox_admin_bp)  # statements waiting for the LRS, and those it refused
    app.cli.add_command(xapi_cli)
    app.after_request(add_security_headers)
    # the assessment form checks NUL itself, with a message at its field
    checked = {bp.name for bp in pages if bp is not assessments_bp} | {
        "rpm",
        "audit",
        "caregivers",
        "editor",
        "authoring",
        "review",
        "admin",
        "privacy",
        "sso",
    }
    app.before_request(refuse_nul_characters(checked))
    app.before_request(login_flow.require_second_factor)  # a staff role reaches nothing before its second factor
    plain_http.init_app(app)  # after the database: LMS_DEMO_PLAIN_HTTP is refused unless it is a demo one
    app.register_error_handler(CSRFError, render_csrf_error)
    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, render_error)
    for unavailable in DATABASE_UNAVAILABLE:  # the APIs' blueprints answer these in JSON themselves (checked first)
        app.register_error_handler(unavailable, render_database_unavailable)
