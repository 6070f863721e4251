"""Sending e-mail over SMTP (smtplib), configured by LMS_MAIL_* settings; see docs/signing-in.md.

A mail is sent after the response has gone out (the caller hands `send` to `call_on_close`): the person never
waits on the mail server, and the answer takes as long whether or not an account exists, so the time of a reset
answer does not tell an attacker which addresses have an account. A failure is logged with the server's reply.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

log = logging.getLogger(__name__)
SECURITY = ("starttls", "ssl", "none")
DEFAULTS: dict[str, Any] = {
    "MAIL_SERVER": "",  # empty: no mail is sent (logged as a warning)
    "MAIL_PORT": 587,
    "MAIL_SECURITY": "starttls",
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_FROM": "VTC Twente <noreply@vtc.example.org>",
    "MAIL_TIMEOUT": 10.0,
}


@dataclass(frozen=True)
class MailSettings:
    """Where and how to send: read from the app's configuration while a request is still there."""

    server: str
    port: int
    security: str
    username: str
    password: str
    sender: str
    timeout: float

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> MailSettings:
        """Read the MAIL_* settings.

        :raises ValueError: on a MAIL_SECURITY other than starttls, ssl or none (a typo must not send in clear).
        """
        security = str(config.get("MAIL_SECURITY", DEFAULTS["MAIL_SECURITY"])).lower()
        if security not in SECURITY:
            raise ValueError(f"MAIL_SECURITY must be one of {', '.join(SECURITY)}, not {security!r}")
        value = {key: config.get(key, default) for key, default in DEFAULTS.items()}
        return cls(
            server=str(value["MAIL_SERVER"]),
            port=int(value["MAIL_PORT"]),
            security=security,
            username=str(value["MAIL_USERNAME"]),
            password=str(value["MAIL_PASSWORD"]),
            sender=str(value["MAIL_FROM"]),
            timeout=float(value["MAIL_TIMEOUT"]),
        )


def compose(settings: MailSettings, to: str, subject: str, body: str) -> EmailMessage:
    """Build a plain-text mail (UTF-8): readable in every mail program and by every screen reader."""
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2].strip("> ") or None)
    message.set_content(body)
    return message


def send(settings: MailSettings, message: EmailMessage) -> bool:
    """Deliver one mail; return whether the server took it. Failures are logged, never raised (no request waits)."""
    if not settings.server:
        log.warning("no mail server configured (LMS_MAIL_SERVER): mail to %s not sent", message["To"])
        return False
    try:
        with _connect(settings) as smtp:
            if settings.username:
                smtp.login(settings.username, settings.password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        log.exception("mail to %s could not be sent through %s:%s", message["To"], settings.server, settings.port)
        return False
    return True


def _connect(settings: MailSettings) -> smtplib.SMTP:
    if settings.security == "ssl":
        return smtplib.SMTP_SSL(
            settings.server, settings.port, timeout=settings.timeout, context=ssl.create_default_context()
        )
    smtp = smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout)
    if settings.security == "starttls":
        try:
            smtp.starttls(context=ssl.create_default_context())
        except BaseException:
            smtp.close()  # a server without TLS: never fall back to sending in clear
            raise
    return smtp
