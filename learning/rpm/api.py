"""The JSON ingestion API for RPM platforms: POST /api/rpm/v1/<kind> with {"records": [...]}.

Platforms authenticate with an organisation's API key (HTTP Basic KEY_ID:SECRET, or Bearer KEY_ID:SECRET), not a
browser session, so the blueprint is exempt from CSRF. Errors are JSON problem documents (RFC 9457) in English.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from werkzeug.exceptions import HTTPException, InternalServerError, default_exceptions

from learning.db import DATABASE_UNAVAILABLE, RETRY_AFTER_SECONDS, storage_problem
from learning.rpm.fields import Kind
from learning.rpm.ingest import ForeignProgramme, import_records
from learning.rpm.keys import verify_api_key
from learning.rpm.models import ApiKey
from learning.rpm.openapi import MAX_RECORDS, build_document

bp = Blueprint("rpm_api", __name__, url_prefix="/api/rpm")
log = logging.getLogger("vtc.rpm")

DEFAULT_MAX_BYTES = 4 * 1024 * 1024  # 5,000 daily records take about 1 MB
CHALLENGE = 'Basic realm="VTC RPM API", Bearer realm="VTC RPM API"'


class ApiError(Exception):
    """An answer other than 200, with a problem document's detail and extra members."""

    def __init__(self, status: int, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.extra = extra


def problem(status: int, detail: str, **extra: Any) -> Response:
    """Return an RFC 9457 problem document."""
    response = jsonify({"status": status, "title": HTTPStatus(status).phrase, "detail": detail, **extra})
    response.status_code = status
    response.mimetype = "application/problem+json"
    if status == 401:
        response.headers["WWW-Authenticate"] = CHALLENGE
    return response


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    return problem(error.status, error.detail, **error.extra)


def _http_error(error: HTTPException) -> Response:
    if isinstance(error, InternalServerError):  # an unexpected exception, already logged with its traceback
        if isinstance(error.original_exception, DATABASE_UNAVAILABLE):
            return _database_unavailable(error.original_exception)
        return problem(500, "the server failed on this request; it has been logged and nothing was imported")
    return problem(error.code or 500, error.description or "")


def _database_unavailable(error: Exception) -> Response:
    """The database cannot be reached: 503 and when to send again, not a 500 (the batch itself may be fine)."""
    log.warning("database unavailable: %s", type(error).__name__, exc_info=error)
    if storage_problem(error) == "full":
        response = problem(507, "the server's storage is full; nothing was imported, send the batch again later")
    else:
        response = problem(503, "the database is unavailable; nothing was imported, send the batch again later")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


# By code, not only by class: Flask prefers the app's handler for a code over a blueprint's class handler.
for _code in default_exceptions:
    bp.register_error_handler(_code, _http_error)
bp.register_error_handler(HTTPException, _http_error)
for _unavailable in DATABASE_UNAVAILABLE:
    bp.register_error_handler(_unavailable, _database_unavailable)


def json_routing_errors() -> Response | None:
    """An unknown path or method under /api/ gets a problem document, not the LMS's HTML page (a request that
    matches no route belongs to no blueprint, so the handlers above do not see it)."""
    error = request.routing_exception
    if isinstance(error, HTTPException) and (error.code or 0) >= 400 and request.path.startswith("/api/"):
        return _http_error(error)
    return None


@bp.get("/openapi.json")
def openapi() -> Response:
    """Serve the OpenAPI 3.1 description of this API."""
    return jsonify(build_document(url_for("rpm_api.openapi", _external=True).removesuffix("/openapi.json")))


def authenticate() -> ApiKey:
    """Return the active API key this request proves.

    :raises ApiError: 401 when the key is missing, unknown, wrong or revoked.
    """
    auth = request.authorization
    if auth is None:
        raise ApiError(401, "send an organisation API key: HTTP Basic KEY_ID:SECRET or 'Bearer KEY_ID:SECRET'")
    if auth.type == "basic":
        key_id, secret = auth.username or "", auth.password or ""
    elif auth.type == "bearer" and auth.token and ":" in auth.token:
        key_id, secret = auth.token.split(":", 1)
    else:
        raise ApiError(401, "the bearer token must be KEY_ID:SECRET")
    key = verify_api_key(key_id, secret)
    if key is None:
        raise ApiError(401, "unknown, wrong or revoked API key")
    return key


def read_records() -> list[Any]:
    """Return the request's records.

    :raises ApiError: 415 for a body that is not JSON, 413 when too large, 400 for broken JSON, 422 for the
        wrong shape.
    """
    if request.mimetype != "application/json" and not request.mimetype.endswith("+json"):
        raise ApiError(415, "send the records as application/json")
    limit = int(current_app.config.get("RPM_API_MAX_BYTES", DEFAULT_MAX_BYTES))
    request.max_content_length = limit
    try:
        body = json.loads(request.get_data())
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser's stack
        raise ApiError(400, "the body is not valid JSON") from None
    if _has_nul(body):  # PostgreSQL cannot store text with NUL; no field needs one
        raise ApiError(400, "a string in the body has a NUL character (\\u0000)")
    if not isinstance(body, dict) or not isinstance(body.get("records"), list) or set(body) != {"records"}:
        raise ApiError(422, 'the body must be an object {"records": [...]}', errors=[])
    if len(body["records"]) > MAX_RECORDS:
        raise ApiError(413, f"at most {MAX_RECORDS} records per request; split the batch")
    return body["records"]


def _has_nul(value: Any) -> bool:
    """True when any string in the parsed JSON (object keys too) contains U+0000; a stack, not recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack += [*item.keys(), *item.values()]
        elif isinstance(item, list):
            stack += item
    return False


def ingest(kind: Kind) -> Response:
    """Check a batch and import it whole, or import nothing and list every problem."""
    key = authenticate()
    records = read_records()
    try:
        report = import_records(kind, key.organisation_id, records)
    except ForeignProgramme as error:
        raise ApiError(403, str(error)) from None
    if report.problems:
        detail = "nothing was imported: fix every listed record and send the whole batch again"
        raise ApiError(422, detail, **report.as_json(), errors=[p.as_json() for p in report.problems])
    return jsonify(report.as_json())


def _view(kind: Kind) -> Callable[[], Response]:
    def view() -> Response:
        return ingest(kind)

    view.__doc__ = f"Import {kind.value} records."
    return view


for _kind in Kind:
    bp.add_url_rule(f"/v1/{_kind.value}", _kind.name.lower(), _view(_kind), methods=["POST"])
