"""Helpers of the access-log tests: a plausible entry, and reading the log back."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from learning.audit.chain import Fields
from learning.audit.models import AccessLogEntry
from learning.db import db


def fields(n: int = 1, **overrides: str) -> Fields:
    """A plausible entry: a manager reading an environment's dashboard."""
    values = {"actor": f"user:{n}", "actor_role": "manager", "action": "dashboard.read",
              "subject": f"environment:{n}", "purpose": "dashboards.environment",
              "path": f"/dashboards/environments/{n}"}  # fmt: skip
    values.update(overrides)
    return Fields(at=datetime(2026, 11, 3, 9, 30, n % 60, 123456, tzinfo=UTC), **values)


def entries() -> list[tuple[str, str, str, str]]:
    """Every entry as (actor, action, subject, path), oldest first (call inside an app context)."""
    rows = db.session.execute(
        select(AccessLogEntry.actor, AccessLogEntry.action, AccessLogEntry.subject, AccessLogEntry.path).order_by(
            AccessLogEntry.id
        )
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]
