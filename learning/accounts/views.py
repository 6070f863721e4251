"""Log in, log out, register with an invitation code, choose a language."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from learning.accounts import services
from learning.accounts.forms import LoginForm, RegisterForm
from learning.i18n import LANGUAGES
from learning.web import safe_next_url

bp = Blueprint("accounts", __name__)

REGISTER_ERRORS = {
    "invitation code unknown, used up or expired": lambda: _(
        "This invitation code is unknown, already used or expired. Ask your care provider for a new code."
    ),
    "e-mail address already registered": lambda: _("This e-mail address already has an account. Log in instead."),
    "invalid e-mail address": lambda: _("Fill in a valid e-mail address."),
    "password too short": lambda: _("Choose a longer password."),
}


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    """Show the log-in form and log the person in."""
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data or "", form.password.data or "", request.remote_addr or "")
        except services.Throttled as exc:
            flash(_("Too many attempts. Try again in %(minutes)d minutes.", minutes=exc.minutes), "error")
            return render_template("accounts/login.html", form=form), 429
        except services.AccountError:
            flash(_("The e-mail address or password is not right."), "error")
            return render_template("accounts/login.html", form=form), 401
        session.clear()  # a fresh session id on log-in prevents session fixation
        login_user(user)
        session.permanent = True
        session["locale"] = user.locale
        return redirect(safe_next_url(request.args.get("next")) or url_for("catalog.index"))
    status = 400 if form.errors else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout() -> Response:
    """End the session."""
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/register", methods=["GET", "POST"])
def register() -> str | Response | tuple[str, int]:
    """Create an account with an invitation code from a care organisation."""
    form = RegisterForm(code=request.args.get("code", ""))
    if form.validate_on_submit():
        data = services.Registration(
            code=form.code.data or "",
            email=form.email.data or "",
            password=form.password.data or "",
            display_name=form.display_name.data or "",
        )
        try:
            user = services.register(data)
        except services.AccountError as exc:
            message = REGISTER_ERRORS[str(exc)]() if str(exc) in REGISTER_ERRORS else str(exc)
            flash(message, "error")
            return render_template("accounts/register.html", form=form), 400
        session.clear()
        login_user(user)
        session.permanent = True
        services.set_locale(user, session.get("locale", user.locale))
        flash(_("Welcome! Your account is ready."), "info")
        return redirect(url_for("catalog.index"))
    return render_template("accounts/register.html", form=form), 400 if form.errors else 200


@bp.post("/language/<code>")
def set_language(code: str) -> Response:
    """Switch the interface and module language (Dutch or English)."""
    if code not in LANGUAGES:
        flash(_("That language is not available."), "error")
    else:
        session["locale"] = code
        if current_user.is_authenticated:
            services.set_locale(current_user, code)
    return redirect(safe_next_url(request.form.get("next")) or url_for("catalog.index"))
