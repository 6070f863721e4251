"""Small request helpers shared by the LMS views."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Collection
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, g, render_template, request
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin, current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from learning.db import RETRY_AFTER_SECONDS, storage_problem
from learning.form_bodies import FormBodyRequest

log = logging.getLogger("vtc.web")


def safe_next_url(target: str | None) -> str | None:
    """Return target only when it stays on this site (no open redirect after log-in)."""
    if not target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None  # a newline cannot go into a Location header (werkzeug raises: a 500 instead of a redirect)
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def is_htmx_fragment_request() -> bool:
    """True when htmx asks for a fragment; a history restore needs the whole page."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)


def add_security_headers(response: Response) -> Response:
    """Keep author text and any injected markup from running script, framing us or leaking referrers.

    A header a view set itself is left as it is. The names present are read once: werkzeug's `setdefault` looks
    through the headers and raises (and catches) a KeyError for each missing one, four per response."""
    headers = response.headers
    present = {name.lower() for name, _value in headers.items()}
    for name, value in SECURITY_HEADERS:
        if name.lower() not in present:
            headers.add(name, value)
    return response


class App(Flask):
    """Flask, with a cheaper `ensure_sync` for plain functions, and forms parsed by learning/form_bodies.py (every
    request of the app, the LMS's and the LRS's alike).

    Flask asks `inspect.iscoroutinefunction` about every hook and view on every request (fourteen times for a
    learner's page, ~1 us each); a plain `def` (or a method of one) is returned as it is, as Flask would, after a
    look at its code flags. Anything else (a partial, a callable object, a coroutine function) goes to Flask."""

    request_class = FormBodyRequest

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        code = getattr(func, "__code__", None)
        if (
            code is not None
            and not code.co_flags & _ASYNC_FLAGS
            and getattr(func, "_is_coroutine_marker", None) is None
        ):
            return func
        return super().ensure_sync(func)


_ASYNC_FLAGS = inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR


def refuse_nul_characters(blueprints: Collection[str]) -> Callable[[], None]:
    """Return a before_request hook that answers 400 to a form, query or path of these (the LMS's page) blueprints
    with a NUL character in it: no field needs one, and PostgreSQL refuses text with NUL, so it used to surface as a 500
    wherever the value reached a query (log-in, registration...). APIs that read the raw body (the LRS's
    documents may be forms) are left alone: reading request.form here would consume their body."""

    def refuse() -> None:
        if request.blueprint not in blueprints:
            return
        if "\x00" in request.path:  # the decoded path: what the URL's values (view_args) are taken from
            abort(400)
        fields = [*request.args.items(multi=True)] if request.query_string else []  # most pages have no query
        if request.mimetype in FORM_TYPES:
            fields += request.form.items(multi=True)
        if any("\x00" in key or "\x00" in value for key, value in fields):
            abort(400)

    return refuse


FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def render_error(error: HTTPException) -> tuple[str, int]:
    """Show an error page in the learner's language with a way forward."""
    code = error.code or 500
    messages = {
        400: _("Something in the form was not right. Go back and try again."),
        403: _("You do not have access to this page."),
        404: _("This page does not exist (any more)."),
        405: _("This page cannot be used that way."),
        413: _("What you sent is too large."),
        429: _("Too many attempts. Wait a while and try again."),
    }
    message = messages.get(code, _("Something went wrong on our side. Please try again later."))
    if error.description and error.description != type(error).description:
        message = error.description  # a view's own explanation (abort(404, description=…)), already translated
    return render_template("error.html", code=code, message=message), code


def render_database_unavailable(error: Exception) -> tuple[str, int, dict[str, str]]:
    """The database cannot be reached or cannot take a write: a plain page (503, 507 for a full disk) that says
    nothing was saved and when to try again, instead of a 500. The page is rendered as for a visitor: showing the
    person's own menu would need the database that just failed."""
    problem = storage_problem(error)
    level = logging.WARNING if problem == "unreachable" else logging.ERROR  # a full or read-only disk needs a person
    reason = str(getattr(error, "orig", error)).split("\n", 1)[0]  # no traceback per request while it is away
    log.log(level, "database %s on %s: %s", problem, request.path, reason)
    g._login_user = AnonymousUserMixin()  # Flask-Login's cache: the menu must not load the account again
    messages = {
        "unreachable": _("We cannot reach our database right now. What you just sent has not been saved. "
                         "Try again in a minute."),
        "read-only": _("We cannot save anything right now. What you just sent has not been saved. "
                       "Try again later."),
        "full": _("Our server has no room left to save anything. What you just sent has not been saved. "
                  "Try again later."),
    }  # fmt: skip
    status = 507 if problem == "full" else 503
    page = render_template("error.html", code=status, message=messages[problem])
    return page, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def render_csrf_error(error: CSRFError) -> tuple[str, int, dict[str, str]]:
    """An expired or missing form token: explain it instead of a bare 400.

    The form token lives in the session, so an ended session shows up here first, before any log-in check; the
    header tells the page's script which of the two it was, so it can ask the learner to log in again.
    """
    message = _("This form has expired or was not sent from this site. Reload the page and try again.")
    reason = "logged-out" if not current_user.is_authenticated else "expired"
    return render_template("error.html", code=400, message=message), 400, {"X-VTC-Form-Error": reason}
