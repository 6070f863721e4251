"""Every administrative change goes into the access log: who, when, what, and whom or which it concerned.

Entries are written after the change is committed: the log appends on its own connection, and SQLite allows one
writer at a time, so logging inside the change's transaction would wait on itself. Subjects name things by id
("user:12", "team:3", "invitation:7"; a curriculum "programme:4 role:hf_nurse"), never by name or e-mail, like
every other entry of the log.
"""

from __future__ import annotations

from flask import has_request_context, request

from learning.admin.scope import Actor
from learning.audit.chain import Fields
from learning.audit.service import append
from learning.db import utcnow

ACTIONS = (
    "admin.organisation.create",
    "admin.organisation.update",
    "admin.organisation.sso",
    "admin.organisation.sso_remove",
    "admin.team.create",
    "admin.team.update",
    "admin.person.create",
    "admin.person.update",
    "admin.person.end",
    "admin.person.restore",
    "admin.person.mfa_reset",
    "admin.person.sso_unlink",
    "admin.line_manager.set",
    "admin.invitation.create",
    "admin.invitation.revoke",
    "admin.import.staff",
    "admin.import.patients",
    "admin.environment.create",
    "admin.environment.update",
    "admin.programme.create",
    "admin.programme.update",
    "admin.programme.end",
    "admin.programme.norms",
    "admin.curriculum.set",
    "admin.curriculum.remove",
    "admin.role.create",
    "admin.role.update",
    "admin.role.remove",
)


def record(actor: Actor, action: str, subject: str) -> int:
    """Append one entry for a committed change; return its id."""
    if action not in ACTIONS:  # a typo must fail in tests, not write an entry the log page cannot name
        raise ValueError(f"unknown admin action {action!r}")
    if has_request_context():
        purpose, path = request.endpoint or request.path, request.path
    else:
        purpose, path = "flask admin", "cli"
    return append(Fields(utcnow(), actor.label, actor.role, action, subject, purpose, path))
