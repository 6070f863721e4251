"""The form token (against cross-site request forgery) of a page, signed once per session token per worker.

Why: Flask-WTF signs the session's raw token anew on every request that shows a form (a serializer built with key
derivation, then JSON, base64 and an HMAC): ~3 % of a learner page (docs/performance.md, fourth round). Here a
token has no time limit (WTF_CSRF_TIME_LIMIT is None: it lives as long as the session, so a long shift never loses a
form), so the token once signed for a session's raw token is exactly as valid as a new signature would be; each
worker keeps it by (secret, raw token). With a time limit set, every request signs afresh, as Flask-WTF does.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from flask import Flask, current_app, session
from flask_wtf.csrf import generate_csrf

SIGNED_TOKENS = 4096  # per worker, cleared when full

_signed: dict[tuple[Hashable, str], str] = {}


def form_token() -> str:
    """This session's form token, as generate_csrf gives it (a new session gets its raw token there)."""
    config = current_app.config
    raw = session.get(config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if not isinstance(raw, str) or config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return str(generate_csrf())
    key = (config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key, raw)
    token = _signed.get(key)
    if token is None:
        token = str(generate_csrf())
        if len(_signed) >= SIGNED_TOKENS:
            _signed.clear()
        _signed[key] = token
    return token


def _in_templates() -> dict[str, Callable[[], str]]:
    return {"csrf_token": form_token}


def init_app(app: Flask) -> None:
    """Templates' csrf_token() gives the kept token. Call after CSRFProtect, which offers generate_csrf both as a
    template global and from a context processor: this one runs after it and takes its place."""
    app.jinja_env.globals["csrf_token"] = form_token
    app.context_processor(_in_templates)
