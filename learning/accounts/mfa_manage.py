"""One's own second factor, self-service: see it, get new recovery codes, move it to a new phone.

Both changes ask for the password and a code first when the last proof is older than a few minutes (reauth.py,
wired in app.py); a lost phone is no obstacle, since a recovery code is accepted there. Moving to a new phone
works like the first set-up: the new app must show a right code before anything changes, and until then the old
phone keeps working. Either change makes all earlier recovery codes worthless and shows ten new ones, once.
"""

from __future__ import annotations

import segno
from flask import Blueprint, abort, make_response, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from learning.accounts import login_flow, mfa
from learning.accounts.models import User
from learning.accounts.services import Throttled

bp = Blueprint("mfa_manage", __name__, url_prefix="/account/second-factor")
MOVE_SECRET = "mfa_move"  # noqa: S105 — a session key: the new phone's secret while it is set up, encrypted


def _user() -> User:
    """The logged-in account when its role has a second factor; for any other role the pages do not exist."""
    user: User = current_user._get_current_object()
    if not mfa.requires_mfa(user):
        abort(404)
    return user


def _no_store(page: str, status: int = 200) -> ResponseReturnValue:
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"  # codes and keys must not stay in a shared computer's cache
    return response


def _codes_page(codes: list[str], message: str) -> ResponseReturnValue:
    page = render_template("accounts/mfa_recovery.html", codes=codes, status_message=message,
                           next_url=url_for("mfa_manage.index"), continue_label=_("I have saved my codes"))  # fmt: skip
    return _no_store(page)


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    """How the second factor stands, and the two things a person can change about it."""
    user = _user()
    return render_template("accounts/mfa_manage.html", enrolled_at=user.mfa_enrolled_at,
                           codes_left=mfa.recovery_codes_left(user))  # fmt: skip


@bp.post("/recovery-codes")
@login_required
def recovery_codes() -> ResponseReturnValue:
    """Ten new recovery codes; the old ones stop working."""
    user = _user()
    if not mfa.is_enrolled(user):
        return redirect(url_for("mfa_manage.index"))
    codes = mfa.renew_recovery_codes(user)
    return _codes_page(codes, _("You have new recovery codes. The old ones no longer work."))


@bp.route("/new-phone", methods=["GET", "POST"])
@login_required
def new_phone() -> ResponseReturnValue:
    """Set the app up on a new phone: scan or type the new key, confirm a code from the new app."""
    user = _user()
    keys = login_flow.secret_keys()
    secret = mfa.decrypt(session.get(MOVE_SECRET, ""), keys) if session.get(MOVE_SECRET) else None
    if secret is None:
        secret = mfa.new_secret()
        session[MOVE_SECRET] = mfa.encrypt(secret, keys)
    problem, status, entered = None, 200, ""
    if request.method == "POST" and "code" in request.form:
        entered = request.form.get("code", "")
        try:
            codes = mfa.enrol(user, secret, entered, request.remote_addr or "", keys)
        except Throttled as exc:
            problem, status = _("Too many wrong codes. Try again in %(minutes)d minutes.", minutes=exc.minutes), 429
        except mfa.CodeWrong:
            problem = _("This code is not right. Type the 6 digits the app on your new phone shows now.")
            status = 400
        else:
            session.pop(MOVE_SECRET, None)
            return _codes_page(codes, _("Your new phone is set up. The old phone no longer gives working codes."))
    qr = segno.make(mfa.provisioning_uri(user, secret), error="m").svg_data_uri(scale=5)
    page = render_template("accounts/mfa_new_phone.html", qr=qr, secret=mfa.grouped(secret), problem=problem,
                           entered=entered)  # fmt: skip
    return _no_store(page, status)
