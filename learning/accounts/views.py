"""Log in, log out, register with an invitation code, choose a language."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from learning.accounts import devices, login_flow, mfa, reset, services
from learning.accounts.forms import (
    PASSWORD_MESSAGES,
    ForgotPasswordForm,
    LoginForm,
    PasswordChangeForm,
    RegisterForm,
    ResetPasswordForm,
)
from learning.accounts.mailer import mail_confirmation_after, public_url, send_after
from learning.accounts.passwords import PasswordProblem
from learning.i18n import LANGUAGES, select_locale
from learning.preferences.services import current_preferences, save_preferences
from learning.web import safe_next_url

bp = Blueprint("accounts", __name__)


def _password_message(problem: PasswordProblem) -> Callable[[], str]:
    return lambda: str(PASSWORD_MESSAGES[problem])


REGISTER_ERRORS = {
    "invitation code unknown, used up or expired": lambda: _(
        "This invitation code is unknown, already used or expired. Ask your care provider for a new code."
    ),
    "e-mail address already registered": lambda: _("This e-mail address already has an account. Log in instead."),
    "invalid e-mail address": lambda: _("Fill in a valid e-mail address."),
    **{problem.value: _password_message(problem) for problem in PasswordProblem},
}
PASSWORD_ERRORS = {
    "current password wrong": lambda: _("Your current password is not right. Try again."),
    **{problem.value: _password_message(problem) for problem in PasswordProblem},
}


def _login_problem(form: LoginForm, message: str, status: int) -> tuple[str, int]:
    """Show the form again with the e-mail address kept and the problem announced (role="alert")."""
    return render_template("accounts/login.html", form=form, problem=message), status


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    """Show the log-in form and log the person in."""
    form = LoginForm()
    if form.validate_on_submit():
        known = devices.read(current_app, request)
        try:
            user = services.authenticate(
                form.email.data or "", form.password.data or "", request.remote_addr or "", known
            )
        except services.Throttled as exc:
            message = _(
                "Too many attempts. Try again in %(minutes)d minutes. On the device where you usually log in, "
                "you can log in right away.",
                minutes=exc.minutes,
            )
            response = make_response(_login_problem(form, message, 429))
            response.headers["Retry-After"] = str(int(exc.wait.total_seconds()) + 1)
            return response
        except services.AccountError:
            return _login_problem(form, _("The e-mail address or password is not right."), 401)
        # a fresh session on log-in prevents session fixation; staff roles give a code first (login_flow.py)
        return login_flow.after_password(user, safe_next_url(request.args.get("next")))
    if request.method == "GET" and login_flow.PENDING in session:
        session.pop(login_flow.PENDING)  # back on the log-in page: a half-finished log-in is given up
    status = 400 if form.errors else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout() -> Response:
    """End the session, and every copy of its cookie: the account's session version goes up."""
    services.end_sessions(current_user)
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> str | Response | tuple[str, int]:
    """Change the password; every other session of the account ends, this one goes on."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(user, form.current.data or "", form.password.data or "", request.remote_addr or "")
        except services.Throttled as exc:
            message = _("Too many attempts. Try again in %(minutes)d minutes.", minutes=exc.minutes)
            return render_template("accounts/password.html", form=form, problem=message), 429
        except services.AccountError as exc:
            message = PASSWORD_ERRORS[str(exc)]() if str(exc) in PASSWORD_ERRORS else str(exc)
            return render_template("accounts/password.html", form=form, problem=message), 400
        login_user(user)  # this session carries the new session version; the others no longer match
        flash(_("Your password is changed. You are logged out on your other devices."), "info")
        return redirect(url_for("catalog.index"))
    return render_template("accounts/password.html", form=form), 400 if form.errors else 200


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password() -> str | Response | tuple[str, int]:
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ForgotPasswordForm(email=request.args.get("email", ""))
    if form.validate_on_submit():
        try:
            mail = reset.request_reset(form.email.data or "", request.remote_addr or "", current_app.secret_key or "")
        except reset.TooManyRequests as exc:
            message = _(
                "You asked for many e-mails in a short time. Try again in %(minutes)d minutes.", minutes=exc.minutes
            )
            response = make_response(render_template("accounts/forgot.html", form=form, problem=message), 429)
            response.headers["Retry-After"] = str(int(exc.wait.total_seconds()) + 1)
            return response
        response = make_response(
            render_template("accounts/forgot_sent.html", email=form.email.data, minutes=_reset_minutes())
        )
        if mail is not None:
            _send_after_response(response, mail)
        return response
    return render_template("accounts/forgot.html", form=form), 400 if form.errors else 200


def _reset_minutes() -> int:
    return int(reset.RESET_MAX_AGE.total_seconds() // 60)


def _send_after_response(response: Response, mail: reset.ResetMail) -> None:
    """Write the mail in the page's language now; send it once the answer has gone (see mail.py)."""
    link = public_url("accounts.reset_password", token=mail.token)
    send_after(response, mail.email, _("A new password for VTC Twente"), "accounts/reset_mail.txt",
               link=link, minutes=_reset_minutes())  # fmt: skip


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> str | Response | tuple[str, int]:
    """Choose a new password through a link from the reset mail; log-in throttling never blocks this."""
    secret = current_app.secret_key or ""
    try:
        user = reset.user_for_token(token, secret)
    except reset.LinkInvalid as exc:
        expired = isinstance(exc, reset.LinkExpired)
        return render_template("accounts/reset_invalid.html", expired=expired), 410
    form = ResetPasswordForm()
    form.account_email = user.email
    if form.validate_on_submit():
        try:
            user = reset.reset_password(token, form.password.data or "", secret)
        except services.AccountError as exc:
            message = PASSWORD_ERRORS[str(exc)]() if str(exc) in PASSWORD_ERRORS else str(exc)
            return render_template("accounts/reset.html", form=form, problem=message), 400
        if mfa.requires_mfa(user):  # a reset link proves the mailbox, not the second factor: ask for it too
            response = login_flow.after_password(user, None)  # clears the session: the message comes after
            flash(_("Your new password is set. On your other devices you are logged out."), "info")
            return response
        response = login_flow.complete_login(user, None)  # a new session: the message comes after
        flash(_("Your new password is set and you are logged in. On your other devices you are logged out."), "info")
        return response
    return render_template("accounts/reset.html", form=form), 400 if form.errors else 200


@bp.after_request
def keep_reset_pages_out_of_caches(response: Response) -> Response:
    """A page whose address holds a reset link must not stay in a shared computer's browser cache."""
    if request.endpoint == "accounts.reset_password":
        response.headers["Cache-Control"] = "no-store"
    return response


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
        # What the visitor read the site in (chosen, or from the browser) and set up becomes the account's choice.
        language, reading = select_locale(), current_preferences()
        if mfa.requires_mfa(user):  # a staff role from the code: set up the second factor before anything else
            services.set_locale(user, language)
            return login_flow.after_password(user, None)
        session.clear()
        login_user(user)
        session.permanent = True
        login_flow.mark_authenticated()
        services.set_locale(user, language)
        save_preferences(reading)
        flash(_("Welcome! Your account is ready. We sent you an e-mail: open the link in it to confirm your address."),
              "info")  # fmt: skip
        response = redirect(url_for("catalog.index"))
        mail_confirmation_after(response, user)
        return response
    return render_template("accounts/register.html", form=form), 400 if form.errors else 200


@bp.post("/language/<code>")
def set_language(code: str) -> Response:
    """Switch the interface and module language (Dutch, English or German)."""
    if code not in LANGUAGES:
        flash(_("That language is not available."), "error")
    else:
        session["locale"] = code
        if current_user.is_authenticated:
            services.set_locale(current_user, code)
    return redirect(safe_next_url(request.form.get("next")) or url_for("catalog.index"))
