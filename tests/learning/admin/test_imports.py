"""Bulk imports: a wrong row anywhere means nothing is imported, and every problem of every row is listed."""

from __future__ import annotations

import pytest
from admin_helpers import Region, actor
from sqlalchemy import func, select

from learning.accounts.models import Invitation, Role, User
from learning.admin import imports
from learning.admin.invitations import Status, status
from learning.db import db
from learning.environments.models import StaffMember

STAFF = (
    "\ufeffPersonnel number;E-mail;Display name;Role;Team;Line manager e-mail\r\n"
    "HR-1;lead@example.test;Lea Leider;manager;Hartfalenpoli;\r\n"
    "HR-2;nurse@example.test;Nina Zorg;professional;hartfalenpoli;lead@example.test\r\n"
    "HR-3;teacher@example.test;Tom Les;author;;manager-x@example.test\r\n"
)


def _users() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0


def test_a_clean_staff_file_creates_accounts_teams_and_line_managers(region: Region) -> None:
    checked = imports.preview(actor(region.manager_x), region.org_x, "staff", STAFF.encode())
    assert checked.ok
    assert len(checked.rows) == 3
    result = imports.run(actor(region.manager_x), region.org_x, "staff", STAFF.encode())
    assert (result.created, result.updated) == (3, 0)
    nurse = db.session.scalar(select(User).where(User.email == "nurse@example.test"))
    lead = db.session.scalar(select(User).where(User.email == "lead@example.test"))
    assert nurse is not None
    assert lead is not None
    assert (nurse.role, nurse.team_id, nurse.organisation_id) == (Role.PROFESSIONAL, region.team_x, region.org_x)
    roster = dict(db.session.execute(select(StaffMember.pid, StaffMember.line_manager_user_id)).all())
    assert roster == {"HR-1": None, "HR-2": lead.id, "HR-3": region.manager_x}
    again = imports.run(actor(region.manager_x), region.org_x, "staff", STAFF.replace("Nina Zorg", "Nina Z").encode())
    assert (again.created, again.updated) == (0, 3)
    db.session.refresh(nurse)
    assert nurse.display_name == "Nina Z"


def test_one_bad_row_imports_nothing_and_every_problem_is_named_by_row_and_column(region: Region) -> None:
    bad = STAFF + (
        "HR-4;not-an-address;Piet;professional;Onbekend team;\r\n"
        "HR-2;manager-y@example.test;;surgeon;;nurse@example.test\r\n"
    )
    before = _users()
    checked = imports.preview(actor(region.manager_x), region.org_x, "staff", bad.encode())
    found = {(p.row, p.field) for p in checked.problems}
    assert found == {
        (5, "email"), (5, "team"),
        (6, "personnel_number"), (6, "display_name"), (6, "role"), (6, "line_manager_email"), (6, "email"),
    }  # fmt: skip
    with pytest.raises(imports.ImportRefused) as refused:
        imports.run(actor(region.manager_x), region.org_x, "staff", bad.encode())
    assert len(refused.value.preview.problems) == len(checked.problems)
    assert _users() == before
    assert db.session.scalar(select(func.count(StaffMember.id))) == 0


def test_unknown_or_missing_columns_refuse_the_whole_file(region: Region) -> None:
    checked = imports.preview(actor(region.manager_x), region.org_x, "staff", b"email;bsn\r\nx@example.test;123\r\n")
    messages = {p.message for p in checked.problems}
    assert "Unknown column bsn: remove it." in messages
    assert "The column personnel_number is missing." in messages
    assert not checked.ok


def test_patients_by_pseudonym_each_get_a_single_use_code(region: Region) -> None:
    data = b"pseudonym,team,role\nP-001,Hartfalenpoli,\nP-002,,caregiver\n"
    result = imports.run(actor(region.manager_x), region.org_x, "patients", data)
    codes = {inv.label: inv for inv in result.invitations}
    assert set(codes) == {"P-001", "P-002"}
    assert codes["P-001"].team_id == region.team_x
    assert codes["P-002"].role is Role.CAREGIVER
    assert all(inv.max_uses == 1 and status(inv) is Status.ACTIVE for inv in codes.values())
    again = imports.preview(
        actor(region.manager_x), region.org_x, "patients", b"pseudonym\nP-002\np-003\nP-003\nx@y.nl\n"
    )
    assert [(p.row, p.field) for p in again.problems] == [(2, "pseudonym"), (4, "pseudonym"), (5, "pseudonym")]
    assert db.session.scalar(select(func.count(Invitation.id))) == 2


def test_a_manager_of_y_cannot_import_into_x(region: Region) -> None:
    from learning.admin.scope import OutOfScope

    with pytest.raises(OutOfScope):
        imports.preview(actor(region.manager_y), region.org_x, "staff", STAFF.encode())


def test_a_personnel_number_of_another_account_is_refused(region: Region) -> None:
    imports.run(actor(region.manager_x), region.org_x, "staff", STAFF.encode())
    clash = b"personnel_number;email;display_name\nHR-2;someone-else@example.test;Iemand\n"
    checked = imports.preview(actor(region.manager_x), region.org_x, "staff", clash)
    assert [(p.row, p.field, p.message) for p in checked.problems] == [
        (2, "personnel_number", "This number already belongs to another person.")
    ]
