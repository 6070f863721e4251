"""Helpers tests import directly (fixtures live in conftest.py)."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, text, update
from werkzeug.test import TestResponse

from learning import direct_reads
from learning.accounts.models import User
from learning.content.publishing import Approver
from learning.db import Base, db
from lrs.store.tables import metadata as lrs_metadata

PASSWORD = "correct-horse-battery"
# Fixtures approve the bundled modules the way the demo does, by a reviewer who is no clinician: learners see them,
# and every step says no clinician has checked them (learning.content.publishing).
FIXTURE_APPROVER = Approver(user_id=None, name="test fixture", clinical=False)
CSRF_INPUT = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


# Staff accounts the tests make outside a request get their authenticator app set up with this secret
# (tests/conftest.py, enrol_test_staff), so every staff log-in gives a real code: log_in() below computes it.
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
TEST_SECRET_KEY = "test-secret-key"


def log_in(client: FlaskClient, email: str, password: str = PASSWORD, app: Flask | None = None) -> TestResponse:
    """Log in as a person does: the password, then (staff roles) a real code from the authenticator app.

    Returns the response of the last step (a redirect on success). The code is computed with pyotp from the
    account's secret (TEST_TOTP_SECRET). Tests log one account in many times a minute, which no person does and
    which the replay rule (a code's time step works once) would refuse; given the app, the helper first moves the
    account's last used step back, so each log-in can use the current code. test_mfa.py proves the rule itself.
    """
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)})
    if response.status_code != 302 or urllib.parse.urlsplit(response.headers["Location"]).path != "/login/code":
        return response
    if app is not None:
        with app.app_context():
            db.session.execute(update(User).where(User.email == email).values(mfa_last_step=None))
            db.session.commit()
            db.session.remove()
    token = csrf_token(client, "/login/code")
    return client.post("/login/code", data={"code": pyotp.TOTP(TEST_TOTP_SECRET).now(), "csrf_token": token})


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """Return the CSRF token a real browser would have from a page."""
    match = CSRF_INPUT.search(client.get(path).get_data(as_text=True))
    assert match, f"no csrf token on {path}"
    return match.group(1)


_cleaners: dict[str, Engine] = {}


def empty_all_tables(url: str) -> None:
    """Delete every row of the LMS and LRS tables, keeping the migrated schema, as if freshly migrated.

    On PostgreSQL only the tables that hold rows are truncated and only the sequences that moved are restarted:
    TRUNCATE costs per table, and a test touches a handful of some seventy (27 ms → a few ms per test)."""
    engine = _cleaners.get(url) or _cleaners.setdefault(url, create_engine(url))
    tables = [*reversed(Base.metadata.sorted_tables), *reversed(lrs_metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name != "postgresql":
            for table in tables:
                conn.execute(table.delete())
            return
        probe = " UNION ALL ".join(
            f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")"  # noqa: S608 — our own table names
            for t in tables
        )
        filled = [f'"{name}"' for name in conn.scalars(text(probe))]
        if filled:
            conn.execute(text(f"TRUNCATE {', '.join(filled)} CASCADE"))
        moved = list(conn.scalars(
            text("SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) FROM pg_sequences "
                 "WHERE last_value IS NOT NULL AND schemaname = current_schema()")
        ))  # fmt: skip
        for sequence in moved:
            conn.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))


def dispose_cleaners() -> None:
    """Close the pooled connections empty_all_tables keeps for the run (called once at the end)."""
    for engine in _cleaners.values():
        engine.dispose()
    _cleaners.clear()


def learner_home(app: Flask, user_id: int) -> str:
    """The xAPI account homePage the platform gives this user: their organisation's ({base}/org/<pseudonym>)."""
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        assert user.organisation is not None
        return f"{app.config['XAPI_BASE_IRI']}/org/{user.organisation.pseudonym}"


def http_form_token(opener: urllib.request.OpenerDirector, url: str) -> str:
    """The CSRF token of the first form on a page fetched over real HTTP."""
    page = opener.open(url).read().decode()
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert token, f"no form on {url}"
    return token.group(1)


def http_post(opener: urllib.request.OpenerDirector, url: str, data: dict[str, str | list[str]]) -> tuple[int, str]:
    """POST a form as htmx does; return (status, body) also for an error status."""
    body = urllib.parse.urlencode(data, doseq=True).encode()
    request = urllib.request.Request(url, data=body, headers={"HX-Request": "true"})  # noqa: S310 — loopback
    try:
        with opener.open(request) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as error:
        with error:  # closes its socket (else the GC reports it in some later test)
            return int(error.code), error.read().decode()


def http_learner_in_module(base: str, email: str, slug: str) -> tuple[urllib.request.OpenerDirector, str]:
    """Log in over real HTTP with a cookie jar (the app must not mark its cookie Secure) and start the module;
    return the logged-in opener and a form token."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    token = http_form_token(opener, f"{base}/login")
    assert http_post(opener, f"{base}/login", {"email": email, "password": PASSWORD, "csrf_token": token})[0] < 400
    token = http_form_token(opener, f"{base}/modules/{slug}/")
    assert http_post(opener, f"{base}/modules/{slug}/start", {"csrf_token": token})[0] < 400
    return opener, token


@contextmanager
def statements_sent(app: Flask) -> Iterator[list[str]]:
    """Collect the SQL the app's LMS engine sends while the block runs."""
    sent: list[str] = []
    with app.app_context():
        engine = db.engine

    def remember(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        sent.append(statement)

    direct_reads.listen_context_free(engine, "before_cursor_execute", remember)  # reads: still the direct path
    try:
        yield sent
    finally:
        direct_reads.remove_context_free(engine, "before_cursor_execute", remember)
