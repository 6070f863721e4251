"""People administered in the app reach the roster the metrics read: a member of staff with a team and a care role
has one open membership; a move, a new care role, leaving and returning end it and open the next, history kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from admin_helpers import Region, actor
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from learning.accounts.models import Role, User
from learning.admin import imports, organisations, people
from learning.admin.organisations import TeamData
from learning.admin.people import PersonData
from learning.admin.programmes import local_today
from learning.admin.scope import AdminError
from learning.db import db
from learning.environments.models import StaffMember, StaffMembership, StaffRole
from learning.environments.roles import ensure_care_roles, find_care_role, label


@pytest.fixture(autouse=True)
def care_roles(region: Region) -> None:
    ensure_care_roles()  # what migration 0018 stored, before the test emptied the tables
    db.session.commit()


def _history(user_id: int) -> list[tuple[int, str, date, date | None]]:
    rows = db.session.execute(
        select(StaffMembership.team_id, StaffMembership.role_code, StaffMembership.start, StaffMembership.end)
        .join(StaffMember, StaffMember.id == StaffMembership.staff_id)
        .where(StaffMember.user_id == user_id)
        .order_by(StaffMembership.id)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


def _age_memberships(user_id: int, days: int) -> date:
    """Let time pass: the open membership began `days` ago (a change on its first day is only a correction)."""
    began = local_today() - timedelta(days=days)
    staff = select(StaffMember.id).where(StaffMember.user_id == user_id).scalar_subquery()
    for membership in db.session.scalars(
        select(StaffMembership).where(StaffMembership.staff_id == staff, StaffMembership.end.is_(None))
    ):
        membership.start = began
    db.session.commit()
    return began


def test_a_nurse_added_with_team_and_care_role_has_an_open_membership(region: Region) -> None:
    made = people.create_person(
        actor(region.manager_x), region.org_x,
        PersonData("nurse@example.test", "Nurse", Role.PROFESSIONAL, region.team_x, "hf_nurse"),
    )  # fmt: skip
    assert _history(made.id) == [(region.team_x, "hf_nurse", local_today(), None)]
    assert db.session.scalar(select(StaffMember.pid).where(StaffMember.user_id == made.id)) == f"vtc-{made.id}"
    assert people.care_role_of(made.id) == "hf_nurse"


def test_a_move_and_a_new_care_role_end_the_open_membership_and_open_the_next(region: Region) -> None:
    manager_x, today = actor(region.manager_x), local_today()
    other = organisations.create_team(manager_x, region.org_x, TeamData("Medisch Servicecentrum", "monitoring_centre"))
    made = people.create_person(
        manager_x, region.org_x, PersonData("n@example.test", "N", Role.PROFESSIONAL, region.team_x, "hf_nurse")
    )
    began = _age_memberships(made.id, 40)
    people.update_person(manager_x, region.org_x, made.id,
                         PersonData("n@example.test", "N", Role.PROFESSIONAL, other.id, "hf_nurse"))  # fmt: skip
    assert _history(made.id) == [(region.team_x, "hf_nurse", began, today), (other.id, "hf_nurse", today, None)]
    moved = _age_memberships(made.id, 10)
    new_role = PersonData("n@example.test", "N", Role.PROFESSIONAL, other.id, "monitoring_nurse")
    people.update_person(manager_x, region.org_x, made.id, new_role)
    assert _history(made.id) == [
        (region.team_x, "hf_nurse", began, today),
        (other.id, "hf_nurse", moved, today),
        (other.id, "monitoring_nurse", today, None),
    ]
    people.update_person(manager_x, region.org_x, made.id,
                         PersonData("n@example.test", "N", Role.PROFESSIONAL, other.id, "np"))  # fmt: skip
    assert _history(made.id)[2:] == [(other.id, "np", today, None)]  # same day: a correction, no turnover
    people.update_person(manager_x, region.org_x, made.id,
                         PersonData("new@example.test", "N", Role.PROFESSIONAL, other.id, "np"))  # fmt: skip
    assert len(_history(made.id)) == 3  # a new e-mail address changes nothing on the roster


def test_a_leaver_is_ended_today_and_a_returner_counted_again(region: Region) -> None:
    manager_x, today = actor(region.manager_x), local_today()
    made = people.create_person(
        manager_x, region.org_x, PersonData("n@example.test", "N", Role.PROFESSIONAL, region.team_x, "poh")
    )
    began = _age_memberships(made.id, 100)
    people.end_membership(manager_x, region.org_x, made.id)
    assert _history(made.id) == [(region.team_x, "poh", began, today)]
    assert people.care_role_of(made.id) is None
    people.restore_membership(manager_x, region.org_x, made.id)
    assert _history(made.id)[1:] == [(region.team_x, "poh", today, None)]


def test_patients_are_never_on_the_roster_and_a_care_role_needs_staff_a_team_and_a_known_code(region: Region) -> None:
    manager_x = actor(region.manager_x)
    patient = people.create_person(
        manager_x, region.org_x, PersonData("p@example.test", "P", Role.PATIENT, region.team_x)
    )
    assert db.session.scalar(select(StaffMember.id).where(StaffMember.user_id == patient.id)) is None
    refused = {
        "care-role-not-staff": PersonData("c@example.test", "C", Role.CAREGIVER, region.team_x, "hf_nurse"),
        "care-role-unknown": PersonData("u@example.test", "U", Role.PROFESSIONAL, region.team_x, "astronaut"),
        "care-role-needs-team": PersonData("t@example.test", "T", Role.PROFESSIONAL, None, "gp"),
    }
    for reason, data in refused.items():
        with pytest.raises(AdminError) as error:
            people.create_person(manager_x, region.org_x, data)
        assert error.value.reason == reason
        assert db.session.scalar(select(User.id).where(User.email == data.email)) is None  # nothing stored
    data = PersonData("x@example.test", "X", Role.PROFESSIONAL, region.team_x, "patient")
    with pytest.raises(AdminError) as error:  # the patients' curriculum code is no care role anyone holds
        people.create_person(manager_x, region.org_x, data)
    assert error.value.reason == "care-role-unknown"
    author = people.create_person(
        manager_x, region.org_x, PersonData("a@example.test", "A", Role.AUTHOR, region.team_x)
    )
    assert _history(author.id) == []  # staff without a care role (an author) are not on the roster either
    assert db.session.scalar(select(StaffMembership.id).limit(1)) is None


def test_an_hr_import_with_care_roles_puts_staff_on_the_roster_and_an_unknown_one_imports_nothing(
    region: Region,
) -> None:
    manager_x, today = actor(region.manager_x), local_today()
    good = (
        "Personeelsnummer;E-mailadres;Naam;Rol;Team;Functie\r\n"
        "HR-1;noor@example.test;Noor;professional;Hartfalenpoli;hf_nurse\r\n"
        "HR-2;sem@example.test;Sem;professional;hartfalenpoli;  verpleegkundig SPECIALIST \r\n"  # Dutch, any case
        "HR-3;ada@example.test;Ada;author;;\r\n"  # no care role: an author is not on the roster
    )
    imports.run(manager_x, region.org_x, "staff", good.encode())
    roster = dict(db.session.execute(
        select(StaffMember.pid, StaffMembership.role_code)
        .join(StaffMembership, StaffMembership.staff_id == StaffMember.id)
        .where(StaffMembership.end.is_(None), StaffMembership.team_id == region.team_x, StaffMembership.start == today)
    ).all())  # fmt: skip
    assert roster == {"HR-1": "hf_nurse", "HR-2": "np"}

    bad = good.replace("hf_nurse", "astronaut").replace(
        "HR-3;ada@example.test;Ada;author;;", "HR-4;b@example.test;B;;;gp"
    )
    checked = imports.preview(manager_x, region.org_x, "staff", bad.encode())
    assert [(p.index, p.field) for p in checked.problems] == [(0, "care_role"), (2, "care_role")]  # unknown; no team
    with pytest.raises(imports.ImportRefused):
        imports.run(manager_x, region.org_x, "staff", bad.encode())
    assert people.care_role_of(_user("noor@example.test")) == "hf_nurse"  # nothing changed
    assert db.session.scalar(select(User.id).where(User.email == "b@example.test")) is None


def _user(email: str) -> int:
    found = db.session.scalar(select(User.id).where(User.email == email))
    assert found is not None
    return found


def test_the_cli_sets_a_care_role_and_an_update_without_one_keeps_it(region: Region, runner: FlaskCliRunner) -> None:
    made = runner.invoke(args=["admin", "person", "Ziekenhuis X", "gp@example.test", "--name", "Huisarts",
                               "--team", "Hartfalenpoli", "--care-role", "gp"])  # fmt: skip
    assert made.exit_code == 0, made.output
    renamed = runner.invoke(args=["admin", "person", "Ziekenhuis X", "gp@example.test", "--name", "Dokter"])
    assert renamed.exit_code == 0, renamed.output
    assert _history(_user("gp@example.test")) == [(region.team_x, "gp", local_today(), None)]


def test_a_second_team_from_the_hr_roster_is_kept_until_the_person_leaves(region: Region) -> None:
    manager_x, today = actor(region.manager_x), local_today()
    second = organisations.create_team(manager_x, region.org_x, TeamData("Medisch Servicecentrum", "monitoring_centre"))
    data = PersonData("n@example.test", "N", Role.PROFESSIONAL, region.team_x, "hf_nurse")
    made = people.create_person(manager_x, region.org_x, data)
    began = _age_memberships(made.id, 30)
    staff_id = db.session.scalar(select(StaffMember.id).where(StaffMember.user_id == made.id))
    db.session.add(StaffMembership(staff_id=staff_id, team_id=second.id, role_code="hf_nurse", start=began))
    db.session.commit()
    people.update_person(manager_x, region.org_x, made.id, replace(data, display_name="Nina"))
    assert [end for *_, end in _history(made.id)] == [None, None]  # saving the page ends nothing
    assert people.care_role_of(made.id) == "hf_nurse"
    people.update_person(manager_x, region.org_x, made.id, replace(data, care_role="np"))
    assert _history(made.id) == [(region.team_x, "hf_nurse", began, today), (second.id, "hf_nurse", began, None),
                                 (region.team_x, "np", today, None)]  # fmt: skip
    assert people.care_role_of(made.id) == "np"  # the role in their own team, not the newest elsewhere
    people.end_membership(manager_x, region.org_x, made.id)
    assert _history(made.id) == [(region.team_x, "hf_nurse", began, today), (second.id, "hf_nurse", began, today)]
    # the np membership began today, so leaving today removes it instead of recording a one-day stint


def test_care_roles_are_named_and_found_in_every_language(region: Region) -> None:
    gp = db.session.get(StaffRole, "gp")
    assert gp is not None
    assert [label(gp, language) for language in ("nl", "en", "de")] == [
        "Huisarts", "General practitioner", "Hausärztin/Hausarzt"]  # fmt: skip
    assert [find_care_role(text) for text in ("GP", " huisarts ", "hausärztin/hausarzt", "patient", "")] == [
        "gp", "gp", "gp", None, None]  # fmt: skip
    gp.label_de = None  # a role a region added without a German name reads in English
    assert label(gp, "de") == "General practitioner"
