"""Plain http from another device, over real HTTP: the demo setting (refused for a database with real accounts,
announced on every page) and, without it, a log-in page and expired-form message that say what to do."""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from flask import Flask
from helpers import PASSWORD
from werkzeug.serving import make_server

from learning.accounts.models import Role
from learning.db import db
from learning.demo.plain_http import NotADemoDatabase, is_loopback
from learning.demo.region import MARKER_ENVIRONMENT
from learning.environments.models import Condition, Environment, Phase

LAN_HOST = "192.168.1.20:8000"  # what a phone on the same network would type


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


class Phone:
    """A browser on another device: it asks for LAN_HOST, and (like every browser) keeps Secure cookies off http."""

    def __init__(self, base: str, host: str = LAN_HOST) -> None:
        self.base, self.host = base, host
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def open(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={"Host": self.host})  # noqa: S310
        try:
            with self.opener.open(request) as response:
                return int(response.status), response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            with error:  # closes its socket
                return int(error.code), error.read().decode(), dict(error.headers)

    def log_in(self, email: str) -> tuple[int, str, dict[str, str]]:
        _status, page, _headers = self.open("/login")
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
        assert token
        return self.open("/login", {"email": email, "password": PASSWORD, "csrf_token": token.group(1)})


def mark_as_demo(app: Flask) -> None:
    with app.app_context():
        db.session.add(
            Environment(name=MARKER_ENVIRONMENT, condition=Condition.HF, phase=Phase.CONTEXTUAL_INQUIRY,
                        start=date(2026, 1, 1))
        )  # fmt: skip
        db.session.commit()


def test_the_setting_is_refused_at_start_up_for_a_database_with_real_accounts(make_app, make_user):
    make_user(Role.PATIENT)
    with pytest.raises(NotADemoDatabase, match="Unset LMS_DEMO_PLAIN_HTTP and serve over https"):
        make_app(DEMO_PLAIN_HTTP=True)


def test_in_a_demo_database_a_phone_logs_in_over_plain_http_and_every_page_warns(
    app, make_app: Callable[..., Flask], make_user
):
    user = make_user(Role.PATIENT)
    mark_as_demo(app)
    demo = make_app(DEMO_PLAIN_HTTP="true")
    with serving(demo) as base:
        phone = Phone(base)
        status, page, headers = phone.log_in(user.email)
        assert status == 200, page  # followed the redirect to the modules page
        assert "Demo via gewone http" in page
        assert "Strict-Transport-Security" not in headers
        assert all(not cookie.secure for cookie in phone.jar)
        status, page, _headers = phone.open("/progress")
        assert status == 200
        assert 'class="demo-warning" role="note"' in page


def test_without_the_setting_the_phone_is_told_why_forms_fail_and_what_to_do(app, make_user):
    user = make_user(Role.PATIENT)
    with serving(app) as base:
        phone = Phone(base)
        _status, login_page, _headers = phone.open("/login")
        assert "Deze pagina kwam via gewone http" in login_page
        assert "LMS_DEMO_PLAIN_HTTP=true" in login_page
        status, page, _headers = phone.log_in(user.email)  # the browser never sent the session cookie back
        assert status == 400
        assert "Dit formulier is verlopen" in page
        assert "Deze pagina kwam via gewone http" in page
        assert [cookie.secure for cookie in phone.jar] == [True]  # production stays strict
        status, page, _headers = Phone(base, host="127.0.0.1").open("/login")
        assert "gewone http" not in page  # on the server itself the cookie works: nothing to explain


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1:8000", True), ("localhost", True), ("vtc.localhost:8000", True), ("[::1]:8000", True),
     ("[::1]", True), ("192.168.1.20:8000", False), ("vtc.example.org", False), ("[2001:db8::1]:443", False)],
)  # fmt: skip
def test_loopback_hosts_are_those_where_browsers_send_secure_cookies_over_http(host, loopback):
    assert is_loopback(host) is loopback
