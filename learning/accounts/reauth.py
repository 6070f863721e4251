"""Prove it is you again before a sensitive action, when the last proof is older than a few minutes.

Sensitive: making or rotating LRS credentials, downloading personal data, changing someone's role, resetting
someone's second factor. An open session on a shared computer (or a stolen session cookie) must not be enough
for these, so the person types the password again, and a code when the role has a second factor.

How a form is kept: a POST that arrives without a recent proof gets a page asking for the password (and code)
whose form posts *back to the same address* with every field that was sent as a hidden field. When the
proof is right the original view runs with what was entered, as if nothing happened; nothing is lost.
A GET (a download) goes to /account/confirm and comes back to its address afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from flask import Flask, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from learning.accounts import login_flow, mfa, services
from learning.accounts.links import LINK_ROLES
from learning.accounts.models import User

DEFAULT_MAX_AGE = timedelta(minutes=10)
FIELDS = ("reauth_password", "reauth_code")


def max_age() -> timedelta:
    """REAUTH_MAX_AGE (a timedelta, or seconds from an LMS_ environment variable)."""
    value = current_app.config.get("REAUTH_MAX_AGE", DEFAULT_MAX_AGE)
    return value if isinstance(value, timedelta) else timedelta(seconds=float(value))


def needs_code(user: User) -> bool:
    return mfa.requires_mfa(user) and mfa.is_enrolled(user)


def enforce() -> Response | None:
    """None when the action may go on (recent proof, or a right one just submitted); else the page that asks."""
    if not current_user.is_authenticated:
        return None  # the view's own log-in check answers
    user = current_user._get_current_object()
    if request.method == "POST" and FIELDS[0] in request.form:
        problem = check_submitted(user)
        if problem is None:
            return None
        return page(problem[0], action=request.full_path.rstrip("?"), keep=_kept(), status=problem[1])
    if login_flow.recently_authenticated(max_age()):
        return None
    if request.method == "GET":
        return redirect(url_for("mfa.confirm", next=request.full_path.rstrip("?")))
    return page(None, action=request.full_path.rstrip("?"), keep=_kept(), status=401)


def _kept() -> list[tuple[str, str]]:
    """The fields of the original form, to send again (not its token, which the page sends fresh)."""
    return [(k, v) for k, v in request.form.items(multi=True) if k not in {"csrf_token", "username", *FIELDS}]


def check_submitted(user: User) -> tuple[str, int] | None:
    """Check the password (and code) from the confirm form; None when right, else (message, status)."""
    client = request.remote_addr or ""
    try:
        services.confirm_password(user, request.form.get(FIELDS[0], ""), client)
        if needs_code(user):
            mfa.verify(user, request.form.get(FIELDS[1], ""), client, login_flow.secret_keys())
    except services.Throttled as exc:
        return _("Too many attempts. Try again in %(minutes)d minutes.", minutes=exc.minutes), 429
    except mfa.CodeWrong:
        return _("This code is not right. Type the 6 digits your app shows now. A code works only once."), 401
    except services.AccountError:
        return _("Your password is not right. Try again."), 401
    login_flow.mark_authenticated()
    return None


def page(
    problem: str | None, *, action: str, keep: dict[str, str] | Iterable[tuple[str, str]], status: int
) -> Response:
    """The confirm page: password, code when needed, and the original form's fields hidden. An account made at a
    log-in through the organisation has no password (its hash is a "!" marker): it is offered only that way."""
    user = current_user._get_current_object()
    pairs = list(keep.items()) if isinstance(keep, dict) else list(keep)
    html = render_template("accounts/reauth.html", problem=problem, action=action, keep=pairs,
                           needs_code=needs_code(user), minutes=int(max_age().total_seconds() // 60),
                           link_login=user.role in LINK_ROLES,
                           password_set=not user.password_hash.startswith("!"))  # fmt: skip
    response = current_app.make_response((html, status))
    response.headers["Cache-Control"] = "no-store"
    return response


def protect(app: Flask, blueprint: str, endpoints: set[str]) -> None:
    """Ask for a recent proof before these views of a blueprint run (after the blueprint's own checks, so a
    person who may not use the page at all gets its refusal, not a password question)."""

    def guard() -> Response | None:
        return enforce() if request.endpoint in endpoints else None

    app.before_request_funcs.setdefault(blueprint, []).append(guard)
