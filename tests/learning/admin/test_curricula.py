"""A programme's curricula and alert norms: a manager sets them for X's programmes only, through the same services the
pages and `flask admin` use; every refusal names its reason and stores nothing; every change is in the access log."""

from __future__ import annotations

from datetime import date

import pytest
from admin_helpers import Region, actor
from sqlalchemy import func, select

from learning.admin.curricula import CurriculumData, curricula_of, remove_curriculum, set_curriculum
from learning.admin.environments import EnvironmentData, add_environment
from learning.admin.norms import NormsData, frequency, set_norms
from learning.admin.programmes import ProgrammeData, add_programme
from learning.admin.scope import AdminError, OutOfScope
from learning.audit.models import AccessLogEntry
from learning.db import db
from learning.environments.models import Curriculum, Programme, StaffRole
from learning.metrics.models import MetricDirty

STAFF_MODULE, OTHER_STAFF_MODULE = "rpm-meting-tot-melding", "veilig-werken-patientgegevens"
PATIENT_MODULE = "elke-dag-wegen-hartfalen"


@pytest.fixture
def programme(region: Region, content: None) -> int:
    """An HF programme of X with X's team, made as the admin pages make it; and the care role hf_nurse."""
    env = add_environment(actor(region.admin), EnvironmentData("Hartfalen Twente", "HF", "design", date(2026, 1, 1)))
    db.session.add(StaffRole(code="hf_nurse", label_nl="Hartfalenverpleegkundige", label_en="Heart failure nurse"))
    made = add_programme(actor(region.manager_x), region.org_x, ProgrammeData(
        env.id, "Thuismeten hartfalen", "HF", "Thuismonitor", date(2026, 2, 1), (region.team_x,)))  # fmt: skip
    return made.id


def logged(action: str) -> list[str]:
    return list(db.session.scalars(select(AccessLogEntry.subject).where(AccessLogEntry.action == action)))


def count() -> int:
    return db.session.scalar(select(func.count(Curriculum.id))) or 0


def test_a_manager_sets_changes_and_removes_a_curriculum(region: Region, programme: int) -> None:
    me = actor(region.manager_x)
    made = set_curriculum(me, region.org_x, programme, CurriculumData("hf_nurse", (STAFF_MODULE,), 30, 12))
    assert (made.module_slugs, made.due_days, made.refresher_months) == ([STAFF_MODULE], 30, 12)
    queued = db.session.execute(select(MetricDirty.team_id, MetricDirty.period_start)).all()
    assert set(queued) == {(region.team_x, date(2026, 2, 1))}  # the metrics recompute from the programme's start
    changed = set_curriculum(me, region.org_x, programme,
                             CurriculumData("hf_nurse", (OTHER_STAFF_MODULE, STAFF_MODULE), 60))  # fmt: skip
    assert changed.id == made.id  # one curriculum per role and programme: changed, not added
    assert (changed.module_slugs, changed.due_days, changed.refresher_months) == (
        [STAFF_MODULE, OTHER_STAFF_MODULE], 60, None)  # fmt: skip
    # the patients' education: the role is stored on first use, as the demo names it
    set_curriculum(me, region.org_x, programme, CurriculumData("patient", (PATIENT_MODULE,), 7))
    assert db.session.get(StaffRole, "patient") is not None
    assert [c.role_code for c in curricula_of(me, region.org_x, programme)] == ["hf_nurse", "patient"]
    remove_curriculum(me, region.org_x, programme, "hf_nurse")
    assert [c.role_code for c in curricula_of(me, region.org_x, programme)] == ["patient"]
    subject = f"programme:{programme} role:hf_nurse"
    assert logged("admin.curriculum.set") == [subject, subject, f"programme:{programme} role:patient"]
    assert logged("admin.curriculum.remove") == [subject]


BAD_CURRICULA = [
    (CurriculumData("cook", (STAFF_MODULE,), 30), "curriculum-role-unknown"),
    (CurriculumData("hf_nurse", (), 30), "curriculum-modules-missing"),
    (CurriculumData("hf_nurse", ("no-such-module",), 30), "curriculum-module-unknown"),
    (CurriculumData("hf_nurse", (STAFF_MODULE, PATIENT_MODULE), 30), "curriculum-module-audience"),
    (CurriculumData("patient", (STAFF_MODULE,), 7), "curriculum-module-audience"),
    (CurriculumData("hf_nurse", (STAFF_MODULE,), None), "curriculum-due-out-of-range"),
    (CurriculumData("hf_nurse", (STAFF_MODULE,), 0), "curriculum-due-out-of-range"),
    (CurriculumData("hf_nurse", (STAFF_MODULE,), 731), "curriculum-due-out-of-range"),
    (CurriculumData("hf_nurse", (STAFF_MODULE,), 30, 0), "curriculum-refresher-out-of-range"),
    (CurriculumData("hf_nurse", (STAFF_MODULE,), 30, 121), "curriculum-refresher-out-of-range"),
    (CurriculumData("hf_nurse", (STAFF_MODULE,), 30, None, True), "curriculum-refresher-out-of-range"),
]


def test_a_bad_curriculum_is_refused_and_nothing_stored(region: Region, programme: int) -> None:
    """One programme for every case (loading the catalogue is the slow part); each case names its own reason."""
    reasons = []
    for data, _reason in BAD_CURRICULA:
        with pytest.raises(AdminError) as refused:
            set_curriculum(actor(region.manager_x), region.org_x, programme, data)
        reasons.append(refused.value.reason)
    assert reasons == [reason for _data, reason in BAD_CURRICULA]
    assert count() == 0
    assert db.session.get(StaffRole, "patient") is None
    assert logged("admin.curriculum.set") == []


def test_an_unpublished_module_cannot_be_chosen(region: Region, programme: int) -> None:
    from learning.content.models import Module

    module = db.session.scalar(select(Module).where(Module.slug == STAFF_MODULE))
    assert module is not None
    module.current_version = ""  # no approved version: learners cannot open it
    db.session.commit()
    with pytest.raises(AdminError) as refused:
        set_curriculum(actor(region.admin), region.org_x, programme, CurriculumData("hf_nurse", (STAFF_MODULE,), 30))
    assert refused.value.reason == "curriculum-module-unknown"
    assert count() == 0


def test_a_manager_of_y_cannot_touch_x_s_curricula_nor_norms(region: Region, programme: int) -> None:
    data = CurriculumData("hf_nurse", (STAFF_MODULE,), 30)
    other = actor(region.manager_y)
    for org in (region.org_x, region.org_y):
        with pytest.raises(OutOfScope):
            set_curriculum(other, org, programme, data)
        with pytest.raises(OutOfScope):
            set_norms(other, org, programme, NormsData({"red": 30}, {"weight": "daily"}))
    set_curriculum(actor(region.admin), region.org_x, programme, data)  # a regional administrator may
    for org in (region.org_x, region.org_y):
        with pytest.raises(OutOfScope):
            remove_curriculum(other, org, programme, "hf_nurse")
        with pytest.raises(OutOfScope):
            curricula_of(other, org, programme)
    assert count() == 1
    stored = db.session.get(Programme, programme)
    assert stored is not None
    assert stored.alert_sla_minutes == {"red": 60, "orange": 240, "yellow": 1440}
    with pytest.raises(OutOfScope):  # nothing to remove is a 404 too
        remove_curriculum(actor(region.manager_x), region.org_x, programme, "patient")


def test_norms_are_set_in_the_forms_the_metrics_read(region: Region, programme: int) -> None:
    made = set_norms(actor(region.manager_x), region.org_x, programme,
                     NormsData({"red": 30, "orange": 120, "Yellow": 600},
                               {"weight": "7/wk", "bp": " 3 / WK", "steps": "1/d"}))  # fmt: skip
    assert made.alert_sla_minutes == {"red": 30, "orange": 120, "yellow": 600}
    assert made.measurement_schedule == {"weight": "daily", "bp": "3/wk", "steps": "daily"}
    assert logged("admin.programme.norms") == [f"programme:{programme}"]
    assert [frequency(x) for x in ("daily", "6/wk", "7/wk", "0/wk", "8/wk", "2/mo", "")] == [
        "daily", "6/wk", "daily", None, None, None, None]  # fmt: skip


BAD_NORMS = [
    (NormsData({}, {"weight": "daily"}), "sla-missing"),
    (NormsData({"red": None}, {"weight": "daily"}), "sla-out-of-range"),
    (NormsData({"red": 0}, {"weight": "daily"}), "sla-out-of-range"),
    (NormsData({"red": 10081}, {"weight": "daily"}), "sla-out-of-range"),
    (NormsData({"rood alarm": 60}, {"weight": "daily"}), "sla-severity-invalid"),
    (NormsData({"red": 240, "orange": 60}, {"weight": "daily"}), "sla-order"),
    (NormsData({"red": 60}, {}), "schedule-missing"),
    (NormsData({"red": 60}, {"body weight": "daily"}), "schedule-kind-invalid"),
    (NormsData({"red": 60}, {"weight": "twice a day"}), "schedule-frequency-invalid"),
    (NormsData({"red": 60}, {"weight": ""}), "schedule-frequency-invalid"),
]


def test_bad_norms_are_refused_and_nothing_changes(region: Region, programme: int) -> None:
    reasons = []
    for data, _reason in BAD_NORMS:
        with pytest.raises(AdminError) as refused:
            set_norms(actor(region.manager_x), region.org_x, programme, data)
        reasons.append(refused.value.reason)
    assert reasons == [reason for _data, reason in BAD_NORMS]
    db.session.expire_all()
    stored = db.session.get(Programme, programme)
    assert stored is not None
    assert db.session.scalar(select(func.count(MetricDirty.id))) == 0  # a refusal queues nothing either
    assert (stored.alert_sla_minutes, stored.measurement_schedule) == (
        {"red": 60, "orange": 240, "yellow": 1440}, {"weight": "daily", "bp": "daily"})  # fmt: skip
    assert logged("admin.programme.norms") == []
