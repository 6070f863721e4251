"""A programme's NASSS and CFIR assessments: the record with a latest-per-domain summary, and the form to add one."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from learning.assessments import services
from learning.assessments.forms import AssessmentForm
from learning.audit.recording import record_read
from learning.db import db
from learning.environments.models import Programme

bp = Blueprint("assessments", __name__, url_prefix="/programmes")
Page = tuple[str, int]


def _programme(programme_id: int, *, to_assess: bool) -> Programme:
    """Return the programme if the user may see (or, with to_assess, add) its assessments; else 404/403."""
    programme = db.get_or_404(Programme, programme_id)
    allowed = services.may_assess if to_assess else services.may_view_assessments
    if not allowed(current_user, programme):
        abort(403)
    return programme


def _form(programme: Programme) -> AssessmentForm:
    roles = services.role_labels(str(get_locale()))
    earliest, latest = services.earliest_assessment_date(programme), services.local_today()
    return AssessmentForm(roles=roles, earliest=earliest, latest=latest)


def _form_page(programme: Programme, form: AssessmentForm, status: int = 200) -> Page:
    return render_template("assessments/new.html", programme=programme, form=form, ratings=services.RATINGS), status


@bp.get("/<int:programme_id>/assessments")
@login_required
def index(programme_id: int) -> str:
    """Show the programme's latest assessment per domain and the full record, by framework."""
    programme = _programme(programme_id, to_assess=False)
    record_read("assessments.view", f"programme:{programme.id}")
    return render_template(
        "assessments/index.html",
        programme=programme,
        latest=services.latest_assessments([programme.id])[programme.id],
        history=services.assessment_history(programme.id),
        may_assess=services.may_assess(current_user, programme),
        roles=services.role_labels(str(get_locale())),
        domains=services.DOMAIN_LABELS,
        ratings=services.RATINGS,
    )


@bp.get("/<int:programme_id>/assessments/new")
@login_required
def new(programme_id: int) -> Page:
    """Show the form for one new assessment."""
    programme = _programme(programme_id, to_assess=True)
    return _form_page(programme, _form(programme))


@bp.post("/<int:programme_id>/assessments/new")
@login_required
def create(programme_id: int) -> Response | Page:
    """Store a valid assessment and return to the record; show the form with every error otherwise."""
    programme = _programme(programme_id, to_assess=True)
    form = _form(programme)
    if not form.validate_on_submit():
        return _form_page(programme, form, 400)
    services.add_assessment(programme, current_user, form.to_assessment())
    flash(_("The assessment has been saved."), "info")
    return redirect(url_for("assessments.index", programme_id=programme.id), code=303)
