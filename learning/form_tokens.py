"""The form token (against cross-site request forgery) of a page, signed once per session token per worker.

Why: Flask-WTF signs the session's raw token anew on every request that shows a form (a serializer built with key
derivation, then JSON, base64 and an HMAC): ~3 % of a learner page (docs/performance.md, fourth round). Here a
token has no time limit (WTF_CSRF_TIME_LIMIT is None: it lives as long as the session, so a long shift never loses a
form), so the token once signed for a session's raw token is exactly as valid as a new signature would be; each
worker keeps it by (secret, raw token). With a time limit set, every request signs afresh, as Flask-WTF does.

The same holds when a form comes back: a token this worker signed or verified for the session's raw token is valid
without checking its signature again (~70 us of an answer's ~1.5 ms). KeptTokenCSRF accepts it and applies every
other rule of Flask-WTF's check (methods, exemptions, the HTTPS referrer); any other token gets the full check and,
once it passes, is kept too.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Hashable

from flask import Flask, current_app, g, request, session
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf, same_origin

# the marks of learning/fragments.py, defined here: fragments.py puts form tokens in, so it imports this module
CSRF = "vtc-mark-csrf-8c1e"
KEEP_MARKS = "_vtc_keep_marks"

SIGNED_TOKENS = 4096  # per worker, cleared when full

_signed: dict[tuple[Hashable, str], str] = {}


def _kept_key() -> tuple[Hashable, str] | None:
    """The key of this session's kept token, or None when tokens may not be kept (a time limit, no raw token yet)."""
    config = current_app.config
    raw = session.get(config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if not isinstance(raw, str) or config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return None
    return (config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key, raw)


def _keep(key: tuple[Hashable, str], token: str) -> None:
    if len(_signed) >= SIGNED_TOKENS:
        _signed.clear()
    _signed[key] = token


def form_token() -> str:
    """This session's form token, as generate_csrf gives it (a new session gets its raw token there)."""
    key = _kept_key()
    token = _signed.get(key) if key is not None else None
    if token is None:
        token = str(generate_csrf())
        key = _kept_key()  # a new session got its raw token just now: keep what was signed for it too
        if key is not None:
            _keep(key, token)
    return token


class KeptTokenCSRF(CSRFProtect):  # type: ignore[misc] # Flask-WTF has no type hints
    """Flask-WTF's CSRF protection that accepts a kept token (see above) without verifying its signature again."""

    def protect(self, apply_exemptions: bool = False) -> None:
        config = current_app.config
        # Other methods and exempt views (the LRS, which reads raw bodies) first, so that neither the form nor the
        # session is read for them. The method first: a GET (most requests) is never checked, exempt or not, so it
        # costs no look-up of its view's exemptions (~10 us).
        if request.method not in config["WTF_CSRF_METHODS"]:
            return
        if apply_exemptions and (not request.endpoint or self._is_exempt()):
            return
        key = _kept_key()
        sent = self._get_csrf_token() if key is not None else None
        kept = _signed.get(key) if key is not None else None
        if key is None or not sent or kept is None or not hmac.compare_digest(kept.encode(), sent.encode()):
            super().protect()  # the full check (exemptions applied above): raises on a bad token
            if key is not None and sent:
                _keep(key, sent)
            return
        # The rest of Flask-WTF's check (flask_wtf/csrf.py, CSRFProtect.protect), unchanged.
        if request.is_secure and config["WTF_CSRF_SSL_STRICT"]:
            if not request.referrer:
                raise CSRFError("The referrer header is missing.")
            if not same_origin(request.referrer, f"https://{request.host}/"):
                raise CSRFError("The referrer does not match the host.")
        g.csrf_valid = True


def template_token() -> str:
    """Templates' csrf_token(): the kept token, or the form token's mark while a whole page renders to be kept
    (learning/page_cache.py puts each request's own token in; a token in a kept page would be someone else's)."""
    if g.get(KEEP_MARKS):
        return CSRF
    return form_token()


def _in_templates() -> dict[str, Callable[[], str]]:
    return {"csrf_token": template_token}


def init_app(app: Flask) -> None:
    """Templates' csrf_token() gives the kept token. Call after CSRFProtect, which offers generate_csrf both as a
    template global and from a context processor: this one runs after it and takes its place."""
    app.jinja_env.globals["csrf_token"] = template_token
    app.context_processor(_in_templates)
