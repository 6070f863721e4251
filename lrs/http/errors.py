"""One error format for the xAPI API: JSON with a message a client developer can act on, never a stack trace.

Every way a request under /xapi can fail ends here, not on the LMS's HTML error page: the LRS's own refusals
(XapiError), Werkzeug's (404, 405, 413, ...), an unreachable database (503 with Retry-After: the client should send
again, nothing was stored) and an unexpected exception (500; Flask has already logged it with its traceback).
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError, default_exceptions

from lrs.store.engine import storage_problem
from lrs.xapi.errors import XapiError

log = logging.getLogger("vtc.lrs")
RETRY_AFTER_SECONDS = 30
"""How long a client should wait before sending again while the database is unreachable."""
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (OperationalError, InterfaceError, PoolTimeout)
"""What SQLAlchemy raises when it cannot reach the database (refused, timed out, dropped, locked, pool exhausted)."""


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
    """Keep Werkzeug's own errors (413, 405, 404, and 500 for an unexpected exception) in the same JSON shape."""
    if isinstance(error, InternalServerError):
        original = error.original_exception
        if isinstance(original, DATABASE_UNAVAILABLE):
            return handle_database_unavailable(original)
        return xapi_error_response(500, "the LRS failed on this request; it has been logged, nothing was stored")
    return xapi_error_response(error.code or 500, error.description or error.name)


UNAVAILABLE = {
    "unreachable": (503, "the LRS's database is unavailable; nothing was stored, send again later"),
    "read-only": (503, "the LRS's database is read-only at the moment; nothing was stored, send again later"),
    "full": (507, "the LRS's storage is full; nothing was stored, send again once an administrator has made room"),
}


def handle_database_unavailable(error: Exception) -> Response:
    """The database cannot be reached, or cannot take a write: 503 (507 for a full disk) and when to try again,
    not a 500 (the request itself was fine)."""
    problem = storage_problem(error)
    level = logging.WARNING if problem == "unreachable" else logging.ERROR  # a full disk needs a person
    # the driver's first line says it all (refused, timed out, full); a traceback per refused request would flood
    # the log for as long as the database is away
    log.log(level, "database %s: %s", problem, str(getattr(error, "orig", error)).split("\n", 1)[0])
    status, message = UNAVAILABLE[problem]
    response = xapi_error_response(status, message)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def register_error_handlers(bp: Blueprint) -> None:
    """Answer every error of the blueprint's routes in JSON.

    By status code as well as by class: Flask prefers the app's handler for a code (the LMS's HTML page) over a
    blueprint's handler for a class.
    """
    bp.register_error_handler(XapiError, handle_xapi_error)
    for cls in DATABASE_UNAVAILABLE:
        bp.register_error_handler(cls, handle_database_unavailable)
    for code in default_exceptions:
        bp.register_error_handler(code, handle_http_error)
    bp.register_error_handler(HTTPException, handle_http_error)
