"""Pages for organisations, their teams and their people. Rules live in the services; these read forms."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from learning.accounts import mfa, reauth
from learning.accounts.mailer import mail_confirmation_after
from learning.accounts.models import Role
from learning.admin import (
    environments,
    organisations,
    people,
    programmes,
    views_codes,  # noqa: F401 — views_codes adds its routes to bp
    views_programmes,
)
from learning.admin.organisations import OrganisationData, TeamData
from learning.admin.people import PersonData
from learning.admin.scope import AdminError, assignable_roles
from learning.admin.web import actor, administered, bp, int_or_none, problem_of


@bp.route("/", methods=["GET", "POST"])
@administered
def index() -> ResponseReturnValue:
    """The organisations this person administers; a regional administrator also adds new ones here."""
    me, problem = actor(), None
    if request.method == "POST":
        if not me.regional:
            abort(403)
        data = OrganisationData(request.form.get("name", ""), request.form.get("kind", ""),
                                request.form.get("agb_code", ""))  # fmt: skip
        try:
            made = organisations.create_organisation(me, data)
        except AdminError as error:
            problem = problem_of(error)
        else:
            flash(_l("Organisation %(name)s added.", name=made.name), "info")
            return redirect(url_for("admin.organisation", organisation_id=made.id))
    page = render_template("admin/index.html", organisations=organisations.visible_organisations(me),
                           regional=me.regional, problem=problem,
                           form=request.form)  # fmt: skip
    return page, 400 if problem else 200


@bp.route("/<int:organisation_id>", methods=["GET", "POST"])
@administered
def organisation(organisation_id: int) -> ResponseReturnValue:
    """An organisation: its details, team tree, environments and programmes; a form for a new team."""
    me, problem = actor(), None
    if request.method == "POST":
        data = OrganisationData(request.form.get("name", ""), request.form.get("kind", ""),
                                request.form.get("agb_code", ""))  # fmt: skip
        try:
            organisations.update_organisation(me, organisation_id, data)
        except AdminError as error:
            problem = problem_of(error)
        else:
            flash(_l("Saved."), "info")
            return redirect(url_for("admin.organisation", organisation_id=organisation_id))
    return _organisation_page(organisation_id, problem=problem, form=request.form)


def _organisation_page(organisation_id: int, **context: Any) -> ResponseReturnValue:
    view = organisations.overview(actor(), organisation_id)
    defaults: dict[str, Any] = {"problem": None, "team_problem": None, "programme_problem": None, "form": {}}
    page = render_template("admin/organisation.html", view=view, all_environments=environments.all_environments(),
                           **{**defaults, **context})  # fmt: skip
    refused = any(context.get(key) for key in ("problem", "team_problem", "programme_problem"))
    return page, 400 if refused else 200


@bp.post("/<int:organisation_id>/teams")
@administered
def create_team(organisation_id: int) -> ResponseReturnValue:
    data = TeamData(request.form.get("name", ""), request.form.get("kind", ""),
                    int_or_none(request.form.get("parent_id")))  # fmt: skip
    try:
        team = organisations.create_team(actor(), organisation_id, data)
    except AdminError as error:
        return _organisation_page(organisation_id, team_problem=problem_of(error), team_form=request.form)
    flash(_l("Team %(name)s added.", name=team.name), "info")
    return redirect(url_for("admin.organisation", organisation_id=organisation_id))


@bp.post("/<int:organisation_id>/programmes")
@administered
def create_programme(organisation_id: int) -> ResponseReturnValue:
    """Add an RPM programme of this organisation to an environment; a refusal comes back on the organisation page."""
    try:
        made = programmes.add_programme(actor(), organisation_id, views_programmes.programme_form())
    except AdminError as error:
        return _organisation_page(organisation_id, programme_problem=problem_of(error),
                                  programme_form=views_programmes.sent_values())  # fmt: skip
    flash(_l("Programme %(name)s added.", name=made.name), "info")
    return redirect(url_for("admin.organisation", organisation_id=organisation_id, _anchor="programmes"))


@bp.route("/<int:organisation_id>/teams/<int:team_id>", methods=["GET", "POST"])
@administered
def team(organisation_id: int, team_id: int) -> ResponseReturnValue:
    """Rename a team or move it under another team."""
    me, problem = actor(), None
    current = organisations.get_team(me, organisation_id, team_id)
    if request.method == "POST":
        data = TeamData(request.form.get("name", ""), request.form.get("kind", ""),
                        int_or_none(request.form.get("parent_id")))  # fmt: skip
        try:
            organisations.update_team(me, organisation_id, team_id, data)
        except AdminError as error:
            problem = problem_of(error)
        else:
            flash(_l("Saved."), "info")
            return redirect(url_for("admin.organisation", organisation_id=organisation_id))
    page = render_template("admin/team.html", team=current, organisation=current.organisation,
                           tree=organisations.team_tree(organisation_id), problem=problem,
                           form=request.form)  # fmt: skip
    return page, 400 if problem else 200


@bp.route("/<int:organisation_id>/people", methods=["GET", "POST"])
@administered
def people_list(organisation_id: int) -> ResponseReturnValue:
    """Everyone in the organisation (or, with ?left=1, those whose membership ended); a form to add a person."""
    me, problem = actor(), None
    org = organisations.get_organisation(me, organisation_id)
    if request.method == "POST":
        try:
            made = people.create_person(me, organisation_id, _person_form())
        except AdminError as error:
            problem = problem_of(error)
        else:
            flash(_l("%(name)s added. They choose a password with \"Forgot your password?\" on the log-in page.",
                     name=made.display_name), "info")  # fmt: skip
            return redirect(url_for("admin.person", organisation_id=organisation_id, user_id=made.id))
    left = request.args.get("left") == "1"
    page = render_template("admin/people.html", organisation=org, rows=people.people_of(me, organisation_id, left=left),
                           left=left, roles=assignable_roles(me), tree=organisations.team_tree(organisation_id),
                           problem=problem, form=request.form)  # fmt: skip
    return page, 400 if problem else 200


def _person_form() -> PersonData:
    role = request.form.get("role", "")
    return PersonData(request.form.get("email", ""), request.form.get("display_name", ""),
                      Role(role) if role in {r.value for r in Role} else Role.PROFESSIONAL,
                      int_or_none(request.form.get("team_id")), request.form.get("care_role") or None)  # fmt: skip


@bp.route("/<int:organisation_id>/people/<int:user_id>", methods=["GET", "POST"])
@administered
def person(organisation_id: int, user_id: int) -> ResponseReturnValue:
    """Edit a person: name, e-mail, role (an author role for a teacher), team and line manager."""
    me, problem = actor(), None
    user = people.get_person(me, organisation_id, user_id)
    if request.method == "POST":
        if request.form.get("role", user.role.value) != user.role.value and (asked := reauth.enforce()) is not None:
            return asked  # a role change needs a recent password (and code); the form comes back with it
        try:
            manager = int_or_none(request.form.get("line_manager_id"))
            people.check_line_manager(organisation_id, user.id, manager)  # before anything is saved
            old_email = user.email
            people.update_person(me, organisation_id, user_id, _person_form())
            if manager != people.line_manager_of(user.id):
                people.set_line_manager(me, organisation_id, user_id, manager)
        except AdminError as error:
            problem = problem_of(error)
        else:
            flash(_l("Saved."), "info")
            response = redirect(url_for("admin.people_list", organisation_id=organisation_id))
            if user.email != old_email:
                mail_confirmation_after(response, user)  # the new address gets its own confirmation link
            return response
    return _person_page(organisation_id, user_id, problem, request.form)


def _person_page(organisation_id: int, user_id: int, problem: dict[str, str] | None, form: Any) -> ResponseReturnValue:
    me = actor()
    user = people.get_person(me, organisation_id, user_id)
    page = render_template("admin/person.html", organisation=user.organisation, user=user, roles=assignable_roles(me),
                           tree=organisations.team_tree(organisation_id),
                           managers=people.line_manager_choices(organisation_id),
                           line_manager=people.line_manager_of(user.id), care_role=people.care_role_of(user.id),
                           problem=problem, form=form,
                           is_self=user.id == me.user_id, needs_mfa=mfa.requires_mfa(user),
                           mfa_enrolled=mfa.is_enrolled(user))  # fmt: skip
    return page, 400 if problem else 200


@bp.get("/<int:organisation_id>/people/<int:user_id>/end")
@administered
def confirm_end_membership(organisation_id: int, user_id: int) -> ResponseReturnValue:
    """Ask before ending a membership: the person is logged out everywhere and can no longer log in (no JavaScript)."""
    user = people.get_person(actor(), organisation_id, user_id)
    name = user.display_name or user.email
    return render_template(
        "admin/confirm.html", title=_l("End the membership of %(name)s?", name=name),
        warning=_l("%(name)s is logged out everywhere and can no longer log in. Their learning records stay. You can "
                   "let them log in again later on their page.", name=name),
        action=url_for("admin.end_membership", organisation_id=organisation_id, user_id=user_id),
        yes=_l("Yes, end the membership"), no=_l("No, keep it"),
        back=url_for("admin.person", organisation_id=organisation_id, user_id=user_id),
    )  # fmt: skip


@bp.post("/<int:organisation_id>/people/<int:user_id>/end")
@administered
def end_membership(organisation_id: int, user_id: int) -> ResponseReturnValue:
    """End the membership once the confirmation page was answered with yes; without it, show that page."""
    if request.form.get("confirm") != "yes":
        return confirm_end_membership(organisation_id, user_id)
    try:
        user = people.end_membership(actor(), organisation_id, user_id)
    except AdminError as error:
        return _person_page(organisation_id, user_id, problem_of(error), {})
    flash(_l("Membership of %(name)s ended. The account can no longer log in; its records stay.",
             name=user.display_name or user.email), "info")  # fmt: skip
    return redirect(url_for("admin.people_list", organisation_id=organisation_id))


@bp.post("/<int:organisation_id>/people/<int:user_id>/restore")
@administered
def restore_membership(organisation_id: int, user_id: int) -> ResponseReturnValue:
    user = people.restore_membership(actor(), organisation_id, user_id)
    flash(_l("%(name)s can log in again.", name=user.display_name or user.email), "info")
    return redirect(url_for("admin.person", organisation_id=organisation_id, user_id=user_id))


@bp.post("/<int:organisation_id>/people/<int:user_id>/second-factor/reset")
@administered
def reset_second_factor(organisation_id: int, user_id: int) -> ResponseReturnValue:
    """A lost phone: forget the person's authenticator app (after a recent password and code of the admin)."""
    people.get_person(actor(), organisation_id, user_id)  # out of scope: 404 before any password question
    if (asked := reauth.enforce()) is not None:
        return asked
    try:
        user = people.reset_second_factor(actor(), organisation_id, user_id)
    except AdminError as error:
        return _person_page(organisation_id, user_id, problem_of(error), {})
    flash(_l("The authenticator app of %(name)s is reset. They set it up again at their next log-in.",
             name=user.display_name or user.email), "info")  # fmt: skip
    return redirect(url_for("admin.person", organisation_id=organisation_id, user_id=user_id))
