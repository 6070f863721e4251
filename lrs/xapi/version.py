"""X-Experience-API-Version negotiation.

The spec requires every request to carry the header, every 1.0.x request to be accepted (answered as the
latest 1.0 patch), and everything older or newer than what we implement to be refused with 400.
"""

from __future__ import annotations

import re

from lrs.xapi.errors import BadRequest

HEADER = "X-Experience-API-Version"
SUPPORTED = ("1.0.0", "1.0.1", "1.0.2", "1.0.3", "2.0.0")
LATEST_BY_LINE = {(1, 0): "1.0.3", (2, 0): "2.0.0"}
"""Patch versions are interchangeable within a line, so each line is answered with its newest patch."""

_SEMVER = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*))?")


def negotiate(header: str | None) -> str:
    """Return the version this LRS answers a request with, or raise BadRequest saying what to send.

    "1.0" is accepted as "1.0.0" because the spec says so; any "1.0.x" or "2.0.x" patch is accepted
    because patches never change the wire format.
    """
    if header is None or not header.strip():
        raise BadRequest(f"{HEADER} header is required (send '1.0.3' or '2.0.0')")
    value = header.strip()
    match = _SEMVER.fullmatch(value)
    if match is None:
        raise BadRequest(f"{HEADER}: {value[:40]!r} is not a version number (send '1.0.3' or '2.0.0')")
    line = (int(match[1]), int(match[2]))
    if line not in LATEST_BY_LINE:
        raise BadRequest(f"{HEADER}: version {value!r} is not supported (supported: {', '.join(SUPPORTED)})")
    return LATEST_BY_LINE[line]


def is_v2(version: str) -> bool:
    """Tell 2.0 rules apart from 1.0.x rules, for the few places where the data model differs."""
    return version.startswith("2.")
