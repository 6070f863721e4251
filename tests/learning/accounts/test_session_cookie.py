"""The session cookie is re-signed only when the session changed or its signature is older than the refresh
interval, and an idle session still ends (learning/sessions.py). Old signatures are made by signing with a clock
set back, never by waiting."""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta

from flask import Flask, request
from flask.json.tag import TaggedJSONSerializer
from flask.testing import FlaskClient
from helpers import PASSWORD, csrf_token
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from learning.accounts.models import Role

HOUR = 3600


def signed_ago(app: Flask, data: dict[str, object], seconds: int) -> str:
    """A session cookie with this data, validly signed with the app's secret `seconds` ago."""

    class EarlierSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - seconds

    serializer = URLSafeTimedSerializer(
        app.secret_key,  # type: ignore[arg-type]
        salt="cookie-session",
        serializer=TaggedJSONSerializer(),
        signer=EarlierSigner,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )
    return serializer.dumps(data)


def session_data(app: Flask, client: FlaskClient) -> dict[str, object]:
    cookie = client.get_cookie("session")
    assert cookie is not None
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return dict(serializer.loads(cookie.value))


def sets_cookie(response) -> bool:  # type: ignore[no-untyped-def]
    return any(h.startswith("session=") for h in response.headers.getlist("Set-Cookie"))


def log_in(app: Flask, make_user) -> FlaskClient:  # type: ignore[no-untyped-def]
    client = app.test_client()
    user = make_user(Role.PATIENT)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    client.get("/help")  # the first page puts a form token in the new session (a change: the cookie is sent)
    return client


def test_a_request_within_the_interval_sets_no_cookie(app, make_user):
    client = log_in(app, make_user)
    response = client.get("/help")
    assert response.status_code == 200
    assert not sets_cookie(response)
    assert "Cookie" in response.headers.get("Vary", "")  # the page still depends on the cookie


def test_a_changed_session_is_sent_at_once(app, make_user):
    client = log_in(app, make_user)
    response = client.post("/language/en", data={"csrf_token": csrf_token(client, "/help"), "next": "/help"})
    assert response.status_code == 302
    assert sets_cookie(response)
    assert session_data(app, client)["locale"] == "en"


def test_a_signature_older_than_the_interval_is_renewed(app, make_user):
    client = log_in(app, make_user)
    data = session_data(app, client)
    client.set_cookie("session", signed_ago(app, data, 120))
    response = client.get("/help")
    assert response.status_code == 200
    assert sets_cookie(response)
    renewed = client.get_cookie("session")
    assert renewed is not None
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    _, signed_at = serializer.loads(renewed.value, return_timestamp=True)
    assert time.time() - signed_at.timestamp() < 60
    assert renewed.expires is not None
    assert renewed.expires.timestamp() > time.time() + 11 * HOUR


def test_the_interval_is_a_setting(make_app, make_user):
    app = make_app(SESSION_REFRESH_INTERVAL=timedelta(0))
    client = app.test_client()
    app_user = make_user(Role.PATIENT)
    client.post("/login", data={"email": app_user.email, "password": PASSWORD, "csrf_token": csrf_token(client)})
    client.get("/help")
    assert sets_cookie(client.get("/help"))  # interval 0: every response slides the timeout, as Flask does


def test_an_idle_session_still_expires(app, make_user):
    client = log_in(app, make_user)
    data = session_data(app, client)
    client.set_cookie("session", signed_ago(app, data, 11 * HOUR))
    assert client.get("/progress").status_code == 200  # 11 hours idle: within the 12-hour lifetime
    client.set_cookie("session", signed_ago(app, data, 12 * HOUR + 5))
    response = client.get("/progress")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_cookie_verified_before_still_expires_when_its_lifetime_is_over(app, make_user):
    """A worker keeps cookies it verified (no second HMAC for the same bytes); the idle timeout still applies to
    them: the same cookie that was accepted is refused once it is older than the lifetime."""
    client = log_in(app, make_user)
    cookie = signed_ago(app, session_data(app, client), 11 * HOUR)
    client.set_cookie("session", cookie)
    assert client.get("/progress").status_code == 200  # verified and kept
    app.permanent_session_lifetime = timedelta(hours=10)  # now older than the lifetime: the kept copy must not pass
    client.set_cookie("session", cookie)
    response = client.get("/progress")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_request_that_changes_its_session_does_not_change_the_cookie_s_kept_copy(app, make_user):
    """Two requests with the same cookie each start from what the cookie says, whatever the first one changed."""
    client = log_in(app, make_user)
    cookie = signed_ago(app, {**session_data(app, client), "note": {"step": 1}}, 0)  # with a dict inside, as some are
    for _ in range(3):  # the first verifies the cookie, the others find it verified
        with app.test_request_context("/help", headers={"Cookie": f"session={cookie}"}):
            opened = app.session_interface.open_session(app, request)
        assert opened is not None
        assert "_user_id" in opened
        assert opened["note"] == {"step": 1}
        opened["note"]["step"] = 2
        opened.pop("_user_id")


def test_a_new_secret_key_refuses_a_cookie_the_old_one_verified(app, make_user):
    """The worker's verified cookies belong to the secret that verified them: after a key change (without the old
    key as a fallback) the same cookie is refused, not found in what the old key verified."""
    client = log_in(app, make_user)
    assert client.get("/progress").status_code == 200  # verified and kept
    app.secret_key = "a-new-secret-for-this-test-only"
    response = client.get("/progress")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_kept_session_identifier_is_flask_logins_for_each_address_and_browser(app):
    """learning/sessions.py keeps Flask-Login's identifier per (address, User-Agent): the same value each time,
    and a different one for another browser or address."""
    from flask_login.utils import _create_identifier

    from learning.sessions import kept_session_identifier

    cases = [
        ({}, "10.0.0.1"),
        ({"User-Agent": "Telefoon"}, "10.0.0.1"),
        ({"User-Agent": "Laptop"}, "10.0.0.1"),
        ({"User-Agent": "Telefoon"}, "10.0.0.2"),
        ({"User-Agent": "Telefoon", "X-Forwarded-For": "192.0.2.7, 10.0.0.9"}, "10.0.0.1"),
    ]
    seen = []
    for _ in range(2):  # the second round finds each one kept
        for headers, address in cases:
            with app.test_request_context("/", headers=headers, environ_base={"REMOTE_ADDR": address}):
                assert kept_session_identifier() == _create_identifier()
                seen.append(kept_session_identifier())
    assert len(set(seen)) == len(cases)


def test_a_session_cookie_taken_to_another_browser_is_no_longer_fresh(app, make_user):
    """Session protection still compares the identifier on every request: a permanent session used from another
    browser stays logged in but is marked not fresh (Flask-Login's rule for permanent sessions), so pages that
    need a fresh log-in ask for the password again."""
    client = log_in(app, make_user)
    same = client.get("/progress")
    assert same.status_code == 200
    assert not sets_cookie(same)
    assert session_data(app, client)["_fresh"] is True
    other = client.get("/progress", headers={"User-Agent": "Een andere browser"})
    assert sets_cookie(other)
    assert session_data(app, client)["_fresh"] is False
