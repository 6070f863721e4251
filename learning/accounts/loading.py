"""The logged-in person, read from the database on every request, at about 60 % of the cost of an ORM get.

Why: Flask-Login asks for the user on every logged-in request, and `db.session.get(User, id)` (ORM query
compilation, loading and identity bookkeeping) was the largest part of a request that renders nothing
(docs/performance.md). The row itself is still read every time, so a deactivated account, a role change, a logout
or a password change elsewhere takes effect on the very next request; nothing about the person is cached.

How: one Core SELECT of the account's columns on the request's own session connection (same transaction, same
error handling as every other query), and the row is handed to the ORM as an already-loaded, persistent User: views
and services get the same mapped object as before (relationships load lazily, changes are flushed, a commit expires
it as usual).
"""

from __future__ import annotations

from sqlalchemy import bindparam, select

from learning import first_reads
from learning.accounts.models import User
from learning.db import db
from learning.rows import all_columns, persistent

_BY_ID = select(*all_columns(User)).where(User.__table__.c.id == bindparam("user_id"))


def session_user(session_id: str) -> User | None:
    """Return the user of a session id "<id>:<version>" only while the version is current and the account active.

    Logout and a password change raise the account's version, so a copied cookie stops working at once; a
    deactivated account's sessions end at their next request.
    """
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None  # includes ids of cookies from before session versions: those sessions end
    user = _load(int(user_id))
    if user is None or user.session_version != int(version) or not user.is_active_account:
        return None
    return user


def _load(user_id: int) -> User | None:
    """The User with this id, persistent in the request's session, from one Core SELECT."""
    known = db.session().identity_map.get(User.__mapper__.identity_key_from_primary_key((user_id,)))
    if known is not None:
        return known  # type: ignore[no-any-return] # already loaded in this transaction (the log-in view)
    row = first_reads.with_account(_BY_ID, {"user_id": user_id}, user_id)  # and the page's first read, if known
    return None if row is None else persistent(User, row)
