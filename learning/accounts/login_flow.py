"""What happens after a password was proven: a full log-in, or first the second factor (mfa.py).

Half-way (password right, code not yet given) the session holds only a note of who is expected and where they
were going; the person stays anonymous to Flask-Login, so every page that needs a log-in refuses them exactly as
it refuses a visitor. The note lasts PENDING_MAX_AGE: a password typed on a ward computer and left there does
not stay usable.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from flask import current_app, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from learning.accounts import devices, mfa
from learning.accounts.loading import session_user
from learning.accounts.models import User

PENDING = "mfa_pending"  # {"id": "<user id>:<session version>", "next": path or None, "at": epoch seconds}
NEW_SECRET = "mfa_new"  # noqa: S105 — a session key, not a secret. Holds the secret being set up, encrypted: it must survive from the page to its form
AUTH_AT = "auth_at"  # when the password (and code) were last proven in this session, epoch seconds
SECOND_FACTOR = "mfa_ok"  # this session proved the second factor
PENDING_MAX_AGE = timedelta(minutes=10)
# Pages a half-logged-in or not-yet-enrolled person may still reach: the factor's own pages and leaving.
API_BLUEPRINTS = {"xapi", "rpm_api"}  # credentials per request, no session: nothing to check
OPEN_ENDPOINTS = {"static", "mfa.code", "mfa.setup", "accounts.logout", "accounts.login", "accounts.set_language"}


def secret_keys() -> list[str]:
    """The app's secret key and its fallbacks: what the stored TOTP secrets are encrypted with."""
    fallbacks = current_app.config.get("SECRET_KEY_FALLBACKS") or []
    return [str(current_app.secret_key or ""), *(str(key) for key in fallbacks)]


def after_password(user: User, next_url: str | None) -> Response:
    """Log the person in, or, for a role that needs a second factor, ask for it (or its set-up) first."""
    if not mfa.requires_mfa(user):
        return complete_login(user, next_url)
    session.clear()  # a fresh session: nothing of an earlier visitor's session carries over
    session[PENDING] = {"id": user.get_id(), "next": next_url, "at": time.time()}
    return redirect(url_for("mfa.code" if mfa.is_enrolled(user) else "mfa.setup"))


def complete_login(user: User, next_url: str | None, response: Response | None = None) -> Response:
    """Start the logged-in session (a new one: no session fixation) and remember this device."""
    known = devices.read(current_app, request)
    session.clear()
    login_user(user)
    session.permanent = True
    session["locale"] = user.locale
    session[AUTH_AT] = time.time()
    if mfa.requires_mfa(user):
        session[SECOND_FACTOR] = True
    response = response or redirect(next_url or url_for("catalog.index"))
    devices.remember(current_app, response, known, user.id)
    return response


def pending() -> tuple[User, dict[str, Any]] | None:
    """The account half-way through logging in, with its note; None when there is none, or it is too old, or the
    account logged out, changed its password or ended since (its session version moved on)."""
    note = session.get(PENDING)
    if not isinstance(note, dict) or not isinstance(note.get("at"), int | float):
        return None
    if time.time() - note["at"] > PENDING_MAX_AGE.total_seconds():
        session.pop(PENDING, None)
        return None
    user = session_user(str(note.get("id", "")))
    if user is None or not mfa.requires_mfa(user):
        return None
    return user, note


def require_second_factor() -> Response | None:
    """before_request: a logged-in session of a role that needs a second factor but never proved one (the role
    was given while the person was logged in) goes back to the code or set-up page; the page asked for is kept."""
    if request.blueprint in API_BLUEPRINTS or request.endpoint in OPEN_ENDPOINTS or session.get(SECOND_FACTOR):
        return None
    if not current_user.is_authenticated:
        return None
    user = current_user._get_current_object()
    if not mfa.requires_mfa(user):
        return None
    next_url = request.full_path.rstrip("?") if request.method == "GET" else None
    logout_user()
    return after_password(user, next_url)


def recently_authenticated(max_age: timedelta) -> bool:
    at = session.get(AUTH_AT)
    return isinstance(at, int | float) and time.time() - at <= max_age.total_seconds()


def mark_authenticated() -> None:
    session[AUTH_AT] = time.time()
