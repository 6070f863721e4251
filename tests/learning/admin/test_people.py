"""Who administers whom, teams without cycles, people created, moved and ended: each rule through its service."""

from __future__ import annotations

import pytest
from admin_helpers import Region, actor
from flask import Flask
from helpers import PASSWORD, csrf_token
from sqlalchemy import select

from learning.accounts.models import Role, Team, User
from learning.accounts.services import AccountError, authenticate, create_user
from learning.admin import organisations, people
from learning.admin.organisations import OrganisationData, TeamData
from learning.admin.people import PersonData
from learning.admin.scope import Actor, AdminError, NotAdministrator, OutOfScope
from learning.audit.models import AccessLogEntry
from learning.db import db
from learning.environments.models import StaffMember


def _person(region: Region, org: int, email: str, role: Role = Role.PROFESSIONAL) -> int:
    user = create_user(email, PASSWORD, role, organisation_id=org, display_name=email.split("@")[0])
    db.session.commit()
    return user.id


def test_a_manager_of_x_never_reaches_the_people_teams_or_details_of_y(region: Region) -> None:
    manager_x = actor(region.manager_x)
    person_y = _person(region, region.org_y, "nurse-y@example.test")
    attempts = [
        lambda: people.people_of(manager_x, region.org_y),
        lambda: people.get_person(manager_x, region.org_y, person_y),
        lambda: people.get_person(manager_x, region.org_x, person_y),  # Y's person addressed through X
        lambda: people.end_membership(manager_x, region.org_x, person_y),
        lambda: people.update_person(manager_x, region.org_x, person_y, PersonData("a@b.test", "A", Role.PROFESSIONAL)),
        lambda: organisations.create_team(manager_x, region.org_y, TeamData("Nieuw", "ward")),
        lambda: organisations.update_team(manager_x, region.org_x, region.team_y, TeamData("Nieuw", "ward")),
        lambda: organisations.update_organisation(manager_x, region.org_y, OrganisationData("Y2", "hospital")),
        lambda: organisations.create_organisation(manager_x, OrganisationData("Nieuw", "hospital")),
    ]
    for attempt in attempts:
        with pytest.raises(OutOfScope):
            attempt()
    assert [o.id for o in organisations.visible_organisations(manager_x)] == [region.org_x]
    still = db.session.get(User, person_y)
    assert still is not None
    assert still.is_active_account
    assert still.email == "nurse-y@example.test"


def test_a_regional_admin_manages_every_organisation_and_may_give_the_admin_role(region: Region) -> None:
    admin = actor(region.admin)
    assert {o.id for o in organisations.visible_organisations(admin)} == {region.org_x, region.org_y}
    made = people.create_person(admin, region.org_y, PersonData("New@Example.test ", " Nieuwe  Beheerder", Role.ADMIN))
    assert (made.email, made.display_name, made.role, made.organisation_id) == (
        "new@example.test", "Nieuwe Beheerder", Role.ADMIN, region.org_y)  # fmt: skip
    org = organisations.create_organisation(admin, OrganisationData("Huisartsen Z", "gp_practice", "01234567"))
    assert org.agb_code == "01234567"


def test_a_manager_gives_no_admin_role_and_sees_no_admin_account(region: Region) -> None:
    manager_x = actor(region.manager_x)
    with pytest.raises(AdminError) as refused:
        people.create_person(manager_x, region.org_x, PersonData("boss@example.test", "Boss", Role.ADMIN))
    assert refused.value.reason == "role-not-allowed"
    admin_in_x = _person(region, region.org_x, "local-admin@example.test", Role.ADMIN)
    assert admin_in_x not in {row.user.id for row in people.people_of(manager_x, region.org_x)}
    with pytest.raises(OutOfScope):
        people.get_person(manager_x, region.org_x, admin_in_x)


def test_roles_that_administer_nothing_are_refused(region: Region) -> None:
    nurse = db.session.get(User, _person(region, region.org_x, "nurse@example.test"))
    assert nurse is not None
    with pytest.raises(NotAdministrator):
        Actor.of(nurse)


def test_teams_nest_and_move_but_never_under_themselves(region: Region) -> None:
    manager_x = actor(region.manager_x)
    top = organisations.create_team(manager_x, region.org_x, TeamData("Cardiologie", "ward"))
    middle = organisations.create_team(manager_x, region.org_x, TeamData("Hartfalen", "ward", top.id))
    low = organisations.create_team(manager_x, region.org_x, TeamData("Hartfalen thuis", "ward", middle.id))
    for parent in (top.id, low.id, middle.id):  # itself, or any team below it
        with pytest.raises(AdminError) as refused:
            organisations.update_team(manager_x, region.org_x, top.id, TeamData("Cardiologie", "ward", parent))
        assert refused.value.reason == "team-cycle"
    with pytest.raises(AdminError) as refused:
        organisations.update_team(manager_x, region.org_x, low.id, TeamData("Thuis", "ward", region.team_y))
    assert refused.value.reason == "parent-unknown"
    with pytest.raises(AdminError) as refused:
        organisations.create_team(manager_x, region.org_x, TeamData(" hartfalenpoli ", "ward"))
    assert refused.value.reason == "team-name-taken"
    organisations.update_team(manager_x, region.org_x, low.id, TeamData("Thuiszorg hartfalen", "ward", None))
    tree = [(row.team.name, row.depth) for row in organisations.team_tree(region.org_x)]
    assert tree == [("Cardiologie", 0), ("Hartfalen", 1), ("Hartfalenpoli", 0), ("Thuiszorg hartfalen", 0)]


def test_moving_a_person_to_another_team_and_making_a_teacher_an_author(region: Region) -> None:
    manager_x = actor(region.manager_x)
    other = organisations.create_team(manager_x, region.org_x, TeamData("Longpoli", "outpatient_clinic"))
    teacher = _person(region, region.org_x, "docent@example.test")
    people.update_person(manager_x, region.org_x, teacher, PersonData("docent@example.test", "Docent", Role.AUTHOR,
                                                                      other.id))  # fmt: skip
    user = db.session.get(User, teacher)
    assert user is not None
    assert (user.role, user.team_id) == (Role.AUTHOR, other.id)
    with pytest.raises(AdminError) as refused:
        people.update_person(manager_x, region.org_x, teacher, PersonData("d@example.test", "D", Role.AUTHOR,
                                                                          region.team_y))  # fmt: skip
    assert refused.value.reason == "team-unknown"
    with pytest.raises(AdminError) as refused:
        people.update_person(manager_x, region.org_x, region.manager_x,
                             PersonData("manager-x@example.test", "M", Role.PROFESSIONAL))  # fmt: skip
    assert refused.value.reason == "own-role"


def test_a_leaver_cannot_log_in_loses_open_sessions_and_keeps_their_records(app: Flask, region: Region) -> None:
    leaver = _person(region, region.org_x, "leaver@example.test")
    db.session.add(StaffMember(organisation_id=region.org_x, pid="HR-9", user_id=leaver))
    db.session.commit()
    client = app.test_client()
    token = csrf_token(client)
    assert client.post("/login", data={"email": "leaver@example.test", "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302  # fmt: skip
    assert client.get("/progress").status_code == 200
    people.end_membership(actor(region.manager_x), region.org_x, leaver)
    db.session.remove()
    assert client.get("/progress").headers["Location"].startswith("/login")
    with pytest.raises(AccountError):
        authenticate("leaver@example.test", PASSWORD, "127.0.0.1")
    kept = db.session.get(User, leaver)
    assert kept is not None
    assert not kept.is_active_account
    assert kept.organisation_id == region.org_x
    assert db.session.scalar(select(StaffMember.pid).where(StaffMember.user_id == leaver)) == "HR-9"
    assert leaver in {row.user.id for row in people.people_of(actor(region.manager_x), region.org_x, left=True)}
    with pytest.raises(AdminError):
        people.end_membership(actor(region.manager_x), region.org_x, region.manager_x)


def test_line_managers_are_set_on_the_roster_the_dashboard_reads(region: Region) -> None:
    manager_x = actor(region.manager_x)
    nurse = _person(region, region.org_x, "nurse@example.test")
    people.set_line_manager(manager_x, region.org_x, nurse, region.manager_x)
    assert db.session.scalar(select(StaffMember.line_manager_user_id).where(StaffMember.user_id == nurse)) == (
        region.manager_x
    )
    for manager in (region.manager_y, nurse):  # another organisation's manager; not a manager at all
        with pytest.raises(AdminError) as refused:
            people.set_line_manager(manager_x, region.org_x, nurse, manager)
        assert refused.value.reason in {"line-manager-unknown", "own-line-manager"}
    people.set_line_manager(manager_x, region.org_x, nurse, None)
    assert people.line_manager_of(nurse) is None


def test_every_change_is_in_the_access_log_with_who_and_what(region: Region) -> None:
    manager_x = actor(region.manager_x)
    team = organisations.create_team(manager_x, region.org_x, TeamData("Nieuw team", "ward"))
    person = people.create_person(manager_x, region.org_x, PersonData("p@example.test", "P", Role.PROFESSIONAL))
    people.end_membership(manager_x, region.org_x, person.id)
    entries = [(e.actor, e.actor_role, e.action, e.subject) for e in db.session.scalars(
        select(AccessLogEntry).order_by(AccessLogEntry.id))]  # fmt: skip
    who = f"user:{region.manager_x}"
    assert entries == [
        (who, "manager", "admin.team.create", f"team:{team.id}"),
        (who, "manager", "admin.person.create", f"user:{person.id}"),
        (who, "manager", "admin.person.end", f"user:{person.id}"),
    ]
    assert db.session.scalar(select(Team.id).where(Team.name == "Nieuw team")) == team.id


def test_a_new_person_cannot_log_in_before_setting_a_password(region: Region) -> None:
    made = people.create_person(actor(region.manager_x), region.org_x, PersonData("n@example.test", "N", Role.AUTHOR))
    for guess in ("", made.password_hash, made.password_hash.split(":", 1)[1]):
        with pytest.raises(AccountError):
            authenticate("n@example.test", guess, "127.0.0.1")
