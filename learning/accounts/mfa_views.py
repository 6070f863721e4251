"""Pages of the second factor: set it up (QR code and the secret as text), give a code, confirm a sensitive action.

The rules are in mfa.py and login_flow.py; these pages read forms and say, in the page, what went wrong.
"""

from __future__ import annotations

import segno
from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from learning.accounts import devices, login_flow, mfa, reauth
from learning.accounts.services import Throttled
from learning.web import safe_next_url

bp = Blueprint("mfa", __name__)


def _expired() -> ResponseReturnValue:
    flash(_("Logging in took too long, or you logged in somewhere else. Log in again."), "error")
    return redirect(url_for("accounts.login"))


def _throttled(exc: Throttled) -> str:
    return _("Too many wrong codes. Try again in %(minutes)d minutes.", minutes=exc.minutes)


def wrong_code_message() -> str:
    return _(
        "This code is not right. Type the 6 digits your app shows now, or one of your recovery codes. "
        "A code works only once."
    )


@bp.route("/login/setup", methods=["GET", "POST"])
def setup() -> ResponseReturnValue:
    """Set up the authenticator app at the first log-in of a staff role: scan or type the secret, confirm a code."""
    found = login_flow.pending()
    if found is None:
        return _expired()
    user, note = found
    if mfa.is_enrolled(user):
        return redirect(url_for("mfa.code"))
    keys = login_flow.secret_keys()
    secret = mfa.decrypt(session.get(login_flow.NEW_SECRET, ""), keys) if session.get(login_flow.NEW_SECRET) else None
    if secret is None:
        secret = mfa.new_secret()
        session[login_flow.NEW_SECRET] = mfa.encrypt(secret, keys)
    problem, status, entered = None, 200, ""
    if request.method == "POST":
        entered = request.form.get("code", "")
        try:
            codes = mfa.enrol(user, secret, entered, request.remote_addr or "", keys)
        except Throttled as exc:
            problem, status = _throttled(exc), 429
        except mfa.CodeWrong:
            problem, status = _("This code is not right. Type the 6 digits your app shows now for VTC Twente."), 400
        else:
            page = render_template("accounts/mfa_recovery.html", codes=codes, next_url=note.get("next"))
            response = make_response(page)
            response.headers["Cache-Control"] = "no-store"  # the codes must not stay in a shared computer's cache
            return login_flow.complete_login(user, note.get("next"), response)
    qr = segno.make(mfa.provisioning_uri(user, secret), error="m").svg_data_uri(scale=5)
    page = render_template("accounts/mfa_setup.html", qr=qr, secret=mfa.grouped(secret), problem=problem,
                           entered=entered)  # fmt: skip
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/login/code", methods=["GET", "POST"])
def code() -> ResponseReturnValue:
    """The second step of a staff log-in: a code from the app, or a recovery code."""
    found = login_flow.pending()
    if found is None:
        return _expired()
    user, note = found
    if not mfa.is_enrolled(user):
        return redirect(url_for("mfa.setup"))
    problem, status, entered = None, 200, ""
    if request.method == "POST":
        entered = request.form.get("code", "")
        device = devices.read(current_app, request).get(user.id)
        try:
            result = mfa.verify(user, entered, request.remote_addr or "", login_flow.secret_keys(), device)
        except Throttled as exc:
            problem, status = _throttled(exc), 429
        except mfa.CodeWrong:
            problem, status = wrong_code_message(), 400
        else:
            response = login_flow.complete_login(user, note.get("next"))  # a new session: messages after it
            if result.recovery_left is not None:
                flash(_recovery_message(result.recovery_left), "info")
            return response
    return render_template("accounts/mfa_code.html", problem=problem, entered=entered), status


def _recovery_message(left: int) -> str:
    message = ngettext(
        "You used a recovery code. You have %(num)d recovery code left.",
        "You used a recovery code. You have %(num)d recovery codes left.",
        left,
    )
    if left <= 3:
        message += " " + _("Ask an administrator to set up your app again to get new codes.")
    return message


@bp.route("/account/confirm", methods=["GET", "POST"])
@login_required
def confirm() -> ResponseReturnValue:
    """Prove it is you again before a sensitive page (a download); then go on to that page."""
    next_url = safe_next_url(request.values.get("next")) or url_for("catalog.index")
    if request.method == "POST" and reauth.FIELDS[0] in request.form:
        problem = reauth.check_submitted(current_user._get_current_object())
        if problem is None:
            return redirect(next_url)
        return reauth.page(problem[0], action=url_for("mfa.confirm"), keep={"next": next_url}, status=problem[1])
    return reauth.page(None, action=url_for("mfa.confirm"), keep={"next": next_url}, status=200)
