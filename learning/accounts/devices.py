"""The known-device cookie: a signed, long-lived note that this browser logged in to these accounts before.

Its holder has a throttling bucket of her own (see throttle.py), so nobody elsewhere can lock her out by
guessing. It proves nothing by itself — the password is still checked — and holds no personal data: user ids
with a random nonce each, at most a few (a shared ward computer), newest first.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from flask import Flask, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

COOKIE = "vtc_device"
MAX_AGE_SECONDS = 365 * 24 * 3600
MAX_ACCOUNTS = 5


def _serializer(app: Flask) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(app.secret_key or "", salt="vtc-known-device")


def read(app: Flask, request: Request) -> dict[int, str]:
    """Return {user id: device nonce} from the request's cookie; empty when absent, forged or too old."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return {}
    try:
        entries = _serializer(app).loads(raw, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return {}
    if not isinstance(entries, list):
        return {}
    return {
        int(entry[0]): str(entry[1])
        for entry in entries[:MAX_ACCOUNTS]
        if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], int)
    }


def remember(app: Flask, response: Response, known: Mapping[int, str], user_id: int) -> None:
    """Set the cookie after a successful log-in: this user first, keeping her nonce if she had one here."""
    nonce = known.get(user_id) or secrets.token_urlsafe(16)
    entries = [[user_id, nonce], *([uid, n] for uid, n in known.items() if uid != user_id)][:MAX_ACCOUNTS]
    response.set_cookie(
        COOKIE,
        _serializer(app).dumps(entries),
        max_age=MAX_AGE_SECONDS,
        secure=bool(app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )
