"""What every admin page shares: the blueprint, who is acting, and the sentence for each refusal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from learning.admin.scope import Actor, AdminError, NotAdministrator, OutOfScope

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
    "uses-out-of-range": _l("Fill in a number of uses from 1 to %(maximum)s."),
    "expiry-out-of-range": _l("Choose a last day from today up to %(days)s days ahead."),
    "label-too-long": _l("The note can be at most 64 characters."),
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
    "uses-out-of-range": "max_uses",
    "expiry-out-of-range": "expires_on",
    "label-too-long": "label",
}


def message(error: AdminError) -> str:
    template = MESSAGES.get(error.reason)
    if template is None:
        return str(_l("This could not be saved. Check the form and try again."))
    return str(template) % error.params if error.params else str(template)


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


def _team_options(tree: list[Any], none_label: str) -> list[tuple[Any, str]]:
    """(id, name) of every team, indented by depth with dashes (a select cannot indent), after a 'none' choice."""
    return [("", none_label), *((row.team.id, "– " * row.depth + row.team.name) for row in tree)]


def _role_options(roles: list[Any]) -> list[tuple[str, str]]:
    return [(role.value, str(ROLES[role.value])) for role in roles]


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
        "timedelta_day": timedelta(days=1),  # a code's expires_at is the start of the day after its last day
    }
