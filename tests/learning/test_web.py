"""Request helpers of learning/web.py: the security headers every response carries, and the app's ensure_sync."""

from __future__ import annotations

import functools

import pytest
from flask import Response

from learning.web import SECURITY_HEADERS, App, add_security_headers


def test_every_page_sends_each_security_header_once(client):
    response = client.get("/login")
    for name, value in SECURITY_HEADERS:
        assert response.headers.getlist(name) == [value]


def test_a_header_a_view_set_itself_is_kept_whatever_its_case():
    own = Response("x", headers={"content-security-policy": "default-src 'none'", "X-Frame-Options": "SAMEORIGIN"})
    headers = add_security_headers(own).headers
    assert headers.getlist("Content-Security-Policy") == ["default-src 'none'"]
    assert headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"


def plain(value: int) -> int:
    return value


async def coroutine(value: int) -> int:
    return value


class Hooks:
    def method(self) -> str:
        return "sync"

    async def async_method(self) -> str:
        return "async"


def test_ensure_sync_returns_plain_functions_and_methods_as_they_are():
    app = App(__name__)
    assert app.ensure_sync(plain) is plain
    hooks = Hooks()
    assert app.ensure_sync(hooks.method) == hooks.method
    partial = functools.partial(plain, 1)
    assert app.ensure_sync(partial) is partial  # no code of its own: Flask's own check decides, as before


@pytest.mark.parametrize("function", [coroutine, Hooks().async_method, functools.partial(coroutine, 1)])
def test_ensure_sync_hands_coroutine_functions_to_flask(function):
    """Flask would wrap them with its async extra, which the app does not install: it says so, as before (a plain
    function passed through here would be returned and its coroutine never run)."""
    app = App(__name__)
    with pytest.raises(RuntimeError, match="async"):
        app.ensure_sync(function)
