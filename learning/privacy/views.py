"""Erasure pages: a person erases their own account (/account/erase); a privacy officer or administrator erases
an account on a paper request (/privacy/erasure). Both end in erasure.erase_person."""

from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from werkzeug.wrappers import Response

from learning.accounts import services as accounts
from learning.accounts.models import Role, User
from learning.audit.recording import record_read
from learning.db import db
from learning.privacy.erasure import Eraser, ErasureRefused, erase_person, find_person, summarise
from learning.privacy.forms import EraseForm, LookupForm

bp = Blueprint("privacy", __name__)
SELF_SERVICE = {Role.PATIENT, Role.CAREGIVER}  # staff records also serve the employer: their officer erases them
OFFICERS = {Role.PRIVACY_OFFICER, Role.ADMIN}


def _password_problem(form: EraseForm) -> tuple[str, int] | None:
    """Check the acting person's password again; a message and status when it is wrong."""
    try:
        accounts.confirm_password(current_user, form.password.data or "", request.remote_addr or "")
    except accounts.Throttled as exc:
        return _("Too many attempts. Try again in %(minutes)d minutes.", minutes=exc.minutes), 429
    except accounts.AccountError:
        return _("That password is not right. Fill in the password you log in with."), 400
    return None


@bp.route("/account/erase", methods=["GET", "POST"])
@login_required
def erase_self() -> str | Response | tuple[str, int]:
    """Show what erasing one's own account deletes; erase it after the box is ticked and the password given."""
    # With a remote LRS the LMS cannot erase the records there itself: the privacy officer has it done (docs/privacy.md)
    allowed = current_user.role in SELF_SERVICE and current_app.extensions.get("vtc.lrs_eraser") is not None
    form = EraseForm()
    found = summarise(current_user)
    if request.method == "POST":
        if not allowed:
            abort(403)
        if not form.validate():
            return render_template("privacy/erase_self.html", form=form, found=found, allowed=allowed), 400
        problem = _password_problem(form)
        if problem:
            return render_template("privacy/erase_self.html", form=form, found=found, allowed=allowed,
                                   problem=problem[0]), problem[1]  # fmt: skip
        user = current_user._get_current_object()
        logout_user()
        erase_person(user, Eraser(None, user.role.value, request.path))
        flash(_("Your account and everything we kept about you have been deleted."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("privacy/erase_self.html", form=form, found=found, allowed=allowed)


@bp.route("/privacy/erasure", methods=["GET", "POST"])
@login_required
def lookup() -> str | tuple[str, int]:
    """Find the account a paper erasure request names, and show what erasing it deletes."""
    if current_user.role not in OFFICERS:
        abort(403)
    form = LookupForm()
    if request.method == "POST" and form.validate():
        user = find_person(form.who.data or "")
        if user is None:
            message = _("No account has this e-mail address or pseudonym. Check the request and try again.")
            return render_template("privacy/lookup.html", form=form, problem=message), 404
        record_read("privacy.review", f"user:{user.id}")
        return _confirm_page(user, EraseForm(formdata=None))
    return render_template("privacy/lookup.html", form=form), 400 if form.errors else 200


@bp.post("/privacy/erasure/<int:user_id>")
@login_required
def erase_other(user_id: int) -> str | Response | tuple[str, int]:
    """Erase an account on a paper request, after the officer ticked the box and gave their own password."""
    if current_user.role not in OFFICERS:
        abort(403)
    user = db.get_or_404(User, user_id)
    form = EraseForm()
    if not form.validate():
        return _confirm_page(user, form, status=400)
    problem = _password_problem(form)
    if problem:
        return _confirm_page(user, form, problem=problem[0], status=problem[1])
    if user.id == current_user.id:
        return _confirm_page(user, form, problem=_("You cannot erase your own account here."), status=400)
    try:
        done = erase_person(user, Eraser(f"user:{current_user.id}", current_user.role.value, "/privacy/erasure"))
    except ErasureRefused as refused:
        db.session.rollback()
        return _confirm_page(user, form, problem=_refusal(refused), status=409)
    if done.remote_agent is not None:
        command = f"flask lrs erase-agent '{json.dumps(done.remote_agent)}' --email '{done.email}'"
        flash(_("The account is deleted here. The learning records are in another LRS: have its operator run "
                "this command there: %(command)s", command=command), "error")  # fmt: skip
        return redirect(url_for("privacy.lookup"))
    flash(_("The account and everything about it have been deleted."), "info")
    return redirect(url_for("privacy.lookup"))


def _refusal(refused: ErasureRefused) -> str:
    message = _(
        "This person wrote or approved modules (%(count)d records). Those records must be kept, so the "
        "account cannot be erased. End the account under Administration instead.",
        count=refused.count,
    )
    return message


def _confirm_page(user: User, form: EraseForm, *, problem: str | None = None, status: int = 200) -> tuple[str, int]:
    page = render_template("privacy/confirm.html", person=user, found=summarise(user), form=form, problem=problem)
    return page, status
