"""How the app sits behind a reverse proxy and on TLS: ProxyFix by setting, HSTS on https responses.

Behind a proxy every request comes from the proxy's address, so log-in throttling would count a whole
hospital as one source, and `request.is_secure` would be false. ProxyFix trusts the X-Forwarded-* headers
of as many proxies as configured — and no more, since a client can send those headers itself. Off by default:
set LMS_PROXY_FIX_X_FOR=1 (and LMS_PROXY_FIX_X_PROTO=1, ...) only when a proxy you run sets them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

HEADERS = ("for", "proto", "host", "port", "prefix")
HSTS_MAX_AGE = 365 * 24 * 3600


def proxy_hops(config: Mapping[str, Any]) -> dict[str, int]:
    """Read PROXY_FIX_X_FOR ... PROXY_FIX_X_PREFIX: how many proxies to trust per header (0: ignore it).

    :raises ValueError: on a value that is not a whole number of 0 or more (a typo must not start the app).
    """
    hops = {}
    for header in HEADERS:
        value = config.get(f"PROXY_FIX_X_{header.upper()}", 0)
        if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
            raise ValueError(f"PROXY_FIX_X_{header.upper()} must be a whole number of 0 or more, not {value!r}")
        hops[f"x_{header}"] = int(value)
    return hops


def add_hsts(response: Response) -> Response:
    """Tell browsers to use https only — on responses that came over https, as RFC 6797 says (not on http).

    HSTS_MAX_AGE (seconds, default a year) sets how long; 0 sends none (e.g. while trying TLS out).
    """
    max_age = int(current_app.config.get("HSTS_MAX_AGE", HSTS_MAX_AGE))
    if request.is_secure and max_age > 0:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={max_age}")
    return response


def init_app(app: Flask) -> None:
    """Wrap the WSGI app in ProxyFix when a PROXY_FIX_X_* setting asks for it, and send HSTS over https."""
    hops = proxy_hops(app.config)
    if any(hops.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **hops)  # type: ignore[method-assign]
    app.after_request(add_hsts)
