"""One error format for the xAPI API: JSON with a message a client developer can act on, never a stack trace."""

from __future__ import annotations

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

from lrs.xapi.errors import XapiError


def xapi_error_response(status: int, message: str) -> Response:
    """Return the JSON body every LRS error uses."""
    response = jsonify({"error": {"status": status, "message": message}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="xAPI"'
    return response


def handle_xapi_error(error: XapiError) -> Response:
    """Turn a refused request into its xAPI status and message."""
    return xapi_error_response(error.status, error.message)


def handle_http_error(error: HTTPException) -> Response:
    """Keep Werkzeug's own errors (413, 405, 404) in the same JSON shape for API clients."""
    return xapi_error_response(error.code or 500, error.description or error.name)
