"""A real SMTP server on a loopback port (aiosmtpd) that keeps what it receives, for tests that read the mail."""

from __future__ import annotations

import email
import re
import socket
import threading
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
