"""Pages for invitation codes, their printable letters, and the bulk imports of staff and patients."""

from __future__ import annotations

from datetime import date

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from learning.accounts.models import Invitation, Role
from learning.admin import imports, invitations, organisations
from learning.admin.invitations import InvitationData, Status
from learning.admin.letters import qr_svg, registration_url
from learning.admin.scope import AdminError, OutOfScope, assignable_roles
from learning.admin.web import actor, administered, bp, int_or_none, problem_of
from learning.i18n import LANGUAGE_NAMES

STATUS_LABELS = {
    Status.ACTIVE: _l("Works"),
    Status.USED_UP: _l("Used up"),
    Status.EXPIRED: _l("Expired"),
    Status.REVOKED: _l("Revoked"),
}
MAX_LETTERS = 200


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


@bp.route("/<int:organisation_id>/invitations", methods=["GET", "POST"])
@administered
def invitation_list(organisation_id: int) -> ResponseReturnValue:
    """The organisation's codes with how often each was used; a form for a new code."""
    me, problem = actor(), None
    org = organisations.get_organisation(me, organisation_id)
    if request.method == "POST":
        form = request.form
        role = form.get("role", "")
        uses = form.get("max_uses", "1").strip()
        expires = _date(form.get("expires_on"))
        try:
            if form.get("expires_on", "").strip() and expires is None:
                raise AdminError("expiry-out-of-range", days=invitations.MAX_DAYS)
            data = InvitationData(Role(role) if role in {r.value for r in Role} else Role.PATIENT,
                                  int_or_none(form.get("team_id")), int(uses) if uses.isdigit() and len(uses) < 6
                                  else 0, expires, form.get("label", ""))  # fmt: skip
            made = invitations.create_invitation(me, organisation_id, data)
        except AdminError as error:
            problem = problem_of(error)
        else:
            flash(_l("Code %(code)s made.", code=made.code), "info")
            return redirect(url_for("admin.invitation_list", organisation_id=organisation_id, made=made.id))
    page = render_template("admin/invitations.html", organisation=org,
                           codes=invitations.invitations_of(me, organisation_id), status=invitations.status,
                           labels=STATUS_LABELS, roles=assignable_roles(me),
                           tree=organisations.team_tree(organisation_id), problem=problem, form=request.form,
                           default_expiry=invitations.default_expiry(), languages=LANGUAGE_NAMES)  # fmt: skip
    return page, 400 if problem else 200


@bp.get("/<int:organisation_id>/invitations/<int:invitation_id>/revoke")
@administered
def confirm_revoke_invitation(organisation_id: int, invitation_id: int) -> ResponseReturnValue:
    """Ask before revoking: a patient holding the letter can then no longer register with it (no JavaScript)."""
    code = invitations.get_invitation(actor(), organisation_id, invitation_id)
    back = url_for("admin.invitation_list", organisation_id=organisation_id)
    return render_template(
        "admin/confirm.html", title=_("Revoke code %(code)s?", code=code.code),
        warning=_("Whoever has this code (on a letter, for example) can no longer register with it. A revoked code "
                  "cannot be used again: make a new one if it is still needed."),
        action=url_for("admin.revoke_invitation", organisation_id=organisation_id, invitation_id=invitation_id),
        yes=_("Yes, revoke"), no=_("No, keep it"), back=back,
    )  # fmt: skip


@bp.post("/<int:organisation_id>/invitations/<int:invitation_id>/revoke")
@administered
def revoke_invitation(organisation_id: int, invitation_id: int) -> ResponseReturnValue:
    """Revoke once the confirmation page was answered with yes; without it, show that page."""
    if request.form.get("confirm") != "yes":
        return confirm_revoke_invitation(organisation_id, invitation_id)
    made = invitations.revoke(actor(), organisation_id, invitation_id)
    flash(_l("Code %(code)s revoked: it no longer works.", code=made.code), "info")
    return redirect(url_for("admin.invitation_list", organisation_id=organisation_id))


@bp.get("/<int:organisation_id>/invitations/letters")
@administered
def letters(organisation_id: int) -> ResponseReturnValue:
    """Printable letters for a patient's first visit, one per page: ?ids=1,2,3 and ?lang=nl|en|de."""
    me = actor()
    ids = [int(i) for i in request.args.get("ids", "").split(",") if i.strip().isdigit() and len(i.strip()) < 19]
    if not ids or len(ids) > MAX_LETTERS:
        raise OutOfScope
    codes = [invitations.get_invitation(me, organisation_id, i) for i in ids]
    org = organisations.get_organisation(me, organisation_id)
    lang = request.args.get("lang", "nl")
    lang = lang if lang in LANGUAGE_NAMES else "nl"
    with force_locale(lang):
        bodies = [Markup(_letter(code, org.name)) for code in codes]  # noqa: S704 — our own rendered template
    return render_template("admin/letters.html", organisation=org, bodies=bodies, lang=lang, ids=ids,
                           languages=LANGUAGE_NAMES)  # fmt: skip


def _letter(code: Invitation, organisation: str) -> str:
    url = registration_url(code.code)
    title = _("QR code: opens the registration page with your code filled in")
    return render_template("admin/_letter.html", code=code, organisation=organisation, url=url, qr=qr_svg(url, title))


@bp.route("/<int:organisation_id>/import", methods=["GET", "POST"])
@administered
def import_file(organisation_id: int) -> ResponseReturnValue:
    """Upload a CSV and see what it would do, with every problem; nothing is imported yet."""
    me = actor()
    org = organisations.get_organisation(me, organisation_id)
    kind = request.form.get("kind", request.args.get("kind", "staff"))
    kind = kind if kind in imports.KINDS else "staff"
    checked, text, missing = None, "", False
    if request.method == "POST":
        upload = request.files.get("file")
        data = upload.read() if upload else b""
        missing = not data
        if data:
            checked = imports.preview(me, organisation_id, kind, data)
            text = data.decode("utf-8-sig", errors="replace")
    page = render_template("admin/import.html", organisation=org, kind=kind, checked=checked, text=text,
                           missing=missing)  # fmt: skip
    return page, 400 if missing or (checked and not checked.ok) else 200


@bp.post("/<int:organisation_id>/import/confirm")
@administered
def confirm_import(organisation_id: int) -> ResponseReturnValue:
    """Import the previewed file: it is checked again, and nothing is imported while a row is wrong."""
    me = actor()
    kind = request.form.get("kind", "")
    if kind not in imports.KINDS:
        kind = "staff"
    data = request.form.get("csv", "").encode("utf-8")
    try:
        result = imports.run(me, organisation_id, kind, data)
    except imports.ImportRefused as refused:
        org = organisations.get_organisation(me, organisation_id)
        page = render_template("admin/import.html", organisation=org, kind=kind, checked=refused.preview,
                               text=request.form.get("csv", ""), missing=False)  # fmt: skip
        return page, 400
    if kind == "staff":
        flash(_l("Import done: %(created)s added, %(updated)s updated.", created=result.created,
                 updated=result.updated), "info")  # fmt: skip
        return redirect(url_for("admin.people_list", organisation_id=organisation_id))
    flash(_l("Import done: %(count)s codes made. Print the letters below.", count=len(result.invitations)), "info")
    ids = ",".join(str(inv.id) for inv in result.invitations)
    return redirect(url_for("admin.invitation_list", organisation_id=organisation_id, imported=ids))


@bp.get("/<int:organisation_id>/import/<kind>/template.csv")
@administered
def import_template(organisation_id: int, kind: str) -> ResponseReturnValue:
    organisations.get_organisation(actor(), organisation_id)
    if kind not in imports.KINDS:
        raise OutOfScope
    return Response(imports.template_csv(kind), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={kind}-template.csv"})  # fmt: skip
