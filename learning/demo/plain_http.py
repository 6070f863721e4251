"""Trying the platform over plain http from another device: a demo setting, or an explanation of why it fails.

Session cookies are `Secure`, so a browser sends them back only over https — and over http to a loopback address
(127.0.0.1, localhost), which browsers treat as secure. A phone that opens `HOST=0.0.0.0 make run` at
http://192.168.1.20:8000 never sends its cookie back, and every form fails. Two ways out:

- LMS_DEMO_PLAIN_HTTP=true turns `Secure` off, for a demo database only (one that `flask demo seed` made, or one
  with no accounts yet): refused at start-up for any other, and announced on every page while it is on.
- Without it, the log-in page and the expired-form message say what is going on and what to do.

Production behind TLS is unaffected: Secure cookies and HSTS (learning/transport.py) stay as they are.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from flask import Flask, current_app, request
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from learning.accounts.models import User
from learning.db import db
from learning.demo.region import MARKER_ENVIRONMENT
from learning.environments.models import Environment

SETTING = "DEMO_PLAIN_HTTP"


class NotADemoDatabase(RuntimeError):
    """LMS_DEMO_PLAIN_HTTP was set for a database with real accounts: people's sessions must not go in clear."""


def is_loopback(host: str) -> bool:
    """Return whether a Host header names this computer (where browsers send Secure cookies over http too)."""
    if host.startswith("["):  # an IPv6 address, with or without a port: [::1]:8000
        name = host[1 : host.find("]")].lower()
    else:
        name = (host.rsplit(":", 1)[0] if host.count(":") == 1 else host).lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def cookies_cannot_work() -> bool:
    """Return whether this page came over plain http to another computer while cookies are Secure."""
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE", True))
    return secure and not request.is_secure and not is_loopback(request.host)


def is_demo_database() -> bool:
    """Return whether the database holds the demo region, or no account at all yet (set-up is still running).

    A database whose tables do not exist yet (before `flask db upgrade`) holds nobody's data either.
    """
    try:
        if db.session.scalar(select(Environment.id).where(Environment.name == MARKER_ENVIRONMENT)) is not None:
            return True
        return not db.session.scalar(select(func.count(User.id)))
    except SQLAlchemyError:
        db.session.rollback()
        return True
    finally:
        db.session.remove()


def _is_on(value: Any) -> bool:
    return value is True or str(value).strip().lower() in {"1", "true", "yes", "on"}


def init_app(app: Flask) -> None:
    """Apply LMS_DEMO_PLAIN_HTTP (after checking the database) and give templates the two warnings' conditions.

    :raises NotADemoDatabase: when the setting is on for a database with accounts but no demo region.
    """
    demo = _is_on(app.config.get(SETTING, False))
    if demo:
        with app.app_context():
            allowed = is_demo_database()
            if not allowed:
                db.engine.dispose()  # the app is not built: leave no pooled connection behind
        if not allowed:
            raise NotADemoDatabase(
                "LMS_DEMO_PLAIN_HTTP is only for a demo database (made by `flask demo seed`), and "
                f"{app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]} holds accounts but no demo region. "
                "Unset LMS_DEMO_PLAIN_HTTP and serve over https (see README: Behind a proxy / TLS), "
                "or use a demo database."
            )
        app.config["SESSION_COOKIE_SECURE"] = False
        app.config["HSTS_MAX_AGE"] = 0
    app.config[SETTING] = demo
    app.jinja_env.globals["plain_http_demo"] = lambda: bool(current_app.config.get(SETTING))
    app.jinja_env.globals["cookies_cannot_work"] = cookies_cannot_work
