"""The session cookie: signed as Flask signs it, but re-signed only when it changed or its signature is getting old.

Why: Flask re-signs and re-sends a permanent session's cookie on every response, so that its 12-hour idle timeout
slides. That HMAC, JSON and zlib work was a fifth of the cost of a logged-in request that renders nothing
(docs/performance.md). The idle timeout only needs the signature's time to stay close to the last request.

The rule (docs/performance.md, "Sessions"): a response carries a new cookie when the session was modified, or when
its signature is older than SESSION_REFRESH_INTERVAL (default 60 s). The server accepts a cookie for
PERMANENT_SESSION_LIFETIME after its signature time, and the cookie's Expires says the same, so an idle session
ends between LIFETIME - INTERVAL and LIFETIME after the last request: never later than before, at most one
interval earlier. A session that is not permanent behaves as in Flask (only sent when modified).
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, Request, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask.wrappers import Response
from flask_login.utils import _create_identifier
from itsdangerous import BadSignature, URLSafeTimedSerializer

DEFAULT_REFRESH_INTERVAL = timedelta(seconds=60)
VERIFIED_COOKIES = 4096  # per worker: a cookie verified once is looked up, not verified again (cleared when full)


class TimedSession(SecureCookieSession):
    """A cookie session that remembers when its cookie was signed (None: no valid cookie came with the request)."""

    signed_at: datetime | None = None


class SlidingSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, re-signed at most once per refresh interval unless they changed."""

    session_class = TimedSession

    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer] = {}
        # cookie value -> (its decoded data, when it was signed); for the serializer of the current secret only
        self._verified: dict[str, tuple[dict[str, Any], datetime]] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer, built once per secret (Flask builds it twice a request: key derivation each time)."""
        if not app.secret_key:
            return None
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            if serializer is None:  # Flask builds none only without a secret key, checked above
                return None
            self._serializers = {key: serializer}  # one secret at a time: a rotated key replaces the old one
            self._verified = {}  # and what the old secret verified is verified again
        return serializer

    def open_session(self, app: Flask, request: Request) -> TimedSession | None:
        """Read and verify the cookie as Flask does, keeping the time it was signed."""
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        lifetime = app.permanent_session_lifetime
        known = self._verified.get(value)
        if known is not None:
            # Verified before with this secret: the same bytes need no second HMAC, zlib and JSON (a tenth of a
            # request that renders nothing, docs/performance.md, fourth round). The idle timeout still applies.
            data, signed_at = known
            if datetime.now(UTC) - signed_at > lifetime:
                return self.session_class()
            session = self.session_class(_copy(data))  # the request may change its copy, never the kept one
            session.signed_at = signed_at
            return session
        try:
            data, signed_at = serializer.loads(value, max_age=int(lifetime.total_seconds()), return_timestamp=True)
        except BadSignature:  # includes an expired signature: the idle timeout
            return self.session_class()
        if len(self._verified) >= VERIFIED_COOKIES:
            self._verified.clear()
        self._verified[value] = (copy.deepcopy(data), signed_at)
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Flask's save_session, with the usual request's case first: a session that sends no cookie (unchanged and
        signed within the interval) only adds Vary: Cookie, without Flask working out the cookie's seven settings.
        Every other case (a new, changed, emptied or due session) is Flask's own."""
        if session and not self.should_set_cookie(app, session):
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        """Send the cookie when the session changed, or (permanent sessions) when its signature is due a refresh."""
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        if signed_at is None:
            return True
        return bool(datetime.now(UTC) - signed_at >= refresh_interval(app))


_IMMUTABLE = frozenset({str, int, float, bool, bytes, type(None)})


def _copy(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of a kept session the request may change: a plain copy when every value is immutable (the usual
    session: an id, a token, flags), else a deep one (~15 us less per request than always deep)."""
    if all(type(value) in _IMMUTABLE for value in data.values()):
        return dict(data)
    return copy.deepcopy(data)


IDENTIFIERS = 4096  # per worker: (address, browser) pairs whose session identifier is kept (cleared when full)
_identifiers: dict[tuple[str | None, str | None], str] = {}


def kept_session_identifier() -> str:
    """Flask-Login's session identifier (session protection "strong": a SHA-512 of the client's address and
    User-Agent, compared on every request), worked out once per address and browser a worker sees. It depends on
    nothing else, so the value is the same (tests/learning/accounts/test_session_cookie.py)."""
    key = (request.headers.get("X-Forwarded-For", request.remote_addr), request.headers.get("User-Agent"))
    found = _identifiers.get(key)
    if found is None:
        if len(_identifiers) >= IDENTIFIERS:
            _identifiers.clear()
        found = _identifiers[key] = _create_identifier()
    return found


def refresh_interval(app: Flask) -> timedelta:
    """SESSION_REFRESH_INTERVAL as a timedelta (an LMS_ environment variable gives seconds)."""
    value = app.config.get("SESSION_REFRESH_INTERVAL", DEFAULT_REFRESH_INTERVAL)
    return value if isinstance(value, timedelta) else timedelta(seconds=float(value))


def init_app(app: Flask) -> None:
    """Serve sessions through the sliding interface (SESSION_REFRESH_INTERVAL, a timedelta, is its setting)."""
    app.config.setdefault("SESSION_REFRESH_INTERVAL", DEFAULT_REFRESH_INTERVAL)
    app.session_interface = SlidingSessionInterface()
