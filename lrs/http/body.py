"""Read a JSON request body without letting bad input become a 500."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, request

from lrs.xapi.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType

MAX_DEPTH = 64


def _depth_ok(text: str) -> bool:
    """Cheap pre-scan: nesting deeper than any real statement is refused before the parser recurses."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return False
        elif char in "]}":
            depth -= 1
    return True


def read_json_body() -> Any:
    """Return the parsed JSON body.

    :raises PayloadTooLarge: above LRS_MAX_BODY_BYTES.
    :raises UnsupportedMediaType: when the body is not declared as JSON.
    :raises BadRequest: on malformed or absurdly nested JSON.
    """
    limit = current_app.config["LRS_MAX_BODY_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"the body is larger than this LRS accepts ({limit} bytes)")
    if request.mimetype != "application/json":
        raise UnsupportedMediaType(f"send statements as application/json, not {request.mimetype or 'no type'!r}")
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        raise PayloadTooLarge(f"the body is larger than this LRS accepts ({limit} bytes)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the body is not UTF-8 text") from None
    if not _depth_ok(text):
        raise BadRequest(f"the JSON is nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise BadRequest(f"the body is not valid JSON: {exc}") from None
