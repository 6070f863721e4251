"""The hash chain of the access log, without a database: how a row is hashed and how a run of rows is checked.

Each row's hash is SHA-256 over a canonical serialisation of its own fields and the previous row's hash, so
changing, deleting or inserting a row anywhere breaks the link at that row or the next. Kept apart from the
storage so the rule can be read (and re-implemented by an auditor) in one place.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS = "0" * 64
"""The prev_hash of the first row: nothing came before it."""

REDACTED = "(erased)"
"""What replaces a field that named a person whose account was erased (GDPR art. 17). The row keeps its id, time,
action, links and original hash, so the chain around it still verifies; its own hash can no longer be checked, so
every erasure declares how many entries it made anonymous in its own entry, and a walk from the first row refuses
more anonymous entries than were declared."""
ROTATION_ACTION = "privacy.rotate-pseudonyms"
"""A key rotation makes anonymous the (older) entries that named an xAPI account by a pseudonym now retired."""
ERASURE_ACTIONS = frozenset({"privacy.erase", "privacy.erase.self", ROTATION_ACTION})
_DECLARED = re.compile(r"; (\d+) access-log entr")


@dataclass(frozen=True)
class Fields:
    """What a row says, before it is chained (the hashed fields but id and prev_hash)."""

    at: datetime
    actor: str
    actor_role: str
    action: str
    subject: str
    purpose: str
    path: str


@dataclass(frozen=True)
class Link:
    """A stored row as the chain sees it."""

    id: int
    fields: Fields
    prev_hash: str
    hash: str


def canonical_time(at: datetime) -> str:
    """UTC with microseconds and a Z: the same text whatever zone the database driver hands the time back in."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def row_hash(row_id: int, fields: Fields, prev_hash: str) -> str:
    """Return the hash of a row: SHA-256 of a JSON array of its fields in a fixed order, UTF-8, no spaces."""
    values = [
        row_id,
        canonical_time(fields.at),
        fields.actor,
        fields.actor_role,
        fields.action,
        fields.subject,
        fields.purpose,
        fields.path,
        prev_hash,
    ]
    canonical = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Verdict:
    """The outcome of walking the chain: how many rows were checked, and the first broken one, if any."""

    checked: int
    broken_id: int | None = None
    reason: str = ""  # a key of REASONS
    head_id: int | None = None
    head_hash: str = GENESIS
    from_start: bool = True  # False: only the newest entries were checked, from a stored row onwards
    redacted: int = 0  # entries made anonymous by an erasure, whose own hash could not be checked

    @property
    def intact(self) -> bool:
        return self.broken_id is None


def walk(links: Iterable[Link], after: Link | None = None) -> Verdict:
    """Check rows in id order: each must follow the previous id, point at its hash, and hash to what it stores.

    Stops at the first broken row and names it: an edited row breaks its own hash; a deleted row breaks the next
    row's link (or the first row's link to the genesis); a row slipped in breaks its own link or the next one's.
    With `after`, the rows follow that stored row, whose hash is taken as it is (a check of the newest rows only).
    """
    checked, previous_id, previous_hash = 0, after.id if after else None, after.hash if after else GENESIS
    start = after is None
    redacted, declared, last_redacted = 0, 0, 0
    for link in links:
        reason = _fault(link, previous_id, previous_hash)
        if reason:
            return Verdict(checked, link.id, reason, previous_id, previous_hash, from_start=start, redacted=redacted)
        if is_redacted(link.fields):
            redacted, last_redacted = redacted + 1, link.id
        declared += _declared(link.fields)
        checked, previous_id, previous_hash = checked + 1, link.id, link.hash
    if start and redacted > declared:  # rows made anonymous that no erasure accounts for: hidden changes
        return Verdict(checked, last_redacted, UNDECLARED, previous_id, previous_hash, redacted=redacted)
    return Verdict(checked, head_id=previous_id, head_hash=previous_hash, from_start=start, redacted=redacted)


def is_redacted(fields: Fields) -> bool:
    """Whether an erasure made this row anonymous (some of its fields replaced by REDACTED)."""
    return REDACTED in (fields.actor, fields.subject, fields.path)


def _declared(fields: Fields) -> int:
    if fields.action not in ERASURE_ACTIONS:
        return 0
    match = _DECLARED.search(fields.subject)
    return int(match.group(1)) if match else 0


GAP, LINK, CHANGED, UNDECLARED = "gap", "link", "changed", "undeclared"
REASONS = {
    UNDECLARED: "more entries were made anonymous than the erasures recorded in the log declare",
    GAP: "the rows between it and the previous one are missing (deleted)",
    LINK: "its prev_hash is not the previous row's hash: a row before it was deleted, or it was put in later",
    CHANGED: "its fields do not match its hash: the row was changed after it was written",
}
"""Why a row breaks the chain, by code (the page shows them translated)."""


def _fault(link: Link, previous_id: int | None, previous_hash: str) -> str:
    if previous_id is not None and link.id != previous_id + 1:
        return GAP
    if link.prev_hash != previous_hash:
        return LINK
    if not is_redacted(link.fields) and row_hash(link.id, link.fields, link.prev_hash) != link.hash:
        return CHANGED
    return ""
