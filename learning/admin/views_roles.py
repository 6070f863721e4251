"""Pages for the region's care roles ("functies"): every administrator reads the list with where each role is used (a
manager: in their own organisation); only a regional administrator adds, renames or removes one. The rules are in
learning.admin.care_roles."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from learning.admin import care_roles
from learning.admin.care_roles import RoleData
from learning.admin.scope import AdminError
from learning.admin.web import FIELDS, MESSAGES, actor, administered, problem_of
from learning.environments.models import StaffRole
from learning.environments.roles import label

bp = Blueprint("admin_roles", __name__, url_prefix="/admin/roles")

MESSAGES.update({
    "role-code-invalid": _l(
        "Write the code in small letters, digits or _ (at most %(maximum)s), without spaces, such as wound_nurse."
    ),
    "role-code-taken": _l("The code %(code)s is already in use. Choose another code."),
    "role-label-required": _l("Fill in the name in all three languages (at most %(maximum)s characters each)."),
    "role-label-taken": _l("Another care role already has the name %(label)s. Choose another name."),
    "role-in-use": _l(
        "This care role is still in use: in a curriculum, or by people who have it now or had it before. A role in use "
        "stays. Change its names instead."
    ),
})  # fmt: skip
FIELDS.update({"role-code-invalid": "code", "role-code-taken": "code"})


def _form() -> RoleData:
    form = request.form
    return RoleData(form.get("code", ""), form.get("label_nl", ""), form.get("label_en", ""), form.get("label_de", ""))


def _values(role: StaffRole) -> dict[str, str]:
    return {"code": role.code, "label_nl": role.label_nl, "label_en": role.label_en, "label_de": role.label_de or ""}


def _name(role: StaffRole) -> str:
    return label(role, str(get_locale() or "nl"))


@bp.route("/", methods=["GET", "POST"])
@administered
def index() -> ResponseReturnValue:
    """Every care role with its names and where it is used; a regional administrator adds new ones here."""
    me, problem = actor(), None
    if request.method == "POST":
        if not me.regional:
            abort(403)
        try:
            made = care_roles.add_role(me, _form())
        except AdminError as error:
            problem = problem_of(error)
        else:
            flash(_l("Care role %(name)s added.", name=_name(made)), "info")
            return redirect(url_for("admin_roles.index", _anchor=f"role-{made.code}"))
    uses = sorted(care_roles.roles_in_use(me), key=lambda use: _name(use.role).casefold())  # as the reader names them
    page = render_template("admin/roles.html", uses=uses, regional=me.regional, problem=problem, form=request.form,
                           name=_name)  # fmt: skip
    return page, 400 if problem else 200


def _role_page(code: str, **context: Any) -> ResponseReturnValue:
    use = care_roles.role_in_use(code)
    values: dict[str, Any] = {"problem": None, "remove_problem": None, "form": _values(use.role), **context}
    page = render_template("admin/role.html", use=use, name=_name(use.role), **values)
    return page, 400 if values["problem"] or values["remove_problem"] else 200


@bp.route("/<code>", methods=["GET", "POST"])
@administered
def edit(code: str) -> ResponseReturnValue:
    """Rename a care role in its three languages (regional administrators only); its code stays."""
    me = actor()
    if not me.regional:
        abort(403)
    role = care_roles.get_role(code)
    if request.method == "POST":
        try:
            care_roles.rename_role(me, role.code, _form())
        except AdminError as error:
            return _role_page(role.code, problem=problem_of(error), form={**request.form.to_dict(), "code": role.code})
        flash(_l("Saved."), "info")
        return redirect(url_for("admin_roles.index", _anchor=f"role-{role.code}"))
    return _role_page(role.code)


@bp.route("/<code>/remove", methods=["GET", "POST"])
@administered
def remove(code: str) -> ResponseReturnValue:
    """Ask before removing an unused care role (no JavaScript), then remove it; a role in use is refused on its page."""
    me = actor()
    if not me.regional:
        abort(403)
    role = care_roles.get_role(code)
    name, back = _name(role), url_for("admin_roles.edit", code=role.code)
    if request.method == "POST" and request.form.get("confirm") == "yes":  # anything else only asks again
        try:
            care_roles.remove_role(me, role.code)
        except AdminError as error:
            return _role_page(role.code, remove_problem=problem_of(error))
        flash(_l("Care role %(name)s removed.", name=name), "info")
        return redirect(url_for("admin_roles.index"))
    if care_roles.role_in_use(role.code).in_use:  # say so now, not after a confirmation that cannot succeed
        return _role_page(role.code, remove_problem=problem_of(AdminError("role-in-use", code=role.code)))
    return render_template(
        "admin/confirm.html", title=_l("Remove the care role %(name)s?", name=name),
        warning=_l("Nobody has this care role and no curriculum uses it. After removing it, it can no longer be "
                   "chosen for a person, a curriculum or an import."),
        action=request.path, yes=_l("Yes, remove"), no=_l("No, keep it"), back=back,
    )  # fmt: skip
