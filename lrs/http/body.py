"""Read a JSON request body without letting bad input become a 500."""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from lrs.xapi.errors import BadRequest, PayloadTooLarge
from lrs.xapi.jsonload import load_json
from lrs.xapi.multipart import Attachment, parse_multipart_statements


def read_raw_body() -> bytes:
    """Return the body within LRS_MAX_BODY_BYTES.

    :raises PayloadTooLarge: above the limit (declared or actual).
    """
    limit = current_app.config["LRS_MAX_BODY_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"the body is larger than this LRS accepts ({limit} bytes)")
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        raise PayloadTooLarge(f"the body is larger than this LRS accepts ({limit} bytes)")
    return raw


def read_statements_body() -> tuple[Any, dict[str, Attachment]]:
    """Return the statement JSON and the attachment parts sent with it (none for application/json).

    :raises BadRequest: for another content type (the suite and spec want 400, not 415), or a body that is
        not valid JSON / multipart.
    """
    if request.mimetype == "application/json":
        return parse_json(read_raw_body()), {}
    if request.mimetype == "multipart/mixed":
        return parse_multipart_statements(read_raw_body(), request.headers.get("Content-Type", ""))
    raise BadRequest(
        f"send statements as application/json or multipart/mixed, not {request.mimetype or 'no content type'!r}"
    )


def parse_json(raw: bytes) -> Any:
    """Parse a JSON body with the LRS's one loader (one depth limit for bodies, multipart parts and JWS payloads).

    :raises BadRequest: naming what is wrong.
    """
    return load_json(raw, "the body")
