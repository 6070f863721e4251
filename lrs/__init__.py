"""The built-in xAPI Learning Record Store. Public surface: init_app() and local_store()."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, request
from sqlalchemy import Engine
from werkzeug.exceptions import HTTPException

from lrs import service
from lrs.cli import cli
from lrs.http import admin, documents, views  # noqa: F401 - importing documents registers its routes on views.bp
from lrs.http.alternate import AlternateRequestSyntax
from lrs.http.errors import handle_http_error
from lrs.store.engine import make_engine, upgrade_database

__all__ = ["init_app", "local_store", "upgrade_database"]


@dataclass
class LrsExtension:
    engine: Engine
    admin_guard: Callable[[], bool]


def init_app(app: Flask, *, admin_guard: Callable[[], bool] = lambda: False) -> None:
    """Mount the xAPI API at /xapi and the credential admin at /admin/lrs; own an engine for LRS_DATABASE_URI."""
    app.config.setdefault("LRS_DATABASE_URI", app.config.get("SQLALCHEMY_DATABASE_URI"))
    app.config.setdefault("LRS_MAX_BODY_BYTES", 10 * 1024 * 1024)
    app.config.setdefault("LRS_CORS_ORIGINS", "*")
    app.extensions["lrs"] = LrsExtension(make_engine(app.config["LRS_DATABASE_URI"]), admin_guard)
    app.register_blueprint(views.bp, url_prefix="/xapi")
    app.before_request(_json_routing_errors)
    app.wsgi_app = AlternateRequestSyntax(  # type: ignore[method-assign]
        app.wsgi_app, "/xapi", lambda: int(app.config["LRS_MAX_BODY_BYTES"])
    )
    app.register_blueprint(admin.bp, url_prefix="/admin/lrs")
    app.cli.add_command(cli)


def _json_routing_errors() -> Response | None:
    """An unknown path or method under /xapi gets the API's JSON error, not the LMS's HTML page."""
    error = request.routing_exception
    if isinstance(error, HTTPException) and (error.code or 0) >= 400 and request.path.startswith("/xapi/"):
        return handle_http_error(error)
    return None


def local_store(app: Flask, authority: dict[str, Any]) -> Callable[[list[dict[str, Any]]], list[str]]:
    """Return a function that stores statements in this LRS directly, for a sink in the same process."""

    def store(statements: list[dict[str, Any]]) -> list[str]:
        return service.store_statements(app.extensions["lrs"].engine, statements, authority=authority)

    return store
