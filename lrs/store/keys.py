"""Index keys for IRIs and agent identifiers of any length.

Values up to KEY characters are stored as they are (readable, and the common case); longer ones as a SHA-256
digest with a prefix no IRI can have, so equality lookups still work and no insert can fail on index size.
"""

from __future__ import annotations

import hashlib

from lrs.store.tables import KEY

PREFIX = "#sha256:"


def index_key(value: str) -> str:
    """Return the value to store and query in an indexed column."""
    if len(value) <= KEY:
        return value
    return PREFIX + hashlib.sha256(value.encode()).hexdigest()


def optional_key(value: str | None) -> str | None:
    """Return index_key(value), keeping None."""
    return None if value is None else index_key(value)
