"""The region's care roles: a regional administrator adds, renames and removes them through the services the page and
`flask admin role` use; a manager only reads (their own organisation's use); every refusal names its reason and
stores nothing; a role in use stays; every change is in the access log."""

from __future__ import annotations

from datetime import date

import pytest
from admin_helpers import Region, actor
from flask import Flask
from sqlalchemy import func, select

from learning.accounts.models import Role
from learning.admin import care_roles, people
from learning.admin.care_roles import RoleData
from learning.admin.people import PersonData
from learning.admin.roster import check_care_role
from learning.admin.scope import AdminError, OutOfScope
from learning.audit.models import AccessLogEntry
from learning.db import db
from learning.environments.models import (
    Condition,
    Curriculum,
    Environment,
    Phase,
    Programme,
    StaffMember,
    StaffMembership,
    StaffRole,
)
from learning.environments.roles import ensure_care_roles, find_care_role

WOUND = RoleData("wound_nurse", "Wondverpleegkundige", "Wound care nurse", "Pflegefachkraft Wundversorgung")
LABELS = (WOUND.label_nl, WOUND.label_en, WOUND.label_de)


@pytest.fixture(autouse=True)
def stored_roles(region: Region) -> None:
    ensure_care_roles()  # what migration 0018 stored, before the test emptied the tables
    db.session.commit()


def logged(action: str) -> list[str]:
    return list(db.session.scalars(select(AccessLogEntry.subject).where(AccessLogEntry.action == action)))


def stored() -> dict[str, tuple[str, str, str | None]]:
    db.session.expire_all()
    return {r.code: (r.label_nl, r.label_en, r.label_de) for r in db.session.scalars(select(StaffRole))}


def _programme(organisation_id: int, team_id: int, name: str) -> int:
    env = db.session.scalar(select(Environment)) or Environment(
        name="Hartfalen Twente", condition=Condition.HF, phase=Phase.DESIGN, start=date(2026, 1, 1)
    )
    programme = Programme(environment=env, organisation_id=organisation_id, name=name, condition=Condition.HF,
                          platform_name="P", start=date(2026, 2, 1))  # fmt: skip
    db.session.add(programme)
    db.session.flush()
    return programme.id


def test_an_admin_adds_a_care_role_that_every_form_then_offers(region: Region) -> None:
    data = RoleData(" Wound_Nurse ", "  Wond verpleegkundige ", "Wound care nurse", "Wundexpertin/Wundexperte")
    made = care_roles.add_role(actor(region.admin), data)
    assert (made.code, made.label_nl, made.label_de) == (
        "wound_nurse",
        "Wond verpleegkundige",
        "Wundexpertin/Wundexperte",
    )
    assert stored()["wound_nurse"] == ("Wond verpleegkundige", "Wound care nurse", "Wundexpertin/Wundexperte")
    assert logged("admin.role.create") == ["role:wound_nurse"]
    # the person form, the staff import and the curricula read the same table
    assert check_care_role(Role.PROFESSIONAL, region.team_x, "wound_nurse") == "wound_nurse"
    assert find_care_role("wond verpleegkundige") == "wound_nurse"
    codes = [use.role.code for use in care_roles.roles_in_use(actor(region.manager_x))]
    assert len(codes) == 15
    assert "wound_nurse" in codes
    assert "patient" not in codes


BAD_ROLES = [
    (RoleData("wond verpleegkundige", *LABELS), "role-code-invalid", ""),
    (RoleData("wound-nurse", *LABELS), "role-code-invalid", ""),
    (RoleData("", *LABELS), "role-code-invalid", ""),
    (RoleData("w" * 41, *LABELS), "role-code-invalid", ""),
    (RoleData("hf_nurse", *LABELS), "role-code-taken", ""),
    (RoleData("HF_NURSE", *LABELS), "role-code-taken", ""),
    (RoleData("patient", *LABELS), "role-code-taken", ""),  # the programmes' patients, stored or not
    (RoleData("wound_nurse", " ", WOUND.label_en, WOUND.label_de), "role-label-required", "label_nl"),
    (RoleData("wound_nurse", WOUND.label_nl, "", WOUND.label_de), "role-label-required", "label_en"),
    (RoleData("wound_nurse", WOUND.label_nl, WOUND.label_en, ""), "role-label-required", "label_de"),
    (RoleData("wound_nurse", "W" * 101, WOUND.label_en, WOUND.label_de), "role-label-required", "label_nl"),
    (RoleData("wound_nurse", "huisarts", WOUND.label_en, WOUND.label_de), "role-label-taken", "label_nl"),
    (RoleData("wound_nurse", WOUND.label_nl, "Cardiologist", WOUND.label_de), "role-label-taken", "label_en"),
    (RoleData("wound_nurse", WOUND.label_nl, WOUND.label_en, "poh"), "role-label-taken", "label_de"),  # a code
]


@pytest.mark.parametrize(("data", "reason", "field"), BAD_ROLES)
def test_a_bad_care_role_is_refused_and_nothing_is_stored(region: Region, data: RoleData, reason: str,
                                                           field: str) -> None:  # fmt: skip
    before = stored()
    with pytest.raises(AdminError) as refused:
        care_roles.add_role(actor(region.admin), data)
    assert (refused.value.reason, refused.value.params.get("field", "")) == (reason, field)
    assert stored() == before
    assert logged("admin.role.create") == []


def test_a_manager_reads_the_roles_but_changes_none(region: Region) -> None:
    manager = actor(region.manager_x)
    with pytest.raises(OutOfScope):
        care_roles.add_role(manager, WOUND)
    with pytest.raises(OutOfScope):
        care_roles.rename_role(manager, "physio", RoleData("physio", "Fysio", "Physio", "Physio"))
    with pytest.raises(OutOfScope):
        care_roles.remove_role(manager, "physio")
    assert "wound_nurse" not in stored()
    assert stored()["physio"][0] == "Fysiotherapeut"
    assert [entry for entry in db.session.scalars(select(AccessLogEntry.action)) if entry.startswith("admin.")] == []


def test_a_rename_changes_the_labels_and_keeps_the_code_and_its_uses(region: Region) -> None:
    programme = _programme(region.org_x, region.team_x, "Thuismeten")
    db.session.add(Curriculum(programme_id=programme, role_code="poh", module_slugs=["x"], due_days=30))
    db.session.commit()
    admin = actor(region.admin)
    renamed = care_roles.rename_role(admin, "poh", RoleData("ignored", "POH-somatiek", "GP practice nurse",
                                                              "Praxisfachkraft"))  # fmt: skip
    assert renamed.code == "poh"
    assert stored()["poh"] == ("POH-somatiek", "GP practice nurse", "Praxisfachkraft")
    assert "ignored" not in stored()
    assert db.session.scalar(select(Curriculum.role_code)) == "poh"
    care_roles.rename_role(admin, "poh", RoleData("", "POH-somatiek", "GP practice nurse", "Praxisfachkraft"))  # own
    with pytest.raises(AdminError) as refused:  # another role's name
        care_roles.rename_role(admin, "poh", RoleData("", "Huisarts", "GP practice nurse", "Praxisfachkraft"))
    assert refused.value.reason == "role-label-taken"
    assert stored()["poh"][0] == "POH-somatiek"
    for code in ("patient", "nobody"):
        with pytest.raises(OutOfScope):
            care_roles.rename_role(admin, code, WOUND)
    assert logged("admin.role.update") == ["role:poh", "role:poh"]


def test_a_role_in_use_stays_and_an_unused_one_is_removed(region: Region) -> None:
    programme = _programme(region.org_y, region.team_y, "Wijkzorg op afstand")
    db.session.add(Curriculum(programme_id=programme, role_code="district_nurse", module_slugs=["x"], due_days=30))
    staff = StaffMember(organisation_id=region.org_x, pid="hr-1")
    db.session.add(staff)
    db.session.flush()
    db.session.add_all([
        StaffMembership(staff_id=staff.id, team_id=region.team_x, role_code="hf_nurse", start=date(2025, 1, 1)),
        StaffMembership(staff_id=staff.id, team_id=region.team_x, role_code="np", start=date(2024, 1, 1),
                        end=date(2024, 12, 31)),  # only history: the monthly roll-up still reads it
    ])  # fmt: skip
    db.session.commit()
    admin = actor(region.admin)
    for code in ("district_nurse", "hf_nurse", "np"):
        with pytest.raises(AdminError) as refused:
            care_roles.remove_role(admin, code)
        assert refused.value.reason == "role-in-use"
        assert code in stored()
    care_roles.remove_role(admin, "physio")
    assert "physio" not in stored()
    assert logged("admin.role.remove") == ["role:physio"]
    for code in ("physio", "patient"):
        with pytest.raises(OutOfScope):
            care_roles.remove_role(admin, code)


def test_where_a_role_is_used_is_counted_for_the_reader_s_own_organisation(region: Region) -> None:
    x, y = _programme(region.org_x, region.team_x, "Thuismeten"), _programme(region.org_y, region.team_y, "Wijkzorg")
    db.session.add_all([Curriculum(programme_id=p, role_code="hf_nurse", module_slugs=["x"], due_days=30)
                        for p in (x, y)])  # fmt: skip
    for manager, org, team, who in ((region.manager_x, region.org_x, region.team_x, "x"),
                                    (region.manager_y, region.org_y, region.team_y, "y")):  # fmt: skip
        nurse = PersonData(f"nurse-{who}@example.test", who, Role.PROFESSIONAL, team, "hf_nurse")
        people.create_person(actor(manager), org, nurse)

    def use(who: int) -> tuple[list[str], int, int, bool]:
        found = next(u for u in care_roles.roles_in_use(actor(who)) if u.role.code == "hf_nurse")
        return found.curricula, found.people_now, found.people_before, found.in_use

    assert use(region.admin) == (["Thuismeten (Ziekenhuis X)", "Wijkzorg (Zorggroep Y)"], 2, 0, True)
    assert use(region.manager_x) == (["Thuismeten (Ziekenhuis X)"], 1, 0, True)
    assert care_roles.role_in_use("physio").in_use is False
    assert db.session.scalar(select(func.count()).select_from(StaffRole)) == 14


def test_the_cli_lists_adds_renames_and_removes_roles(app: Flask, region: Region) -> None:
    runner = app.test_cli_runner()

    def run(*args: str) -> str:
        result = runner.invoke(args=["admin", "role", *args])
        assert result.exit_code == 0, result.output
        return result.output

    assert run("add", "wound_nurse", "--nl", WOUND.label_nl, "--en", WOUND.label_en, "--de", WOUND.label_de) == (
        "Care role wound_nurse added: Wondverpleegkundige\n"
    )
    assert "wound_nurse\tWondverpleegkundige\tWound care nurse\tPflegefachkraft Wundversorgung\t0\t0\t0" in run("list")
    assert "Wondzorg / Wound care nurse" in run("rename", "wound_nurse", "--nl", "Wondzorg")
    taken = runner.invoke(args=["admin", "role", "add", "gp", "--nl", "a", "--en", "b", "--de", "c"])
    assert taken.exit_code != 0
    assert "refused: role-code-taken (code=gp)" in taken.output
    blank = runner.invoke(args=["admin", "role", "rename", "gp", "--de", " "])
    assert blank.exit_code != 0
    assert "refused: role-label-required" in blank.output
    unknown = runner.invoke(args=["admin", "role", "remove", "nobody"])
    assert unknown.exit_code != 0
    assert "no care role 'nobody'" in unknown.output
    run("remove", "wound_nurse")
    assert "wound_nurse" not in stored()
    assert stored()["gp"][2] == "Hausärztin/Hausarzt"
    actions = list(db.session.scalars(select(AccessLogEntry.action).where(AccessLogEntry.actor.like("cli:%"))))
    assert actions == ["admin.role.create", "admin.role.update", "admin.role.remove"]
