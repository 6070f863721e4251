"""Pages for sharing progress: the patient's "Wie mag meekijken" and the caregiver's "Meekijken"."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, lazy_gettext
from flask_login import current_user, login_required

from learning.accounts.models import Role
from learning.audit.recording import record_read
from learning.caregivers import services
from learning.progress.services import get_progress

bp = Blueprint("caregivers", __name__)

CODE_PROBLEMS = {
    "unknown-code": lazy_gettext(
        "This code does not work. Check the letters and numbers, or ask for a new code: "
        "a code works once and for 7 days."
    ),
    "own-code": lazy_gettext("This is your own code. Give it to the person who helps you."),
    "empty": lazy_gettext("Type the code you were given."),
}


def _require(role: Role) -> None:
    if current_user.role != role:
        abort(403)


@bp.route("/sharing", methods=["GET", "POST"])
@login_required
def sharing() -> ResponseReturnValue:
    """The patient makes a code for a caregiver, sees who may look along, and stops it."""
    _require(Role.PATIENT)
    new_code = None
    if request.method == "POST":
        new_code = services.create_code(current_user._get_current_object()).code
    links = services.links_of_patient(current_user._get_current_object())
    names = services.people_names({link.caregiver_id for link in links if link.caregiver_id})
    return render_template("caregivers/sharing.html", links=links, names=names, new_code=new_code)


@bp.post("/sharing/<int:link_id>/end")
@login_required
def end(link_id: int) -> ResponseReturnValue:
    """End a grant (the patient or the caregiver) or withdraw an unused code."""
    try:
        services.end_link(current_user._get_current_object(), link_id)
    except services.SharingError:
        abort(404)
    if current_user.role == Role.PATIENT:
        flash(lazy_gettext("Done. This person can no longer see your progress."), "info")
        return redirect(url_for("caregivers.sharing"))
    flash(lazy_gettext("Done. You no longer see this person's progress."), "info")
    return redirect(url_for("caregivers.caregiving"))


@bp.route("/caregiving", methods=["GET", "POST"])
@login_required
def caregiving() -> ResponseReturnValue:
    """The caregiver enters a patient's code and sees whom they help."""
    _require(Role.CAREGIVER)
    problem, typed = None, ""
    if request.method == "POST":
        typed = request.form.get("code", "")
        if not typed.strip():
            problem = CODE_PROBLEMS["empty"]
        else:
            try:
                services.accept_code(current_user._get_current_object(), typed)
            except services.SharingError as exc:
                problem = CODE_PROBLEMS.get(exc.reason, CODE_PROBLEMS["unknown-code"])
            else:
                flash(lazy_gettext("Done. You can now see this person's progress."), "info")
                return redirect(url_for("caregivers.caregiving"))
    shared = services.shared_with(current_user._get_current_object())
    page = render_template("caregivers/caregiving.html", shared=shared, problem=problem, typed=typed)
    return page, 400 if problem else 200


@bp.get("/caregiving/<int:link_id>")
@login_required
def patient_progress(link_id: int) -> ResponseReturnValue:
    """A patient's progress as they shared it: the same overview they see themselves, read-only."""
    _require(Role.CAREGIVER)
    patient = services.patient_for(current_user._get_current_object(), link_id)
    if patient is None:
        abort(404)
    record_read("caregiver.progress", f"user:{patient.id}")
    rows = get_progress(patient, str(get_locale()))
    name = patient.display_name or patient.email
    return render_template("caregivers/patient_progress.html", rows=rows, name=name, link_id=link_id)
