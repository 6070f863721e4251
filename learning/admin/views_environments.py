"""Pages for the region's implementation environments: every administrator reads the list (a manager picks one for a
programme of their organisation); only a regional administrator adds or changes one."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from learning.admin import environments
from learning.admin.environments import EnvironmentData
from learning.admin.scope import AdminError
from learning.admin.web import (
    actor,
    administered,
    condition_options,
    date_or_none,
    phase_options,
    problem_of,
)

bp = Blueprint("admin_environments", __name__, url_prefix="/admin/environments")


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {"condition_options": condition_options, "phase_options": phase_options}


def _form() -> EnvironmentData:
    form = request.form
    return EnvironmentData(form.get("name", ""), form.get("condition", ""), form.get("phase", ""),
                           date_or_none(form.get("start")), date_or_none(form.get("end")),
                           date_or_none(form.get("funding_end")))  # fmt: skip


@bp.route("/", methods=["GET", "POST"])
@administered
def index() -> ResponseReturnValue:
    """Every environment of the region with its programmes; a regional administrator adds new ones here."""
    me, problem = actor(), None
    if request.method == "POST":
        if not me.regional:
            abort(403)
        try:
            made = environments.add_environment(me, _form())
        except AdminError as error:
            problem = problem_of(error)
        else:
            flash(_l("Implementation environment %(name)s added.", name=made.name), "info")
            return redirect(url_for("admin_environments.index"))
    page = render_template("admin/environments.html", environments=environments.all_environments(),
                           regional=me.regional, my_organisation=me.organisation_id, problem=problem,
                           form=request.form)  # fmt: skip
    return page, 400 if problem else 200


@bp.route("/<int:environment_id>", methods=["GET", "POST"])
@administered
def edit(environment_id: int) -> ResponseReturnValue:
    """Change an environment's name, condition, phase and dates (regional administrators only)."""
    me, problem = actor(), None
    if not me.regional:
        abort(403)
    environment = environments.get_environment(environment_id)
    if request.method == "POST":
        try:
            environments.edit_environment(me, environment_id, _form())
        except AdminError as error:
            problem = problem_of(error)
        else:
            flash(_l("Saved."), "info")
            return redirect(url_for("admin_environments.index"))
    page = render_template("admin/environment.html", environment=environment, problem=problem, form=request.form)
    return page, 400 if problem else 200
