"""Pages for an organisation's RPM programmes: edit one, its alert norms and measurement schedule, end one (records
stay). Adding is on the organisation page (learning.admin.views), whose form this module reads too; the curricula
the programme page lists have their own pages (learning.admin.views_curricula)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from learning.admin import environments, norms, organisations, programmes, views_curricula
from learning.admin.norms import NormsData
from learning.admin.programmes import ProgrammeData
from learning.admin.scope import AdminError
from learning.admin.web import (
    actor,
    administered,
    bp,
    date_or_none,
    int_or_none,
    problem_of,
    share_or_none,
)
from learning.environments.models import Programme


def programme_form() -> ProgrammeData:
    """The programme form as the service takes it; an unreadable field becomes what the service refuses."""
    form = request.form
    teams = tuple(sorted({int(t) for t in form.getlist("team_ids") if t.isdigit() and len(t) < 19}))
    return ProgrammeData(int_or_none(form.get("environment_id")), form.get("name", ""), form.get("condition", ""),
                         form.get("platform_name", ""), date_or_none(form.get("start")), teams,
                         int_or_none(form.get("monitoring_centre_team_id")), share_or_none(form.get("adherence")),
                         form.get("hours") == "daily")  # fmt: skip


def current_values(programme: Programme) -> dict[str, Any]:
    """The stored programme as the form shows it (a share as a percentage)."""
    return {
        "environment_id": programme.environment_id,
        "name": programme.name,
        "condition": programme.condition.value,
        "platform_name": programme.platform_name,
        "start": programme.start.isoformat(),
        "team_ids": [team.id for team in programme.teams],
        "monitoring_centre_team_id": programme.monitoring_centre_team_id or "",
        "adherence": f"{programme.adherence_threshold * 100:g}",
        "hours": "daily" if programmes.is_around_the_clock(programme) else "weekdays",
    }


def sent_values() -> dict[str, Any]:
    """What was typed, for a form that comes back refused: one value per field, the ticked teams as a list."""
    sent = request.form.to_dict(flat=False)
    return {"team_ids": [], **{key: values if key == "team_ids" else values[0] for key, values in sent.items()}}


@bp.route("/<int:organisation_id>/programmes/<int:programme_id>", methods=["GET", "POST"])
@administered
def programme(organisation_id: int, programme_id: int) -> ResponseReturnValue:
    """Edit a programme: its name, environment, platform, start, norm, hours and the teams that take part."""
    me, problem = actor(), None
    current = programmes.get_programme(me, organisation_id, programme_id)
    if request.method == "POST":
        try:
            programmes.edit_programme(me, organisation_id, programme_id, programme_form())
        except AdminError as error:
            problem = problem_of(error)
        else:
            flash(_l("Saved."), "info")
            return redirect(url_for("admin.organisation", organisation_id=organisation_id, _anchor="programmes"))
    form = sent_values() if problem else current_values(current)
    return _programme_page(current, problem=problem, form=form)


def _programme_page(current: Programme, **context: Any) -> ResponseReturnValue:
    """The programme page: its form, its alert norms and schedule, its curricula; 400 when a form was refused."""
    me = actor()
    values = {"problem": None, "form": current_values(current), "norms_problem": None,
              "norms": views_curricula.norms_values(current), **context}  # fmt: skip
    page = render_template("admin/programme.html", programme=current, organisation=current.organisation,
                           environments=environments.all_environments(),
                           tree=organisations.team_tree(current.organisation_id),
                           **views_curricula.programme_context(me, current), **values)  # fmt: skip
    return page, 400 if values["problem"] or values["norms_problem"] else 200


def norms_form() -> NormsData:
    """The norms form: a minutes field per severity (a ticked "remove" drops it) and one new severity; a frequency per
    measurement type ("" drops it) and one new type."""
    form = request.form
    sla = {key[4:]: int_or_none(value) for key, value in form.items()
           if key.startswith("sla_") and not form.get(f"drop_sla_{key[4:]}")}  # fmt: skip
    schedule = {key[9:]: value for key, value in form.items() if key.startswith("schedule_") and value}
    new_kind = form.get("new_kind", "").strip()
    if new_kind:
        schedule[new_kind] = form.get("new_frequency", "")
    return NormsData(sla, schedule, form.get("new_severity", ""), int_or_none(form.get("new_minutes")))


def sent_norms() -> dict[str, Any]:
    """The norms form as it was sent, for a refused one: the rows in their order, the new rows as typed."""
    form = request.form
    return {
        "sla": [(key[4:], value) for key, value in form.items() if key.startswith("sla_")],
        "drop": [key[9:] for key, value in form.items() if key.startswith("drop_sla_") and value],
        "new_severity": form.get("new_severity", ""),
        "new_minutes": form.get("new_minutes", ""),
        "schedule": [(key[9:], value) for key, value in form.items() if key.startswith("schedule_")],
        "new_kind": form.get("new_kind", ""),
        "new_frequency": form.get("new_frequency", ""),
    }


@bp.post("/<int:organisation_id>/programmes/<int:programme_id>/norms")
@administered
def programme_norms(organisation_id: int, programme_id: int) -> ResponseReturnValue:
    """Change the alert norms (add or remove a severity too) and the measurement schedule; a refusal comes back on the
    programme page as sent."""
    me = actor()
    current = programmes.get_programme(me, organisation_id, programme_id)
    try:
        norms.set_norms(me, organisation_id, programme_id, norms_form())
    except AdminError as error:
        problem = views_curricula.problem_of(error)
        added = request.form.get("new_kind", "").strip().lower()
        if added and problem["field"] == f"schedule_{added}" and added not in (current.measurement_schedule or {}):
            problem["field"] = "new_frequency"  # the new type's row is the one to correct
        return _programme_page(current, norms_problem=problem, norms=sent_norms())
    flash(_l("Saved."), "info")
    return redirect(url_for("admin.programme", organisation_id=organisation_id, programme_id=programme_id,
                            _anchor="norms"))  # fmt: skip


@bp.route("/<int:organisation_id>/programmes/<int:programme_id>/end", methods=["GET", "POST"])
@administered
def end_programme(organisation_id: int, programme_id: int) -> ResponseReturnValue:
    """Ask for the last day before ending a programme; its enrolments, measurements and alerts stay."""
    me, problem = actor(), None
    current = programmes.get_programme(me, organisation_id, programme_id)
    if request.method == "POST":
        try:
            programmes.end_programme(me, organisation_id, programme_id, date_or_none(request.form.get("end")))
        except AdminError as error:
            problem = problem_of(error)
        else:
            flash(_l("Programme %(name)s ended. Its records stay.", name=current.name), "info")
            return redirect(url_for("admin.organisation", organisation_id=organisation_id, _anchor="programmes"))
    end = request.form.get("end", programmes.local_today().isoformat())
    page = render_template("admin/programme_end.html", programme=current, organisation=current.organisation,
                           problem=problem, end=end)  # fmt: skip
    return page, 400 if problem else 200
