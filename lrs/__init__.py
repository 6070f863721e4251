"""The built-in xAPI Learning Record Store. Public surface: init_app(), local_store(), local_query(),
local_agent_documents(), local_eraser(), local_retention() and
local_pseudonym_rewriter()."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from flask import Flask, Response, request
from sqlalchemy import Engine
from werkzeug.exceptions import HTTPException

# Imported for what importing does: documents and forwarding_wake hook onto views.bp, the *_cli modules onto cli.
from lrs import erasure_cli, forwarding_cli, pseudonyms_cli, service  # noqa: F401
from lrs.cli import cli
from lrs.http import admin, documents, forwarding_admin, forwarding_wake, views  # noqa: F401
from lrs.http.alternate import AlternateRequestSyntax
from lrs.http.errors import handle_http_error
from lrs.http.reads import ReadEvent, StatementsReadHook
from lrs.service.documents import agent_documents
from lrs.service.erasure import Erased, delete_statements_before, erase_agents, retention_cutoff
from lrs.service.forwarding import Forwarder, ForwardSettings
from lrs.service.pseudonyms import Rewritten, rewrite_pseudonyms
from lrs.store.credentials import Tenant
from lrs.store.engine import make_engine, upgrade_database
from lrs.xapi.errors import BadRequest
from lrs.xapi.params import parse_statement_query

__all__ = [
    "Erased",
    "ReadEvent",
    "Rewritten",
    "Tenant",
    "init_app",
    "local_agent_documents",
    "local_eraser",
    "local_pseudonym_rewriter",
    "local_query",
    "local_retention",
    "local_store",
    "upgrade_database",
]


@dataclass
class LrsExtension:
    engine: Engine
    admin_guard: Callable[[], bool]
    forwarder: Forwarder
    tenants: Callable[[], Sequence[Tenant]] = lambda: ()
    on_statements_read: StatementsReadHook | None = None
    admin_reach: Callable[[], Collection[str] | None] = lambda: None


def init_app(
    app: Flask,
    *,
    admin_guard: Callable[[], bool] = lambda: False,
    tenants: Callable[[], Sequence[Tenant]] = lambda: (),
    on_statements_read: StatementsReadHook | None = None,
    admin_reach: Callable[[], Collection[str] | None] = lambda: None,
) -> None:
    """Mount the xAPI API at /xapi and the credential admin at /admin/lrs; own an engine for LRS_DATABASE_URI.

    `tenants` lists the organisations a credential can be confined to (read when a credential is made or shown).
    `admin_reach` gives, for the administrator of the request, the tenant homePages whose credentials they manage,
    or None for a regional administrator (every credential, regional ones and forwarding included).
    `on_statements_read` is called with a ReadEvent after every successful read of statements over HTTP, before
    the answer is sent (the LMS logs it in its access log); an exception in it fails the request.
    """
    app.config.setdefault("LRS_DATABASE_URI", app.config.get("SQLALCHEMY_DATABASE_URI"))
    app.config.setdefault("LRS_MAX_BODY_BYTES", 10 * 1024 * 1024)
    app.config.setdefault("LRS_CORS_ORIGINS", "*")
    app.config.setdefault("LRS_RETENTION_DAYS", 730)  # raw statements: 24 months (docs/privacy.md); 0 keeps all
    engine = make_engine(app.config["LRS_DATABASE_URI"])
    forwarder = Forwarder(engine, ForwardSettings.from_config(app.config))
    app.extensions["lrs"] = LrsExtension(engine, admin_guard, forwarder, tenants, on_statements_read, admin_reach)
    app.register_blueprint(views.bp, url_prefix="/xapi")
    app.before_request(_json_routing_errors)
    app.wsgi_app = AlternateRequestSyntax(  # type: ignore[method-assign]
        app.wsgi_app, "/xapi", lambda: int(app.config["LRS_MAX_BODY_BYTES"])
    )
    app.register_blueprint(admin.bp, url_prefix="/admin/lrs")
    app.register_blueprint(forwarding_admin.bp, url_prefix="/admin/lrs/forwarding")
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


def local_query(app: Flask) -> Callable[[Mapping[str, str]], dict[str, Any]]:
    """Return a function that answers GET /statements in this process, for a reader that must not call our own
    server over HTTP: it takes the same query parameters (or `more` alone) and returns a StatementResult.

    The `more` token is opaque like the HTTP one; it reads every statement, as a credential with statements/read.
    """

    def query(params: Mapping[str, str]) -> dict[str, Any]:
        params, after = _unpack_more(dict(params))
        engine = app.extensions["lrs"].engine
        payloads, next_seq = service.query_statements(engine, parse_statement_query(params), after)
        more = "" if next_seq is None else orjson.dumps({"q": params, "after": next_seq}).decode()
        return {"statements": [orjson.loads(payload) for payload in payloads], "more": more}

    return query


def local_agent_documents(app: Flask) -> Callable[[Mapping[str, Any]], list[dict[str, Any]]]:
    """Return a function that lists one agent's State and Agent Profile documents with their content, for a
    person's copy of their own data read in this process (the LMS must not call its own server over HTTP)."""

    def read(agent: Mapping[str, Any]) -> list[dict[str, Any]]:
        return agent_documents(app.extensions["lrs"].engine, agent)

    return read


def local_eraser(app: Flask) -> Callable[..., Erased]:
    """Return a function that hard-deletes everything this LRS holds about one agent (GDPR art. 17), for the
    LMS's erasure of a person in the same process: `erase(agent, emails=[...], texts=[...])`."""

    def erase(agent: Mapping[str, Any], *, emails: Sequence[str] = (), texts: Sequence[str] = ()) -> Erased:
        return erase_agents(app.extensions["lrs"].engine, agent, emails=emails, texts=texts)

    return erase


def local_pseudonym_rewriter(app: Flask) -> Callable[[Mapping[str, str]], Rewritten]:
    """Return a function that replaces old pseudonyms by new ones everywhere this LRS keeps an agent, for the
    LMS's key rotation in the same process: `rewrite({old: new, ...})`."""

    def rewrite(replacements: Mapping[str, str]) -> Rewritten:
        return rewrite_pseudonyms(app.extensions["lrs"].engine, replacements)

    return rewrite


def local_retention(app: Flask) -> Callable[[], int]:
    """Return a function that deletes the statements stored longer ago than LRS_RETENTION_DAYS; returns how many."""

    def apply() -> int:
        cutoff = retention_cutoff(int(app.config["LRS_RETENTION_DAYS"]))
        return 0 if cutoff is None else delete_statements_before(app.extensions["lrs"].engine, cutoff)

    return apply


def _unpack_more(params: dict[str, str]) -> tuple[dict[str, str], int | None]:
    if "more" not in params:
        return params, None
    if len(params) > 1:
        raise BadRequest("the 'more' parameter cannot be combined with other parameters")
    try:
        token = orjson.loads(params["more"])
        return {str(k): str(v) for k, v in token["q"].items()}, int(token["after"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        raise BadRequest("the 'more' token is not one this LRS issued") from None
