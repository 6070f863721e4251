"""The mails of the account pages: written in the page's language while the request is there, sent after the
response has gone (mail.py), with links that start at LMS_PUBLIC_URL."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from learning.accounts import confirm
from learning.accounts.mail import MailSettings, compose, send
from learning.accounts.mail_limits import TooManyRequests
from learning.accounts.models import User


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute link for a mail: LMS_PUBLIC_URL when set (a forged Host header must not choose it)."""
    path = url_for(endpoint, **values)
    return (current_app.config.get("PUBLIC_URL") or request.url_root).rstrip("/") + path


def send_after(response: Response, to: str, subject: str, template: str, **context: Any) -> None:
    """Write the mail from a text template now; send it once the answer has gone (see mail.py)."""
    body = render_template(template, **context)
    settings = MailSettings.of(current_app.config)
    message = compose(settings, to, subject, body)
    response.call_on_close(lambda: send(settings, message))


def send_confirmation_after(response: Response, to: str, token: str, days: int, *, for_link: bool = False) -> None:
    """The mail with a link that confirms an address; for_link: the answer to a sign-in link request for an
    unconfirmed address, which says why no sign-in link came."""
    link = public_url("email_links.confirm_email", token=token)
    send_after(response, to, _("Confirm your e-mail address for VTC Twente"), "accounts/confirm_mail.txt",
               link=link, days=days, for_link=for_link)  # fmt: skip


def mail_confirmation_after(response: Response, user: User) -> None:
    """The confirmation mail of a new account or a changed address. A source at its limit (a ward computer that
    registered many people this hour) sends none now: the bar on every page offers to send it later."""
    try:
        token = confirm.request_confirmation(user, request.remote_addr or "", current_app.secret_key or "")
    except TooManyRequests:
        return
    if token is not None:
        send_confirmation_after(response, user.email, token, confirm.CONFIRM_MAX_AGE.days)
