"""A real SMTP server on a loopback port (aiosmtpd) that keeps what it receives, for tests that read the mail."""

from __future__ import annotations

import email
import http.cookiejar
import re
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller

WAIT_SECONDS = 15.0  # an upper bound for a mail sent after a response; a passing test never waits this long


class MailSink:
    """The aiosmtpd handler: every message it accepts, parsed, in order of arrival."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._arrived = threading.Condition()
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd calls it by this name
        message = email.message_from_bytes(envelope.content, policy=default)
        with self._arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int) -> list[EmailMessage]:
        """Return the first `count` messages once they are there (fails after WAIT_SECONDS without them)."""
        with self._arrived:
            arrived = self._arrived.wait_for(lambda: len(self.messages) >= count, timeout=WAIT_SECONDS)
        assert arrived, f"expected {count} mail(s), got {len(self.messages)}"
        return self.messages[:count]

    def config(self) -> dict[str, Any]:
        """The app settings that send to this server."""
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_SECURITY": "none"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_sink() -> Iterator[MailSink]:
    """Start the server on a free loopback port; stop it afterwards, also on failure."""
    sink = MailSink()
    sink.port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


def link_in(message: EmailMessage) -> str:
    """The one http(s) link in a plain-text mail."""
    body = message.get_content()
    links = re.findall(r"https?://\S+", body)
    assert len(links) == 1, body
    return links[0]


class Browser:
    """A cookie-keeping HTTP client: what a person's browser does with our pages, minus the rendering."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.opener.addheaders = [("Accept-Language", "nl")]

    def get(self, url: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self._url(url)))  # noqa: S310 — loopback

    def post(self, url: str, data: dict[str, str], page_url: str | None = None) -> tuple[int, str]:
        """Submit to url with the form token of page_url (default: url itself, as a form posts to its own page)."""
        _status, page = self.get(page_url or url)
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
        assert token, page
        body = urllib.parse.urlencode({**data, "csrf_token": token.group(1)}).encode()
        return self._open(urllib.request.Request(self._url(url), data=body))  # noqa: S310 — loopback

    def _url(self, url: str) -> str:
        return url if url.startswith("http") else self.base + url

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request) as response:
                return int(response.status), response.read().decode()
        except urllib.error.HTTPError as error:
            with error:  # closes its socket
                return int(error.code), error.read().decode()
