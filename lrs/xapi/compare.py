"""Statement equality as the spec's immutability rule needs it: same id, same content, LRS-set fields aside."""

from __future__ import annotations

from typing import Any

LRS_SET = ("stored", "authority", "version")


def _comparable(statement: dict[str, Any], *, drop_timestamp: bool) -> dict[str, Any]:
    drop = set(LRS_SET) | ({"timestamp"} if drop_timestamp else set())
    return {k: v for k, v in statement.items() if k not in drop}


def is_same_statement(incoming: dict[str, Any], stored: dict[str, Any]) -> bool:
    """Return whether a re-sent statement matches what is stored (so the LRS may answer without a conflict)."""
    drop_timestamp = "timestamp" not in incoming
    return _comparable(incoming, drop_timestamp=drop_timestamp) == _comparable(stored, drop_timestamp=drop_timestamp)
