"""Pages of single sign-on: "Log in through your organisation", the provider's way back, and the admin settings.

The rules are in client.py (the protocol), signin.py (who gets in) and settings.py (what an administrator may
set); these pages read forms and say in the page, with role="alert", what went wrong and what to do.
"""

from __future__ import annotations

import time

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from learning.accounts import login_flow, mfa, reauth
from learning.accounts.mailer import public_url
from learning.admin.organisations import get_organisation
from learning.admin.scope import AdminError
from learning.admin.web import ROLES, actor, administered, message
from learning.sso import resume, settings, signin
from learning.sso.client import SsoRefused, finish, start
from learning.sso.settings import JIT_ROLES, SsoData
from learning.web import CSP, safe_next_url

bp = Blueprint("sso", __name__)
PENDING = "sso_pending"  # {"state", "nonce", "verifier", "org", "email", "next", "at"}: one log-in under way
PENDING_MAX_AGE = 600  # seconds: a log-in page of the provider left open longer starts again

REFUSALS = {
    "unknown-organisation": _l(
        "Your organisation does not log in through VTC Twente this way. Log in with your "
        "e-mail address and password, or ask your administrator."
    ),
    "provider-down": _l(
        "The log-in service of your organisation does not answer right now. Try again in a few "
        "minutes, or log in with your password."
    ),
    "state-invalid": _l(
        'This log-in was already used or took too long. Start again with "Log in through your organisation".'
    ),
    "provider-error": _l(
        "Your organisation's log-in service did not log you in. Start again, or ask your organisation's IT help desk."
    ),
    "token-refused": _l(
        "Your organisation's log-in service refused this log-in. Start again; if it happens again, "
        "ask your administrator to check the single sign-on settings."
    ),
    "id-token-audience": _l(
        "The answer of your organisation's log-in service was meant for another application. "
        "Ask your administrator to check the client ID of the single sign-on settings."
    ),
    "id-token-expired": _l(
        "The answer of your organisation's log-in service has expired. Start again; if it "
        "happens again, check that the clock of your computer is right."
    ),
    "id-token-signature": _l(
        "The answer of your organisation's log-in service could not be verified. Start again; "
        "if it happens again, ask your administrator."
    ),
    "id-token-issuer": _l(
        "The answer came from another log-in service than your organisation's. Ask your "
        "administrator to check the single sign-on settings."
    ),
    "id-token-nonce": _l(
        'This log-in does not belong to this browser. Start again with "Log in through your organisation".'
    ),
    "id-token-invalid": _l(
        "The answer of your organisation's log-in service was not complete. Start again, or ask your administrator."
    ),
    "no-email": _l("Your organisation's log-in service did not tell us your e-mail address. Ask your administrator."),
    "other-domain": _l(
        "You logged in with an address that does not belong to this organisation. Log in with your "
        "work account, or ask your administrator."
    ),
    "other-organisation": _l(
        "This e-mail address has an account at another organisation. Log in with your "
        "password, or ask your administrator."
    ),
    "account-ended": _l("Your membership has ended, so you cannot log in. Ask your manager if this is a mistake."),
    "email-unverified": _l(
        "There is already an account with this e-mail address, but your organisation's log-in service did not "
        "confirm that the address is yours. Log in with your password, or ask your administrator."
    ),
    "identity-mismatch": _l(
        "The account with this e-mail address is linked to another work account. Log in with the work account "
        "you used before, or ask your administrator."
    ),
    "other-account": _l(
        "You confirmed with another work account than the one that is logged in here. Confirm with your own "
        "work account, or log out first."
    ),
}
STATUS = {"provider-down": 503, "unknown-organisation": 400, "state-invalid": 400, "other-domain": 403,
          "other-organisation": 403, "account-ended": 403, "email-unverified": 403, "identity-mismatch": 403,
          "other-account": 403}  # fmt: skip
RESUME = "sso_resume"  # the form a confirmation through the organisation interrupted (resume.py)


def _refused(reason: str, email: str, organisation_id: int | None, detail: str = "") -> ResponseReturnValue:
    signin.audit("sso.refused", organisation_id, None, f"{reason} {detail}".strip())
    problem = str(REFUSALS.get(reason, REFUSALS["id-token-invalid"]))
    return render_template("sso/login.html", problem=problem, email=email), STATUS.get(reason, 401)


@bp.route("/login/sso", methods=["GET", "POST"])
def begin() -> ResponseReturnValue:
    """Ask the work e-mail address, find its organisation, and send the browser to that organisation's provider."""
    if request.method == "GET":
        return render_template("sso/login.html", problem=None, email=request.args.get("email", ""))
    email = request.form.get("email", "").strip()
    provider = signin.provider_for_email(email)
    if provider is None:
        return _refused("unknown-organisation", email, None, signin.domain_of(email)[:60])
    try:
        started = start(provider, public_url("sso.callback"), email, again=current_user.is_authenticated)
    except SsoRefused as refusal:
        return _refused(refusal.reason, email, provider.organisation_id, refusal.detail)
    # "Confirm it is you" (reauth.py) sends again=1: then only the logged-in person may come back (uid)
    again = current_user.is_authenticated and request.form.get("again") == "1"
    action = request.form.get("resume_action") if again else None
    kept = resume.pack(action, request.form) if action else None
    next_url = safe_next_url(request.args.get("next") or request.form.get("next"))
    if action and kept is None:  # too much to keep: at least the form's page again, with a word why it is empty
        next_url = resume.page_of(action)
    session[PENDING] = {"state": started.state, "nonce": started.nonce, "verifier": started.verifier,
                        "org": provider.organisation_id, "email": email, "at": time.time(), "next": next_url,
                        "uid": current_user.id if again else None, "resume": kept,
                        "lost": bool(action and not kept)}  # fmt: skip
    return redirect(started.url)


@bp.after_request
def allow_providers_as_form_targets(response: Response) -> Response:
    """The e-mail form of /login/sso is answered with a redirect to the provider, and browsers hold a form's
    redirects to the page's CSP form-action too: the page names the enabled providers' origins there."""
    if request.endpoint == "sso.begin":
        origins = sorted({signin.origin(p.issuer) for p in signin.enabled_providers()})
        allowed = " ".join(["form-action 'self'", *origins])
        response.headers["Content-Security-Policy"] = CSP.replace("form-action 'self'", allowed)
    return response


@bp.get("/login/sso/callback")
def callback() -> ResponseReturnValue:
    """The provider's answer: check it and log the person in, or say why not. A state works once."""
    pending = session.pop(PENDING, None)
    state = request.args.get("state", "")
    if (not isinstance(pending, dict) or not state or pending.get("state") != state
            or time.time() - float(pending.get("at", 0)) > PENDING_MAX_AGE):  # fmt: skip
        return _refused("state-invalid", "", None)
    email, organisation_id = str(pending.get("email", "")), int(pending["org"])
    provider = settings.provider_of(organisation_id)
    if provider is None or not provider.enabled:
        return _refused("unknown-organisation", email, organisation_id)
    if "error" in request.args or "code" not in request.args:
        return _refused("provider-error", email, organisation_id, request.args.get("error", "no code")[:60])
    secret = mfa.decrypt(provider.client_secret, login_flow.secret_keys())
    try:
        if secret is None:
            raise SsoRefused("token-refused", "client secret unreadable: the secret key changed")
        claims = finish(provider, secret, request.args["code"], str(pending["verifier"]), str(pending["nonce"]),
                        public_url("sso.callback"))  # fmt: skip
        only = pending.get("uid")
        user, action = signin.account_for(provider, claims, only if isinstance(only, int) else None)
    except SsoRefused as refusal:
        return _refused(refusal.reason, email, organisation_id, refusal.detail)
    signin.audit(action, organisation_id, user, provider.issuer)
    # The organisation's provider did the log-in, its own second factor included: complete_login marks the
    # session's second factor as proven for staff roles (docs/signing-in.md, "Single sign-on").
    if not pending.get("resume"):
        response = login_flow.complete_login(user, pending.get("next"))
        if pending.get("lost"):  # after complete_login, which starts a new session
            flash(_l("You confirmed it is you. What you entered was too long to keep: fill in the form again."),
                  "error")  # fmt: skip
        return response
    response = login_flow.complete_login(user, None, redirect(url_for("sso.resume_form")))
    session[RESUME] = pending["resume"]  # after complete_login, which starts a new session
    return response


@bp.get("/login/sso/continue")
def resume_form() -> ResponseReturnValue:
    """After confirming through the organisation: the interrupted form again, sent on only by "Continue"."""
    kept = resume.unpack(session.pop(RESUME, None))
    if kept is None or not current_user.is_authenticated:
        return redirect(url_for("catalog.index"))
    page = render_template("sso/continue.html", action=kept[0], keep=kept[1])
    return page, 200, {"Cache-Control": "no-store"}


# --- the settings, for regional administrators ---------------------------------------------------------------


def _form() -> SsoData:
    f = request.form
    return SsoData(f.get("issuer", ""), f.get("client_id", ""), f.get("client_secret", ""), f.get("domains", ""),
                   f.get("role_claim", ""), f.get("role_lines", ""), f.get("team_claim", ""), f.get("team_lines", ""),
                   f.get("default_role", ""), f.get("enabled") == "1",
                   f.get("trust_email") == "1")  # fmt: skip


MESSAGES = {
    "sso-issuer-invalid": _l(
        "Fill in the issuer as an https address, such as https://login.microsoftonline.com/<tenant id>/v2.0."
    ),
    "sso-client-id-required": _l("Fill in the client ID (application ID) the provider gave."),
    "sso-secret-required": _l("Fill in the client secret the provider gave."),
    "sso-domains-invalid": _l("Fill in at least one e-mail domain, such as mst.nl, separated by spaces."),
    "sso-claim-invalid": _l("A claim name has only letters, digits and _ . : / -, such as roles or groups."),
    "sso-role-line": _l("Write each rule on its own line as value = role. This line is not right: %(line)s"),
    "sso-role-not-allowed": _l("Choose a role from: %(roles)s."),
    "sso-team-line": _l("Write each rule on its own line as value = team name. This line is not right: %(line)s"),
    "sso-team-unknown": _l("This organisation has no team %(team)s. Use the name of one of its teams."),
}
FIELDS = {
    "sso-issuer-invalid": "issuer",
    "sso-client-id-required": "client_id",
    "sso-secret-required": "client_secret",
    "sso-domains-invalid": "domains",
    "sso-claim-invalid": "role_claim",
    "sso-role-line": "role_lines",
    "sso-role-not-allowed": "role_lines",
    "sso-team-line": "team_lines",
    "sso-team-unknown": "team_lines",
}


def _message(error: AdminError) -> str:
    template = MESSAGES.get(error.reason)
    return str(template) % error.params if template is not None else message(error)


@bp.route("/admin/organisations/<int:organisation_id>/sso", methods=["GET", "POST"])
@administered
def admin_settings(organisation_id: int) -> ResponseReturnValue:
    """Set the organisation's OpenID provider (regional administrators; a manager of it gets 403)."""
    me = actor()
    org = get_organisation(me, organisation_id)
    if not me.regional:
        abort(403)
    problem, form = None, settings.as_form(settings.provider_of(organisation_id))
    if request.method == "POST":
        if (asked := reauth.enforce()) is not None:
            return asked  # who may log in as this organisation's staff: a recent password (and code) first
        try:
            settings.save(me, organisation_id, _form(), login_flow.secret_keys())
        except AdminError as error:
            problem, form = {"message": _message(error), "field": FIELDS.get(error.reason, "")}, request.form
        else:
            flash(_l("Single sign-on saved. The client secret is stored encrypted and is not shown again."), "info")
            return redirect(url_for("sso.admin_settings", organisation_id=organisation_id))
    page = render_template("sso/admin.html", organisation=org, form=form, problem=problem,
                           provider=settings.provider_of(organisation_id),
                           role_options=[(r.value, str(ROLES[r.value])) for r in JIT_ROLES],
                           callback=public_url("sso.callback"))  # fmt: skip
    return page, 400 if problem else 200


@bp.post("/admin/organisations/<int:organisation_id>/sso/remove")
@administered
def admin_remove(organisation_id: int) -> ResponseReturnValue:
    me = actor()
    get_organisation(me, organisation_id)
    if not me.regional:
        abort(403)
    if settings.provider_of(organisation_id) is None:
        abort(404)
    settings.remove(me, organisation_id)
    flash(_l("Single sign-on removed. The organisation's staff log in with their password again."), "info")
    return redirect(url_for("sso.admin_settings", organisation_id=organisation_id))
