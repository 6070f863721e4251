"""The one JSON loader of the LRS: request bodies, the statements part of a multipart body, JWS headers and payloads,
agent parameters and merged documents all go through `load_json`, so they share one depth limit.

It also refuses strings holding U+0000: valid JSON, but no identifier or text in xAPI needs it, and PostgreSQL
cannot store it in a text column (identifiers are indexed as text), which made such a statement a 500.

Why one limit, and why 64: whatever is accepted is later serialised again (orjson.dumps when a statement is stored
and when a StatementResult is built, json.dumps when documents are merged), and orjson.dumps refuses anything nested
deeper than 254 levels (a TypeError: a 500 after the statement was half handled). A StatementResult wraps a
statement in two levels, and a statement puts an extension four levels down (object.definition.extensions.IRI), so
a limit far below 254 keeps every accepted document serialisable with room to spare, and no xAPI structure or ADL
conformance case comes near 64 levels.
"""

from __future__ import annotations

from typing import Any

import orjson

from lrs.xapi.errors import BadRequest

MAX_JSON_DEPTH = 64
"""Levels of arrays/objects a client's JSON may have (the top-level value is level 1)."""


def load_json(data: bytes | str, what: str) -> Any:
    """Parse UTF-8 JSON from a client, turning every way it can fail into a BadRequest naming ``what``.

    orjson parses (several times faster than json, no recursion on the C stack, refuses NaN/Infinity and invalid
    UTF-8, and stops at 1,024 levels); the parsed value is then measured without recursion against MAX_JSON_DEPTH.

    :raises BadRequest: not UTF-8, not JSON, or nested deeper than MAX_JSON_DEPTH.
    """
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        reason = str(exc)
        if "recursion" in reason.lower() or "depth" in reason.lower():
            raise BadRequest(f"{what} is JSON nested too deeply: deeper than {MAX_JSON_DEPTH} levels") from None
        if "utf-8" in reason.lower() or "surrogate" in reason.lower():
            raise BadRequest(f"{what} is not UTF-8 text") from None
        raise BadRequest(f"{what} is not valid JSON: {reason}") from None
    if json_depth(value) > MAX_JSON_DEPTH:
        raise BadRequest(f"{what} is JSON nested too deeply: deeper than {MAX_JSON_DEPTH} levels")
    if has_nul(value):
        raise BadRequest(f"{what} has a string with a NUL character (\\u0000), which no xAPI value needs")
    return value


def json_depth(value: Any) -> int:
    """Return how many levels of arrays/objects ``value`` has (a scalar: 0), walking with a stack, not recursion.

    Stops counting once past MAX_JSON_DEPTH: the caller only needs to know it is too deep.
    """
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def has_nul(value: Any) -> bool:
    """True when any string in ``value`` (object keys too) contains U+0000; walks with a stack, not recursion."""
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
