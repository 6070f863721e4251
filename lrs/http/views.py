"""The xAPI resources: parse the request, call the LRS service, serialise the answer. No rules live here."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, g, request
from sqlalchemy import Engine

from lrs import service
from lrs.http.auth import authenticate, authority_of, authorize, find_credential
from lrs.http.body import read_statements_body
from lrs.http.errors import register_error_handlers
from lrs.http.reads import report_read
from lrs.xapi.errors import BadRequest
from lrs.xapi.formats import parse_accept_language, render_statement
from lrs.xapi.jsonload import load_json
from lrs.xapi.multipart import build_multipart_response
from lrs.xapi.params import parse_single_request, parse_statement_query
from lrs.xapi.scopes import Access, Scope
from lrs.xapi.timestamps import format_timestamp, parse_timestamp
from lrs.xapi.version import SUPPORTED, negotiate

bp = Blueprint("xapi", __name__)
register_error_handlers(bp)
DEFAULT_VERSION = "1.0.3"  # answered when a request failed before its version was negotiated
LATEST_VERSION = "2.0.0"
CORS_REQUEST_HEADERS = "Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match, Accept-Language"
CORS_EXPOSED_HEADERS = "ETag, Last-Modified, X-Experience-API-Version, X-Experience-API-Consistent-Through"


def _engine() -> Engine:
    engine: Engine = current_app.extensions["lrs"].engine
    return engine


@bp.before_request
def check_version_and_auth() -> None:
    """Every resource but /about needs a supported version header, valid credentials and a scope that allows it."""
    if request.endpoint == "xapi.about" or request.method == "OPTIONS":
        return
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        # ids (stateId, profileId, activityId...) are stored as text, which PostgreSQL refuses with a NUL in it
        raise BadRequest("a query parameter has a NUL character (%00), which no xAPI value needs")
    try:
        g.xapi_version = negotiate(request.headers.get("X-Experience-API-Version"))
    except BadRequest:
        # Answer in the version this client spoke before: it most likely forgot the header, not its version.
        known = find_credential(_engine())
        g.xapi_version = (known.last_version if known else None) or LATEST_VERSION
        raise
    credential = authenticate(_engine(), g.xapi_version)
    g.lrs_access = authorize(credential, request.method, request.url_rule.rule if request.url_rule else request.path)


@bp.after_request
def add_xapi_headers(response: Response) -> Response:
    """Answer with the negotiated version, how far reads are consistent, and CORS for browser clients."""
    response.headers["X-Experience-API-Version"] = g.get("xapi_version", DEFAULT_VERSION)
    response.headers["X-Experience-API-Consistent-Through"] = format_timestamp(datetime.now(UTC))
    origin = request.headers.get("Origin")
    if origin and _origin_allowed(origin):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, PUT, POST, DELETE, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = CORS_REQUEST_HEADERS
        response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSED_HEADERS
        response.headers["Access-Control-Max-Age"] = "3600"
        response.vary.add("Origin")
    return response


def _origin_allowed(origin: str) -> bool:
    allowed = current_app.config["LRS_CORS_ORIGINS"]
    return allowed == "*" or origin in {o.strip() for o in str(allowed).split(",")}


def _json(text: str, status: int = 200) -> Response:
    return Response(text, status=status, mimetype="application/json")


@bp.get("/about")
def about() -> Response:
    """Tell clients which xAPI versions this LRS speaks."""
    return _json(json.dumps({"version": list(SUPPORTED), "extensions": {}}))


@bp.post("/statements")
def post_statements() -> Response:
    """Store one statement or a batch; answer with their ids."""
    statements, attachments = read_statements_body()
    ids = service.store_statements(
        _engine(),
        statements,
        authority=authority_of(g.lrs_credential),
        stored_by=g.lrs_credential.key,
        version=g.xapi_version,
        attachments=attachments,
        may_void_others=Scope.STATEMENTS_VOID_ANY in g.lrs_credential.scopes,
        tenant=g.lrs_credential.tenant,
        other_tenants=other_tenants(),
    )
    return _json(json.dumps(ids))


@bp.put("/statements")
def put_statement() -> Response:
    """Store one statement under the statementId given in the query."""
    statement_id = request.args.get("statementId")
    if not statement_id:
        raise BadRequest("PUT statements needs the statementId query parameter")
    if set(request.args) != {"statementId"}:
        extra = ", ".join(sorted(set(request.args) - {"statementId"}))
        raise BadRequest(f"PUT statements takes only statementId, not: {extra}")
    statement, attachments = read_statements_body()
    service.put_statement(
        _engine(),
        statement_id,
        statement,
        authority=authority_of(g.lrs_credential),
        stored_by=g.lrs_credential.key,
        version=g.xapi_version,
        attachments=attachments,
        may_void_others=Scope.STATEMENTS_VOID_ANY in g.lrs_credential.scopes,
        tenant=g.lrs_credential.tenant,
        other_tenants=other_tenants(),
    )
    return Response(status=204)


def _encode_more(params: dict[str, str], after: int) -> str:
    raw = json.dumps({"q": params, "after": after}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_more(token: str) -> tuple[dict[str, str], int]:
    try:
        data = load_json(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)), "the 'more' token")
        return dict(data["q"]), int(data["after"])
    except (binascii.Error, ValueError, KeyError, TypeError, BadRequest):
        raise BadRequest("the 'more' token is not one this LRS issued") from None


@bp.get("/statements")
def get_statements() -> Response:
    """Return one statement by id, or a filtered page with a `more` link."""
    params = request.args.to_dict()
    languages = parse_accept_language(request.headers.get("Accept-Language"))
    single = parse_single_request(params)
    if single is not None:
        payload = service.get_statement(
            _engine(), single.statement_id, voided=single.voided, stored_by=_readable_by(), tenant=_tenant()
        )
        response = _answer(render_statement(payload, single.format, languages), [payload], single.attachments)
        response.last_modified = parse_timestamp(json.loads(payload)["stored"])
        report_read(params, 1)
        return response
    after = None
    if "more" in params:
        if len(params) > 1:
            raise BadRequest("the 'more' parameter cannot be combined with other parameters")
        params, after = _decode_more(params["more"])
    query = parse_statement_query(params)
    payloads, next_seq = service.query_statements(_engine(), query, after, stored_by=_readable_by(), tenant=_tenant())
    more = "" if next_seq is None else f"{request.script_root}{request.path}?more={_encode_more(params, next_seq)}"
    shaped = [render_statement(payload, query.format, languages) for payload in payloads]
    result = '{"statements":[' + ",".join(shaped) + '],"more":' + json.dumps(more) + "}"
    response = _answer(result, payloads, query.attachments)
    report_read(params, len(payloads))
    return response


def _readable_by() -> str | None:
    """The credential whose statements alone this request may read (statements/read/mine), or None for all.

    Taken from the credential on every request, never from a `more` token, so no page can widen it.
    """
    return g.lrs_credential.key if g.lrs_access is Access.OWN else None


def _tenant() -> str | None:
    """The organisation (learner homePage) this credential reads, or None for a regional credential.

    Like statements/read/mine, taken from the credential on every request and never from a `more` token.
    """
    tenant: str | None = g.lrs_credential.tenant
    return tenant


def other_tenants() -> frozenset[str]:
    """The other organisations' learner homePages, which an organisation's credential may not write as."""
    own = g.lrs_credential.tenant
    if own is None:
        return frozenset()  # a regional credential writes for the region (the platform's own key with LRS_ENDPOINT)
    return frozenset(t.home_page for t in current_app.extensions["lrs"].tenants()) - {own}


def _answer(result_json: str, payloads: list[str], with_attachments: bool) -> Response:
    """JSON, or with attachments=true the multipart/mixed form carrying the stored attachment data."""
    if not with_attachments:
        return _json(result_json)
    body, content_type = build_multipart_response(result_json, service.attachments_of(_engine(), payloads))
    return Response(body, content_type=content_type)
