"""The application factory: the one place that knows both the LMS and the LRS, and wires them together.

Run with `gunicorn 'app:create_app()'`. Configuration comes from defaults, then `LMS_*` environment variables,
then the mapping passed in (tests).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask_login import current_user
from werkzeug.routing import IntegerConverter, Map

import learning
import lrs
from learning import transport
from learning.accounts import reauth
from learning.accounts.services import organisation_pseudonyms
from learning.admin.scope import ADMINISTRATORS
from learning.audit.recording import record_statements_read
from learning.db import upgrade_database as upgrade_lms
from learning.form_tokens import KeptTokenCSRF
from learning.tracking.client import InProcessSink, RemoteReader, RemoteSink, StatementSink
from learning.tracking.homes import learner_home
from learning.tracking.outbox import Tracker
from learning.tracking.reader import InProcessReader, StatementReader
from learning.web import App

ROOT = Path(__file__).parent
csrf = KeptTokenCSRF()  # Flask-WTF's check, a kept token's signature not verified again


def _defaults(app: Flask) -> dict[str, Any]:
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(app.instance_path) / 'vtc.db'}",
        "CONTENT_DIR": str(ROOT / "modules_content"),
        "XAPI_BASE_IRI": "https://vtc.example.org",
        "LRS_ENDPOINT": "",
        "LRS_KEY": "",
        "LRS_SECRET": "",
        "LRS_TIMEOUT": 5.0,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session; a long shift must not lose a form
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "PROXY_FIX_X_FOR": 0,  # proxies to trust per X-Forwarded-* header (learning/transport.py); 0: none
        "PROXY_FIX_X_PROTO": 0,
        "PROXY_FIX_X_HOST": 0,
        "PROXY_FIX_X_PORT": 0,
        "PROXY_FIX_X_PREFIX": 0,
        "HSTS_MAX_AGE": 365 * 24 * 3600,  # Strict-Transport-Security on https responses; 0 sends none
    }


def _secret_key(app: Flask) -> str:
    """Return a stable secret: the configured one, else one generated once into instance/."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _make_sink(app: Flask) -> StatementSink:
    """Send to a remote LRS when LRS_ENDPOINT is set, else store in the built-in one in-process."""
    config = app.config
    if config["LRS_ENDPOINT"]:
        return RemoteSink(
            config["LRS_ENDPOINT"], config["LRS_KEY"], config["LRS_SECRET"], timeout=config["LRS_TIMEOUT"]
        )
    authority = {"objectType": "Agent", "account": {"homePage": config["XAPI_BASE_IRI"], "name": "vtc-lms"}}
    return InProcessSink(lrs.local_store(app, authority))


def _make_reader(app: Flask) -> StatementReader:
    """Read back from the same LRS the sink writes to: the remote one when LRS_ENDPOINT is set, else in-process."""
    config = app.config
    if config["LRS_ENDPOINT"]:
        return RemoteReader(
            config["LRS_ENDPOINT"], config["LRS_KEY"], config["LRS_SECRET"], timeout=config["LRS_TIMEOUT"]
        )
    return InProcessReader(lrs.local_query(app), lrs.local_agent_documents(app))


def _tenants(app: Flask) -> list[lrs.Tenant]:
    """The organisations an LRS credential can be confined to, by their learners' homePage (tracking/homes.py)."""
    base = app.config["XAPI_BASE_IRI"]
    return [lrs.Tenant(learner_home(base, pseudonym), name) for name, pseudonym in organisation_pseudonyms()]


def _lrs_admin_reach(app: Flask) -> frozenset[str] | None:
    """Whose LRS credentials the logged-in administrator manages: a regional administrator every credential (None),
    a manager only those confined to their own organisation (learning/admin/scope.py holds the same rule)."""
    if current_user.is_admin:
        return None
    organisation = current_user.organisation
    return frozenset({learner_home(app.config["XAPI_BASE_IRI"], organisation.pseudonym)} if organisation else ())


def _register_setup_commands(app: Flask) -> None:
    @app.cli.group("db")
    def db_group() -> None:
        """Database schema."""

    @db_group.command("upgrade")
    def upgrade() -> None:
        """Migrate the LMS and LRS tables to the newest schema."""
        upgrade_lms(app.config["SQLALCHEMY_DATABASE_URI"])
        lrs.upgrade_database(app.config["LRS_DATABASE_URI"])
        click.echo("Database is up to date.")


def _log_statements_read(event: lrs.ReadEvent) -> None:
    """Log a read of statements over /xapi in the LMS's access log (the LRS cannot: it never imports the LMS)."""
    record_statements_read(event.credential_key, event.params, event.statements, event.path)


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` in every route, capped at the largest 64-bit id: a longer number is a plain 404, not an overflow
    inside the database driver (a 500)."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: LMS, LRS, the statement sink and reader between them, CSRF and CLI."""
    app = App(__name__, instance_path=str(ROOT / "instance"))  # Flask, with a cheaper ensure_sync
    app.url_map.converters["int"] = DatabaseIdConverter
    app.config.from_mapping(_defaults(app))
    app.config.from_prefixed_env("LMS")
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app)
    csrf.init_app(app)
    learning.init_app(app)
    lrs.init_app(
        app,
        admin_guard=lambda: current_user.is_authenticated and current_user.role in ADMINISTRATORS,
        admin_reach=lambda: _lrs_admin_reach(app),
        tenants=lambda: _tenants(app),
        on_statements_read=_log_statements_read,
    )
    # Sensitive actions ask for the password (and code) again when the last proof is old (learning/accounts/reauth.py)
    reauth.protect(app, "lrs_admin", {"lrs_admin.create", "lrs_admin.rotate"})
    reauth.protect(app, "personal_data", {"personal_data.download", "personal_data.summary"})
    reauth.protect(app, "mfa_manage", {"mfa_manage.recovery_codes", "mfa_manage.new_phone"})  # one's own factor
    reauth.protect(app, "privacy", {"privacy.erase_other"})  # an officer erasing someone: their code too
    csrf.exempt(app.blueprints["xapi"])  # clients authenticate with Basic credentials, not a browser session
    tracker = Tracker(app, _make_sink(app), background=bool(app.config.get("OUTBOX_BACKGROUND", not app.testing)))
    app.extensions["vtc.tracker"] = tracker
    app.before_request(tracker.ensure_started)  # each worker's thread delivers what a killed one left queued
    app.extensions["vtc.reader"] = _make_reader(app)
    # Erasure, retention and pseudonym rotation outside xAPI, in-process for the built-in LRS; a remote LRS's operator
    # runs `flask lrs erase-agent` / `retention` / `rewrite-pseudonyms` there (docs/privacy.md), so the LMS gets None.
    remote = bool(app.config["LRS_ENDPOINT"])
    app.extensions["vtc.lrs_eraser"] = None if remote else lrs.local_eraser(app)
    app.extensions["vtc.lrs_retention"] = None if remote else lrs.local_retention(app)
    app.extensions["vtc.lrs_rewriter"] = None if remote else lrs.local_pseudonym_rewriter(app)  # key rotation
    _register_setup_commands(app)
    transport.init_app(app)  # last: ProxyFix must be the outermost middleware, so every layer sees the client
    return app
