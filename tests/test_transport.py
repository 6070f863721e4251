"""Behind a proxy and on TLS: ProxyFix only when configured, HSTS only on https responses."""

from __future__ import annotations

import pytest
from helpers import PASSWORD, csrf_token

from learning.accounts.models import Role

PROXY = "10.0.0.1"


def login_via_proxy(client, email: str, password: str, client_address: str):
    """A log-in as the proxy passes it on: from the proxy's address, naming the client in X-Forwarded-For."""
    token = csrf_token(client)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": PROXY},
        headers={"X-Forwarded-For": client_address},
    )


def test_behind_a_proxy_the_throttling_source_is_the_real_client(make_app, make_user):
    user = make_user(Role.PATIENT)
    app = make_app(PROXY_FIX_X_FOR=1)
    attacker = app.test_client()
    for _ in range(5):
        assert login_via_proxy(attacker, user.email, "raden-123", "198.51.100.7").status_code == 401
    assert login_via_proxy(attacker, user.email, PASSWORD, "198.51.100.7").status_code == 429
    # the nurse behind the same proxy, on a browser that never logged in before, is not slowed
    assert login_via_proxy(app.test_client(), user.email, PASSWORD, "192.0.2.44").status_code == 302


def test_without_the_setting_forwarded_headers_are_not_trusted(make_app, make_user):
    """Off by default: a client must not pick a fresh 'source' per guess by sending X-Forwarded-For itself."""
    user = make_user(Role.PATIENT)
    attacker = make_app().test_client()
    for number in range(5):
        login_via_proxy(attacker, user.email, "raden-123", f"198.51.100.{number}")
    assert login_via_proxy(attacker, user.email, PASSWORD, "198.51.100.99").status_code == 429


def test_the_setting_comes_from_the_environment(make_app, make_user, monkeypatch):
    monkeypatch.setenv("LMS_PROXY_FIX_X_FOR", "1")
    app = make_app()
    assert app.config["PROXY_FIX_X_FOR"] == 1
    user = make_user(Role.PATIENT)
    for _ in range(5):
        login_via_proxy(app.test_client(), user.email, "raden-123", "198.51.100.7")
    assert login_via_proxy(app.test_client(), user.email, PASSWORD, "192.0.2.44").status_code == 302


@pytest.mark.parametrize("value", ["ja", -1, 1.5, True])
def test_a_wrong_setting_stops_the_app_from_starting(make_app, value):
    with pytest.raises(ValueError, match="PROXY_FIX_X_FOR must be a whole number"):
        make_app(PROXY_FIX_X_FOR=value)


@pytest.mark.parametrize("path", ["/login", "/xapi/about"])
def test_hsts_on_https_responses_only(client, path):
    assert client.get(path, base_url="https://localhost").headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get(path).headers


def test_hsts_behind_a_tls_terminating_proxy_needs_x_forwarded_proto_trusted(make_app):
    forwarded_https = {"X-Forwarded-Proto": "https"}
    assert "Strict-Transport-Security" not in make_app().test_client().get("/login", headers=forwarded_https).headers
    trusting = make_app(PROXY_FIX_X_PROTO=1).test_client()
    assert "Strict-Transport-Security" in trusting.get("/login", headers=forwarded_https).headers


def test_hsts_can_be_turned_off(make_app):
    response = make_app(HSTS_MAX_AGE=0).test_client().get("/login", base_url="https://localhost")
    assert "Strict-Transport-Security" not in response.headers
