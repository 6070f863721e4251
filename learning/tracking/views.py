"""Publish the RPM xAPI Profile at its own IRI, so the profile and every concept IRI in it resolve on this site."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app
from werkzeug.exceptions import HTTPException, default_exceptions

from learning.tracking.profile import PROFILE_PATH, VERSION, RpmIris, build_profile, find_concept

bp = Blueprint("tracking", __name__)
JSON_LD = "application/ld+json"


def _json_ld(document: dict[str, Any], status: int = 200) -> Response:
    response = Response(json.dumps(document, ensure_ascii=False, indent=2), status=status, mimetype=JSON_LD)
    response.headers["Access-Control-Allow-Origin"] = "*"  # a public vocabulary: profile tools fetch it anywhere
    return response


def _json_error(error: HTTPException) -> Response:
    """Profile tools read JSON: every error of these routes (a 500 too, without internals) is JSON, not the LMS's
    HTML page. Registered per code: Flask prefers the app's handler for a code over a blueprint's class handler."""
    return _json_ld({"error": error.description or error.name}, error.code or 500)


for _code in default_exceptions:
    bp.register_error_handler(_code, _json_error)


@bp.get(PROFILE_PATH)
@bp.get(f"{PROFILE_PATH}/{VERSION}")
def profile() -> Response:
    """Return the whole profile (its id and its version id both name it)."""
    return _json_ld(build_profile(current_app.config["XAPI_BASE_IRI"]))


@bp.get(f"{PROFILE_PATH}/<path:name>")
def concept(name: str) -> Response:
    """Return one verb, activity type, extension or template of the profile by the path of its IRI."""
    base = current_app.config["XAPI_BASE_IRI"]
    found = find_concept(base, f"{RpmIris(base).profile}/{name}")
    if found is None:
        return _json_ld({"error": f"the RPM profile has no concept {name!r}"}, 404)
    return _json_ld(found)
