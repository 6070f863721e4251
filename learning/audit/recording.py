"""What the rest of the LMS calls to log a read: who and why come from the request, whose from the caller.

Subjects name people and places by id only ("user:12", "environment:3"), never by e-mail or name: the log itself
must not become a second copy of the personal data it guards.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping

from flask import request
from flask_login import current_user
from sqlalchemy import select

from learning.accounts.models import User
from learning.audit.chain import Fields
from learning.audit.service import append
from learning.db import db, utcnow

XAPI_READ = "xapi.statements.read"
XAPI_ROLE = "lrs-credential"
VALUE_LIMIT = 80  # characters of one xAPI query value in the subject (IRIs can be long)


def _actor() -> tuple[str, str]:
    if current_user and current_user.is_authenticated:
        return f"user:{current_user.id}", current_user.role.value
    return "anonymous", "anonymous"


def record_read(action: str, subject: str) -> int:
    """Log that the logged-in person (or an anonymous visitor) is being shown `subject`'s data; return the entry id.

    Call it after access was granted and before the data is sent, so a refused request leaves no entry and a
    read that cannot be logged does not happen.
    """
    actor, role = _actor()
    purpose = request.endpoint or request.path
    return append(Fields(utcnow(), actor, role, action, subject, purpose, request.path))


def record_statements_read(credential_key: str, params: Mapping[str, str], statements: int, path: str) -> int:
    """Log a read of statements over /xapi by an LRS credential; the subject summarises the query it ran."""
    subject = f"{statements} statement(s); " + (summarise_query(params, _account_holder) or "every statement")
    return append(
        Fields(utcnow(), f"lrs:{credential_key}", XAPI_ROLE, XAPI_READ, subject, "GET /xapi/statements", path)
    )


def summarise_query(params: Mapping[str, str], holder: Callable[[str], int | None] = lambda _name: None) -> str:
    """The query as `name=value` pairs, an agent reduced to its pseudonymous id (no e-mail address or name);
    `holder` tells which of our accounts has an account name, if any."""
    parts = []
    for name in sorted(params):
        value = _agent(params[name], holder) if name == "agent" else params[name]
        parts.append(f"{name}={value[:VALUE_LIMIT]}")
    return " ".join(parts)


def _account_holder(name: str) -> int | None:
    return db.session.scalar(select(User.id).where(User.xapi_pid == name)) if name else None


def _agent(value: str, holder: Callable[[str], int | None]) -> str:
    """One of our learners as `user:<id>` (as every other entry names a person, so a rotation of pseudonyms leaves
    the entry meaningful and an erasure finds it); another account agent by its account name; an e-mail address only
    as the SHA-1 that xAPI itself uses for it (mbox_sha1sum); an OpenID likewise hashed; a name never."""
    try:
        agent = json.loads(value)
    except ValueError:
        return "(not an agent)"
    if not isinstance(agent, dict):
        return "(not an agent)"
    account = agent.get("account")
    if isinstance(account, dict):
        name = str(account.get("name", ""))
        user_id = holder(name)
        return f"user:{user_id}" if user_id is not None else f"account:{name}"
    if isinstance(agent.get("mbox_sha1sum"), str):
        return f"mbox_sha1sum:{agent['mbox_sha1sum']}"
    for key in ("mbox", "openid"):
        if isinstance(agent.get(key), str):
            digest = hashlib.sha1(agent[key].encode("utf-8"), usedforsecurity=False).hexdigest()
            return f"{key}_sha1sum:{digest}"
    return "(an agent without an identifier)"
