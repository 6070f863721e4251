"""What every admin page shares: the blueprint, who is acting, and the sentence for each refusal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from learning.admin.scope import Actor, AdminError, NotAdministrator, OutOfScope
from learning.dashboards import glossary
from learning.dashboards.filters import PHASES
from learning.environments import roles
from learning.environments.models import Condition

bp = Blueprint("admin", __name__, url_prefix="/admin/organisations")
F = TypeVar("F", bound=Callable[..., Any])

MESSAGES = {
    "name-required": _l("Fill in a name (at most 100 characters for a person, 200 for a team or organisation)."),
    "kind-unknown": _l("Choose a kind from the list."),
    "agb-invalid": _l("An AGB code has eight digits, such as 01234567. Leave it empty if you do not know it."),
    "organisation-name-taken": _l("There is already an organisation with this name. Choose another name."),
    "team-name-taken": _l("This organisation already has a team with this name. Choose another name."),
    "parent-unknown": _l("Choose a team of this organisation as the team above, or none."),
    "team-cycle": _l("A team cannot be placed under itself or under one of its own teams. Choose another team."),
    "email-invalid": _l("Fill in a valid e-mail address, such as name@example.org."),
    "email-taken": _l("This e-mail address already has an account. Search for that person instead."),
    "role-not-allowed": _l("You may not give this role. Ask a regional administrator."),
    "team-unknown": _l("Choose a team of this organisation, or none."),
    "own-role": _l("You cannot change your own role. Ask another administrator."),
    "own-membership": _l("You cannot end your own membership. Ask another administrator."),
    "own-second-factor": _l("You cannot reset your own authenticator app. Ask another administrator."),
    "line-manager-unknown": _l("Choose a manager of this organisation as line manager, or none."),
    "own-line-manager": _l("A person cannot be their own line manager."),
    "care-role-unknown": _l("Choose a care role from the list, or none."),
    "care-role-not-staff": _l("Patients and caregivers have no care role. Leave the care role empty."),
    "care-role-needs-team": _l("A care role belongs to a team. Choose a team, or leave the care role empty."),
    "uses-out-of-range": _l("Fill in a number of uses from 1 to %(maximum)s."),
    "expiry-out-of-range": _l("Choose a last day from today up to %(days)s days ahead."),
    "label-too-long": _l("The note can be at most 64 characters."),
    "environment_name_missing": _l("Fill in a name of at most 200 characters."),
    "environment_condition_unknown": _l("Choose a condition from the list."),
    "environment_phase_unknown": _l("Choose a phase from the list."),
    "environment_start_missing": _l("Fill in the start date, such as 2026-01-31."),
    "environment_end_before_start": _l("The end date cannot be before the start date. Change one of them."),
    "environment_funding_end_before_start": _l("The funding end cannot be before the start date. Change one of them."),
    "environment_name_taken": _l("There is already an environment with this name. Choose another name."),
    "environment_condition_in_use": _l(
        "Programme %(programme)s in this environment is for another condition. Keep the condition, or move or end "
        "that programme first."
    ),
    "programme-environment-unknown": _l("Choose an implementation environment from the list."),
    "programme-name-required": _l("Fill in a name of at most 200 characters."),
    "programme-name-taken": _l("This organisation already has a programme with this name. Choose another name."),
    "programme-condition-unknown": _l("Choose a condition from the list."),
    "programme-condition-mismatch": _l(
        "This environment is for %(condition)s. Choose that condition, or another environment."
    ),
    "platform-required": _l("Fill in the name of the monitoring platform (at most 100 characters)."),
    "programme-start-missing": _l("Fill in the start date, such as 2026-01-31."),
    "programme-start-after-end": _l("The programme ended on %(end)s. Choose a start date on or before that day."),
    "adherence-out-of-range": _l("Fill in a percentage from 1 to 100, such as 80."),
    "programme-teams-missing": _l("Tick at least one team that takes part."),
    "programme-team-unknown": _l("Tick only teams of this organisation."),
    "monitoring-team-unknown": _l("Choose a team of this organisation as monitoring centre, or none."),
    "programme-ended-already": _l("This programme already ended on %(end)s."),
    "programme-end-missing": _l("Fill in the last day of the programme, such as 2026-01-31."),
    "programme-end-in-future": _l("Choose today or a day in the past: end the programme on or after its last day."),
    "programme-end-before-start": _l("The programme started on %(start)s. Choose that day or a later one."),
}
FIELDS = {
    "name-required": "name",
    "kind-unknown": "kind",
    "agb-invalid": "agb_code",
    "organisation-name-taken": "name",
    "team-name-taken": "name",
    "parent-unknown": "parent_id",
    "team-cycle": "parent_id",
    "email-invalid": "email",
    "email-taken": "email",
    "role-not-allowed": "role",
    "team-unknown": "team_id",
    "own-role": "role",
    "line-manager-unknown": "line_manager_id",
    "own-line-manager": "line_manager_id",
    "care-role-unknown": "care_role",
    "care-role-not-staff": "care_role",
    "care-role-needs-team": "care_role",
    "uses-out-of-range": "max_uses",
    "expiry-out-of-range": "expires_on",
    "label-too-long": "label",
    "environment_name_missing": "name",
    "environment_condition_unknown": "condition",
    "environment_phase_unknown": "phase",
    "environment_start_missing": "start",
    "environment_end_before_start": "end",
    "environment_funding_end_before_start": "funding_end",
    "environment_name_taken": "name",
    "environment_condition_in_use": "condition",
    "programme-environment-unknown": "environment_id",
    "programme-name-required": "name",
    "programme-name-taken": "name",
    "programme-condition-unknown": "condition",
    "programme-condition-mismatch": "condition",
    "platform-required": "platform_name",
    "programme-start-missing": "start",
    "programme-start-after-end": "start",
    "adherence-out-of-range": "adherence",
    "programme-teams-missing": "team_ids",
    "programme-team-unknown": "team_ids",
    "monitoring-team-unknown": "monitoring_centre_team_id",
    "programme-end-missing": "end",
    "programme-end-in-future": "end",
    "programme-end-before-start": "end",
}


def message(error: AdminError) -> str:
    template = MESSAGES.get(error.reason)
    if template is None:
        return str(_l("This could not be saved. Check the form and try again."))
    return str(template) % error.params if error.params else str(template)


def problem_of(error: AdminError) -> dict[str, str]:
    """The refusal as the form macros show it: the message, and the field it belongs to (if any) marked: the one the
    service named (a per-row field such as `label_de` or `sla_red`), else the reason's field in FIELDS."""
    return {"message": message(error), "field": str(error.params.get("field") or FIELDS.get(error.reason, ""))}


def actor() -> Actor:
    try:
        return Actor.of(current_user._get_current_object())
    except NotAdministrator:
        abort(403)


def administered(view: F) -> F:
    """Log-in required; a role that administers nothing gets 403, another organisation's things 404."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        actor()
        try:
            return view(*args, **kwargs)
        except OutOfScope:
            abort(404)

    return login_required(wrapper)  # type: ignore[return-value]


def int_or_none(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 19 else None


def date_or_none(value: str | None) -> date | None:
    """A date field (YYYY-MM-DD, as a browser's date input sends it); anything else is no date."""
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def share_or_none(value: str | None) -> float | None:
    """A percentage field ("80", "80 %", "82,5") as a share (0.8); empty is None, nonsense -1 (refused as such)."""
    text = (value or "").replace("%", "").replace(",", ".").strip()
    if not text:
        return None
    try:
        return float(text) / 100 if len(text) < 10 else -1.0
    except ValueError:
        return -1.0


ORGANISATION_KINDS = {
    "hospital": _l("Hospital"),
    "gp_practice": _l("GP practice"),
    "care_group": _l("Care group"),
    "home_care": _l("Home care"),
    "nursing_home": _l("Nursing home"),
    "physio": _l("Physiotherapy practice"),
    "municipality": _l("Municipality"),
}
TEAM_KINDS = {
    "ward": _l("Ward"),
    "outpatient_clinic": _l("Outpatient clinic"),
    "district_team": _l("District nursing team"),
    "practice": _l("Practice"),
    "monitoring_centre": _l("Monitoring centre"),
}
ROLES = {
    "patient": _l("Patient"),
    "caregiver": _l("Caregiver"),
    "professional": _l("Care professional"),
    "author": _l("Author"),
    "reviewer": _l("Reviewer"),
    "manager": _l("Manager"),
    "admin": _l("Regional administrator"),
    "privacy_officer": _l("Privacy officer"),
}


def condition_options() -> list[tuple[str, str]]:
    """Each condition written out in the page's language with its code: ("HF", "hartfalen (HF)")."""
    locale = str(get_locale() or "nl")
    return [(c.value, glossary.condition(c.value, locale)) for c in Condition]


def phase_options() -> list[tuple[str, str]]:
    return [(phase.value, str(label)) for phase, label in PHASES.items()]


def _team_options(tree: list[Any], none_label: str) -> list[tuple[Any, str]]:
    """(id, name) of every team, indented by depth with dashes (a select cannot indent), after a 'none' choice."""
    return [("", none_label), *((row.team.id, "– " * row.depth + row.team.name) for row in tree)]


def _environment_options(environments: list[Any], none_label: str) -> list[tuple[Any, str]]:
    return [("", none_label), *((e.id, e.name) for e in environments)]


def _role_options(roles: list[Any]) -> list[tuple[str, str]]:
    return [(role.value, str(ROLES[role.value])) for role in roles]


def _care_role_options(none_label: str) -> list[tuple[str, str]]:
    """The care roles ("functies") in the reader's language, by name, after a 'none' choice (authors have none)."""
    language = str(get_locale() or "nl")
    named = sorted(((r.code, roles.label(r, language)) for r in roles.care_roles()), key=lambda c: c[1].lower())
    return [("", none_label), *named]


def _people_options(users: list[Any], none_label: str, leave_out: int) -> list[tuple[Any, str]]:
    return [("", none_label), *((u.id, u.display_name or u.email) for u in users if u.id != leave_out)]


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {
        "organisation_kinds": ORGANISATION_KINDS,
        "team_kinds": TEAM_KINDS,
        "role_names": ROLES,
        "team_options": _team_options,
        "role_options": _role_options,
        "people_options": _people_options,
        "care_role_options": _care_role_options,
        "condition_options": condition_options,
        "environment_options": _environment_options,
        "phase_options": phase_options,
        "timedelta_day": timedelta(days=1),  # a code's expires_at is the start of the day after its last day
    }
