"""Forwarding targets: one external LRS per credential, its health, and the lease of the run sending to it.

A target is sent to by one delivery run at a time (a lease, not a transaction held over HTTP): batches then
reach the target in stored order, and a run that dies only delays its target until the lease runs out (or, for a
run on the same host, until another process sees that its process is gone: lrs/service/forwarding/owners.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, Row, exists, or_, select, update

from lrs.store.tables import forward_queue, forward_target


@dataclass(frozen=True)
class ForwardTarget:
    id: int
    credential_key: str
    endpoint: str
    username: str
    secret_token: str  # encrypted; only the service layer holds the key
    version: str
    active: bool
    failures: int
    retry_at: datetime | None
    last_error: str | None
    last_success_at: datetime | None


def _to_target(row: Row[tuple[object, ...]]) -> ForwardTarget:
    return ForwardTarget(**{name: getattr(row, name) for name in ForwardTarget.__dataclass_fields__})


def save_target(
    conn: Connection, credential_key: str, endpoint: str, username: str, secret_token: str | None, version: str,
    now: datetime,
) -> int:  # fmt: skip
    """Create or replace the credential's target (active, health reset); None keeps the stored secret.

    :raises LookupError: when a new target is given no secret.
    """
    values = {"endpoint": endpoint, "username": username, "version": version, "active": True}
    values |= {"failures": 0, "retry_at": None, "last_error": None}
    if secret_token is not None:
        values["secret_token"] = secret_token
    found = conn.execute(
        select(forward_target.c.id).where(forward_target.c.credential_key == credential_key)
    ).scalar_one_or_none()
    if found is not None:
        conn.execute(update(forward_target).where(forward_target.c.id == found).values(values))
        return int(found)
    if secret_token is None:
        raise LookupError("a new forwarding target needs its secret")
    insert = forward_target.insert().values(credential_key=credential_key, created_at=now, **values)
    return int(conn.execute(insert.returning(forward_target.c.id)).scalar_one())


def get_target(conn: Connection, credential_key: str) -> ForwardTarget | None:
    """Return the target of a credential, active or not."""
    row = conn.execute(select(forward_target).where(forward_target.c.credential_key == credential_key)).first()
    return None if row is None else _to_target(row)


def list_targets(conn: Connection) -> list[ForwardTarget]:
    """Return every target, oldest first."""
    return [_to_target(row) for row in conn.execute(select(forward_target).order_by(forward_target.c.id))]


def active_credential_keys(conn: Connection) -> set[str]:
    """Return the credentials whose statements are being forwarded."""
    query = select(forward_target.c.credential_key).where(forward_target.c.active.is_(True))
    return set(conn.execute(query).scalars())


def set_active(conn: Connection, credential_key: str, active: bool) -> bool:
    """Pause or resume forwarding; return False when the credential has no target."""
    changes = {"active": active} | ({"failures": 0, "retry_at": None} if active else {})
    result = conn.execute(
        update(forward_target).where(forward_target.c.credential_key == credential_key).values(changes)
    )
    return result.rowcount == 1


def claim_target(
    conn: Connection, owner: str, now: datetime, until: datetime, *, force: bool, skip: set[int]
) -> ForwardTarget | None:
    """Lease one active target that has statements due, or return None when none is free.

    force disregards the target's back-off (an administrator says it is back), not that of rejected statements.

    PostgreSQL skips targets another worker is claiming at this moment (FOR … UPDATE SKIP LOCKED); SQLite
    serialises writers, so there the claim is a single UPDATE, which never upgrades a stale read snapshot.
    """
    due = forward_queue.c.dead_at.is_(None) & (forward_queue.c.next_attempt_at <= now)
    candidates = select(forward_target.c.id).where(
        forward_target.c.active.is_(True),
        or_(forward_target.c.lease_until.is_(None), forward_target.c.lease_until < now),
        exists().where(forward_queue.c.target_id == forward_target.c.id, due),
    )
    if not force:
        candidates = candidates.where(or_(forward_target.c.retry_at.is_(None), forward_target.c.retry_at <= now))
    if skip:
        candidates = candidates.where(forward_target.c.id.not_in(skip))
    candidates = candidates.order_by(forward_target.c.id).limit(1)
    if conn.dialect.name == "postgresql":
        # NO KEY UPDATE: writers queueing statements hold a KEY SHARE lock on the target (the foreign key), and
        # that must neither block them nor make the claim skip the target.
        locked = candidates.with_for_update(skip_locked=True, key_share=True, of=forward_target)
        chosen = conn.execute(locked).scalar_one_or_none()
        if chosen is None:
            return None
        return _take_lease(conn, forward_target.c.id == chosen, owner, now, until)
    return _take_lease(conn, forward_target.c.id == candidates.correlate(None).scalar_subquery(), owner, now, until)


def _take_lease(
    conn: Connection, which: ColumnElement[bool], owner: str, now: datetime, until: datetime
) -> ForwardTarget | None:
    """Set the lease if it is still free: the WHERE is re-checked under the row lock, so one claimant wins."""
    free = or_(forward_target.c.lease_until.is_(None), forward_target.c.lease_until < now)
    row = conn.execute(
        update(forward_target)
        .where(which, free)
        .values(lease_owner=owner, lease_until=until)
        .returning(*forward_target.c)
    ).first()
    return None if row is None else _to_target(row)


def renew_lease(conn: Connection, target_id: int, owner: str, until: datetime) -> bool:
    """Extend a lease before a slow send; False when this run no longer holds it (it expired and was taken)."""
    result = conn.execute(
        update(forward_target)
        .where(forward_target.c.id == target_id, forward_target.c.lease_owner == owner)
        .values(lease_until=until)
    )
    return result.rowcount == 1


def release_target(conn: Connection, target_id: int, owner: str) -> None:
    """Give the target back, so the next run need not wait for the lease to run out."""
    conn.execute(
        update(forward_target)
        .where(forward_target.c.id == target_id, forward_target.c.lease_owner == owner)
        .values(lease_owner=None, lease_until=None)
    )


def record_failure(conn: Connection, target_id: int, error: str, retry_at: datetime) -> None:
    """Note that the target as a whole failed (down, 5xx, refused our key) and leave it alone until retry_at."""
    conn.execute(
        update(forward_target)
        .where(forward_target.c.id == target_id)
        .values(failures=forward_target.c.failures + 1, retry_at=retry_at, last_error=error[:2000])
    )


def record_success(conn: Connection, target_id: int, now: datetime) -> None:
    """Note that the target took statements: its failure streak is over."""
    conn.execute(
        update(forward_target)
        .where(forward_target.c.id == target_id)
        .values(failures=0, retry_at=None, last_error=None, last_success_at=now)
    )


def running_leases(conn: Connection, now: datetime) -> list[tuple[int, str]]:
    """(target id, owner) of every lease that has not run out yet."""
    rows = conn.execute(
        select(forward_target.c.id, forward_target.c.lease_owner).where(
            forward_target.c.lease_owner.is_not(None), forward_target.c.lease_until >= now
        )
    )
    return [(int(target_id), str(owner)) for target_id, owner in rows]
