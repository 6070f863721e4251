"""Pages of the links we send by e-mail: asking for and using a sign-in link, confirming an address, and sending
the confirmation mail again. Every link page needs one click (a POST): mail scanners open links, never buttons."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from learning.accounts import confirm, links, login_flow
from learning.accounts.forms import ButtonForm, SignInLinkForm
from learning.accounts.mail_limits import TooManyRequests
from learning.accounts.mailer import public_url, send_after, send_confirmation_after
from learning.accounts.models import User
from learning.accounts.reset import LinkExpired, LinkInvalid
from learning.web import safe_next_url

bp = Blueprint("email_links", __name__)
LINK_MINUTES = int(links.LINK_MAX_AGE.total_seconds() // 60)
CONFIRM_DAYS = confirm.CONFIRM_MAX_AGE.days


def _wait_response(page: str, status: int, exc: TooManyRequests) -> Response:
    response = make_response(page, status)
    response.headers["Retry-After"] = str(int(exc.wait.total_seconds()) + 1)
    return response


@bp.route("/login/link", methods=["GET", "POST"])
def ask_link() -> str | Response | tuple[str, int]:
    """Ask for a sign-in link; the answer is the same whether or not the address may get one."""
    form = SignInLinkForm(email=request.args.get("email", ""))
    if form.validate_on_submit():
        try:
            mail = links.request_link(form.email.data or "", request.remote_addr or "", current_app.secret_key or "")
        except TooManyRequests as exc:
            message = _(
                "You asked for many e-mails in a short time. Try again in %(minutes)d minutes.", minutes=exc.minutes
            )
            return _wait_response(render_template("accounts/link_ask.html", form=form, problem=message), 429, exc)
        response = make_response(
            render_template("accounts/link_sent.html", email=form.email.data, minutes=LINK_MINUTES)
        )
        if isinstance(mail, links.LinkMail):
            send_after(response, mail.email, _("Your log-in link for VTC Twente"), "accounts/link_mail.txt",
                       link=public_url("email_links.sign_in", token=mail.token), minutes=LINK_MINUTES)  # fmt: skip
        elif isinstance(mail, links.ConfirmFirst):
            send_confirmation_after(response, mail.email, mail.token, CONFIRM_DAYS, for_link=True)
        return response
    return render_template("accounts/link_ask.html", form=form), 400 if form.errors else 200


def _link_refused(exc: LinkInvalid) -> tuple[str, int]:
    if isinstance(exc, links.LinkUsed):
        reason = _("This link was already used. A log-in link works only once.")
    elif isinstance(exc, LinkExpired):
        reason = _("This link is older than %(minutes)d minutes.", minutes=LINK_MINUTES)
    else:
        reason = _("This link is not complete or not right. Perhaps part of it was lost when you copied it.")
    page = render_template("accounts/link_invalid.html", reason=reason, again=url_for("email_links.ask_link"),
                           again_label=_("Ask for a new log-in link"))  # fmt: skip
    return page, 410


@bp.route("/login/link/<token>", methods=["GET", "POST"])
def sign_in(token: str) -> str | Response | tuple[str, int]:
    """Show the link's page (using nothing), and log in with one click on it."""
    try:
        user = links.user_for_link(token)
    except LinkInvalid as exc:
        return _link_refused(exc)
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            user = links.use_link(token)
        except LinkInvalid as exc:
            return _link_refused(exc)
        # a fresh session (no session fixation), the device remembered, and the time of this proof of identity
        # (reauth.py: a download of her data right after needs no password she may not have)
        response = login_flow.complete_login(user, None)
        flash(_("You are logged in."), "info")
        return response
    other = current_user.email if current_user.is_authenticated and current_user.id != user.id else None
    return render_template("accounts/link_open.html", form=form, email=user.email, other=other)


def _confirm_refused(exc: LinkInvalid) -> tuple[str, int]:
    if isinstance(exc, LinkExpired):
        reason = _("This link is older than %(days)d days.", days=CONFIRM_DAYS)
    else:
        reason = _("This link is not right, or it was sent to an e-mail address that your account no longer has.")
    page = render_template("accounts/link_invalid.html", reason=reason, again=url_for("accounts.login"),
                           again_label=_("Log in to get a new link"))  # fmt: skip
    return page, 410


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str) -> str | Response | tuple[str, int]:
    """Confirm an address with one click on the link's page; this never logs anybody in."""
    secret = current_app.secret_key or ""
    try:
        user = confirm.user_for_token(token, secret)
    except LinkInvalid as exc:
        return _confirm_refused(exc)
    form = ButtonForm()
    if form.validate_on_submit() and user.email_confirmed_at is None:
        try:
            user = confirm.confirm_email(token, secret)
        except LinkInvalid as exc:
            return _confirm_refused(exc)
        if current_user.is_authenticated and current_user.id == user.id:
            flash(_("Thank you. Your e-mail address is confirmed."), "info")
            return redirect(url_for("catalog.index"))
        return render_template("accounts/confirm_open.html", form=form, user=user, done=True)
    return render_template("accounts/confirm_open.html", form=form, user=user, done=False)


@bp.post("/account/email/confirm")
@login_required
def send_confirmation() -> str | Response | tuple[str, int]:
    """Send the confirmation mail again (the bar on every page); the person is told when her address had enough."""
    user: User = current_user._get_current_object()
    back = safe_next_url(request.form.get("next")) or url_for("catalog.index")  # the form token: CSRFProtect
    try:
        token = confirm.request_confirmation(user, request.remote_addr or "", current_app.secret_key or "")
    except TooManyRequests as exc:
        message = _(
            "We already sent you several e-mails this hour. Look in your spam folder too. You can ask again in "
            "%(minutes)d minutes.",
            minutes=exc.minutes,
        )
        page = render_template("accounts/confirm_wait.html", problem=message, back=back)
        return _wait_response(page, 429, exc)
    if token is None:
        flash(_("Your e-mail address is already confirmed."), "info")
        return redirect(back)
    flash(_("We sent an e-mail to %(email)s. Open the link in it.", email=user.email), "info")
    response = redirect(back)
    send_confirmation_after(response, user.email, token, CONFIRM_DAYS)
    return response


@bp.after_request
def keep_link_pages_out_of_caches(response: Response) -> Response:
    """A page whose address holds a live link must not stay in a shared computer's browser cache, nor its address
    travel on in a Referer header (not even to our own static files' access log)."""
    if request.endpoint in {"email_links.sign_in", "email_links.confirm_email"}:
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response
