"""Pages for a programme's curricula (which modules each role must complete) and what the programme page shows of
them and of its alert norms and measurement schedule. The rules are in learning.admin.curricula and .norms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from learning.admin import curricula, norms
from learning.admin.curricula import CurriculumData
from learning.admin.programmes import get_programme
from learning.admin.scope import Actor, AdminError, OutOfScope
from learning.admin.web import FIELDS, MESSAGES, actor, administered, bp, int_or_none
from learning.admin.web import problem_of as web_problem_of
from learning.environments.models import Programme

MESSAGES.update({
    "curriculum-role-unknown": _l("Choose a role from the list."),
    "curriculum-modules-missing": _l("Tick at least one module."),
    "curriculum-module-unknown": _l("Tick only modules from the list: this module is not published."),
    "curriculum-module-audience": _l(
        "Tick only modules from the list: staff learn modules for care professionals, patients modules for patients."
    ),
    "curriculum-due-out-of-range": _l("Fill in a number of days from 1 to %(maximum)s, such as 30."),
    "curriculum-refresher-out-of-range": _l(
        "Fill in a number of months from 1 to %(maximum)s, such as 12, or leave it empty."
    ),
    "sla-missing": _l("Keep at least one alert severity with its norm."),
    "sla-severity-invalid": _l("A severity is one word in small letters, such as red."),
    "sla-out-of-range": _l("Fill in a number of minutes from 1 to %(maximum)s for %(severity)s, such as 60."),
    "sla-order": _l("A more urgent alert cannot have more time than a less urgent one (red ≤ orange ≤ yellow)."),
    "sla-severity-exists": _l("This programme already has the severity %(severity)s. Change its minutes above."),
    "sla-severity-in-use": _l(
        "Alerts of this programme have the severity %(severity)s, so it stays. Untick "
        "“Remove the severity %(severity)s”."
    ),
    "schedule-missing": _l("Keep at least one measurement in the schedule."),
    "schedule-kind-invalid": _l(
        "Write a measurement as one word in small letters, digits or _ (at most 40), such as weight."
    ),
    "schedule-frequency-invalid": _l("Choose how often %(kind)s is measured."),
})  # fmt: skip
FIELDS.update({
    "curriculum-role-unknown": "role_code",
    "curriculum-modules-missing": "module_slugs",
    "curriculum-module-unknown": "module_slugs",
    "curriculum-module-audience": "module_slugs",
    "curriculum-due-out-of-range": "due_days",
    "curriculum-refresher-out-of-range": "refresher_months",
    "schedule-kind-invalid": "new_kind",
})  # fmt: skip
SEVERITIES = {"red": _l("red"), "orange": _l("orange"), "yellow": _l("yellow"), "green": _l("green"),
              "blue": _l("blue")}  # fmt: skip
MEASUREMENTS = {
    "weight": _l("Weight"),
    "bp": _l("Blood pressure"),
    "glucose": _l("Blood sugar"),
    "spo2": _l("Oxygen saturation"),
    "symptoms": _l("Symptoms"),
    "steps": _l("Steps"),
    "pain": _l("Pain"),
    "activity": _l("Activity"),
}
FREQUENCY_NAMES = {"daily": _l("every day"), **{f"{n}/wk": _l("%(n)s days a week", n=n) for n in range(2, 7)},
                   "1/wk": _l("once a week")}  # fmt: skip


@dataclass(frozen=True)
class Shown:
    """One curriculum as the programme page lists it."""

    role_code: str
    role: str
    modules: list[str]
    due_days: int
    refresher_months: int | None


def language() -> str:
    return str(get_locale() or "nl")


def problem_of(error: AdminError) -> dict[str, str]:
    """The refusal as a page shows it (web.problem_of), with severities and measurements named for the reader."""
    params = dict(error.params)
    if "severity" in params:  # the service names codes; the reader gets the word for them
        params["severity"] = severity_name(str(params["severity"]))
    if "kind" in params:
        params["kind"] = measurement_name(str(params["kind"]))
    return web_problem_of(AdminError(error.reason, **params))


def severity_name(code: str) -> str:
    return str(SEVERITIES.get(code, code))


def measurement_name(code: str) -> str:
    return str(MEASUREMENTS.get(code, code))


def frequency_options(blank: str, current: str = "") -> list[tuple[str, str]]:
    """The frequencies the metrics read; a stored one they do not read stays shown (and is refused on saving), so
    saving the form never drops a measurement nobody chose to drop."""
    known = [("", blank), *((value, str(FREQUENCY_NAMES[value])) for value in norms.FREQUENCIES)]
    return known if current in {value for value, _text in known} else [*known, (current, current)]


def norms_values(programme: Programme) -> dict[str, Any]:
    """The stored norms as the form shows them, the most urgent severity first."""
    sla = programme.alert_sla_minutes or {}
    order = {code: i for i, code in enumerate(norms.SEVERITY_ORDER)}
    severities = sorted(sla, key=lambda code: (order.get(code, len(order)), code))
    return {
        "sla": [(code, str(sla[code])) for code in severities],
        "schedule": [
            (kind, norms.frequency(how) or how) for kind, how in (programme.measurement_schedule or {}).items()
        ],
        "drop": [],
        "new_severity": "",
        "new_minutes": "",
        "new_kind": "",
        "new_frequency": "",
    }


def programme_context(me: Actor, programme: Programme) -> dict[str, Any]:
    """What the programme page shows besides its own form: the curricula and the roles that have none yet."""
    lang = language()
    titles = curricula.titles(lang)
    labels = {role.code: curricula.role_label(role, lang) for role in curricula.roles()}
    rows = curricula.curricula_of(me, programme.organisation_id, programme.id)
    shown = [Shown(c.role_code, labels.get(c.role_code, c.role_code), [titles.get(m, m) for m in c.module_slugs],
                   c.due_days, c.refresher_months) for c in rows]  # fmt: skip
    taken = {c.role_code for c in rows}
    return {
        "curricula": shown,
        "free_roles": [
            (code, label) for code, label in sorted(labels.items(), key=lambda r: r[1].lower()) if code not in taken
        ],
        "severity_name": severity_name,
        "measurement_name": measurement_name,
        "frequency_options": frequency_options,
    }


def curriculum_form(role_code: str) -> CurriculumData:
    """The curriculum form as the service takes it; an unreadable number becomes what the service refuses."""
    form = request.form
    refresher_text = form.get("refresher_months", "").strip()
    refresher = int_or_none(refresher_text)
    slugs = tuple(dict.fromkeys(s for s in form.getlist("module_slugs") if s and len(s) <= 80))
    return CurriculumData(role_code, slugs, int_or_none(form.get("due_days")), refresher,
                          bool(refresher_text) and refresher is None)  # fmt: skip


@bp.get("/<int:organisation_id>/programmes/<int:programme_id>/curricula/new")
@administered
def new_curriculum(organisation_id: int, programme_id: int) -> ResponseReturnValue:
    """The programme page's "add" form names a role; its curriculum page is where the modules are chosen."""
    get_programme(actor(), organisation_id, programme_id)
    role = request.args.get("role", "")
    if role not in {r.code for r in curricula.roles()}:
        abort(404)
    return redirect(url_for("admin.curriculum", organisation_id=organisation_id, programme_id=programme_id,
                            role_code=role))  # fmt: skip


@bp.route("/<int:organisation_id>/programmes/<int:programme_id>/curricula/<role_code>", methods=["GET", "POST"])
@administered
def curriculum(organisation_id: int, programme_id: int, role_code: str) -> ResponseReturnValue:
    """Set a role's curriculum: which published modules, due how many days after starting, refreshed how often."""
    me, problem = actor(), None
    programme = get_programme(me, organisation_id, programme_id)
    role = next((r for r in curricula.roles() if r.code == role_code), None)
    if role is None:
        raise OutOfScope
    try:
        current = curricula.get_curriculum(me, organisation_id, programme_id, role_code)
    except OutOfScope:
        current = None
    if request.method == "POST":
        try:
            curricula.set_curriculum(me, organisation_id, programme_id, curriculum_form(role_code))
        except AdminError as error:
            problem = problem_of(error)
        else:
            flash(_l("Saved."), "info")
            return redirect(url_for("admin.programme", organisation_id=organisation_id, programme_id=programme_id,
                                    _anchor="curricula"))  # fmt: skip
    if problem:
        form = {"module_slugs": request.form.getlist("module_slugs"), "due_days": request.form.get("due_days", ""),
                "refresher_months": request.form.get("refresher_months", "")}  # fmt: skip
    elif current is not None:
        refresher = "" if current.refresher_months is None else str(current.refresher_months)
        form = {"module_slugs": list(current.module_slugs), "due_days": str(current.due_days),
                "refresher_months": refresher}  # fmt: skip
    else:
        patients = role_code == curricula.PATIENT_ROLE
        form = {"module_slugs": [], "due_days": "7" if patients else "30", "refresher_months": ""}
    page = render_template("admin/curriculum.html", programme=programme, organisation=programme.organisation,
                           role=curricula.role_label(role, language()), role_code=role_code, exists=current is not None,
                           modules=curricula.module_choices(role_code, language()), problem=problem, form=form,
                           patients=role_code == curricula.PATIENT_ROLE)  # fmt: skip
    return page, 400 if problem else 200


@bp.route("/<int:organisation_id>/programmes/<int:programme_id>/curricula/<role_code>/remove",
          methods=["GET", "POST"])  # fmt: skip
@administered
def remove_curriculum(organisation_id: int, programme_id: int, role_code: str) -> ResponseReturnValue:
    """Ask before removing a curriculum (no JavaScript); then remove it. What people did stays in their records."""
    me = actor()
    found = curricula.get_curriculum(me, organisation_id, programme_id, role_code)
    programme = get_programme(me, organisation_id, programme_id)
    back = url_for("admin.programme", organisation_id=organisation_id, programme_id=programme_id, _anchor="curricula")
    role = next((curricula.role_label(r, language()) for r in curricula.roles() if r.code == found.role_code), "")
    if request.method == "POST" and request.form.get("confirm") == "yes":  # anything else only asks again
        curricula.remove_curriculum(me, organisation_id, programme_id, role_code)
        flash(_l("The curriculum for %(role)s is removed.", role=role), "info")
        return redirect(back)
    return render_template(
        "admin/confirm.html", title=_l("Remove the curriculum for %(role)s?", role=role),
        warning=_l("In %(programme)s, %(role)s then no longer has modules to complete, and no longer counts in the "
                   "training coverage. What people already did stays in their records.", programme=programme.name,
                   role=role),
        action=request.path, yes=_l("Yes, remove"), no=_l("No, keep it"), back=back,
    )  # fmt: skip
