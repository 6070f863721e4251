"""The demo region generator: spec sizes, realism, privacy, idempotency and reproducibility.

The class below seeds the full region (scale 1) once, through the real tracking path into the built-in LRS, and
its tests only read it; the other tests seed a small region (scale 0.02-0.05) on the usual empty database.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import csrf_token, empty_all_tables
from sqlalchemy import func, select, update

from app import ROOT, create_app
from learning.accounts.models import Organisation, Role, Team, User
from learning.accounts.services import create_user
from learning.dashboards.staff import own_required_training, staff_to_complete
from learning.db import Base, db
from learning.demo import DemoError, seed_demo
from learning.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET
from learning.demo.clock import add_business_minutes, local_moment
from learning.demo.region import HOSPITAL, MARKER_ENVIRONMENT
from learning.demo.staff import apportion
from learning.demo.structure import SEEDING_SUFFIX
from learning.environments.models import (
    Condition,
    Curriculum,
    Environment,
    PatientLink,
    Phase,
    Programme,
    StaffMember,
    StaffMembership,
)
from learning.metrics.changes import data_range
from learning.metrics.compute import load_inputs
from learning.metrics.disclosure_audit import AuditReport, audit_month
from learning.metrics.periods import months_between
from learning.metrics.services import month_cells
from learning.rpm.models import Alert, DailyMeasurement, Enrolment, StaffActivity
from learning.rpm.vocabulary import ACTION_TYPES, DISENROL_REASONS, DROPOUT_REASONS, OUTCOMES, STAFF_ACTIONS
from learning.tracking.reader import current_reader
from learning.tracking.sync import sync

TODAY = date(2026, 3, 15)  # the demo year is 2025-03-01 .. 2026-03-14
BASE_IRI = "https://vtc.test"
ADL = "http://adlnet.gov/expapi/verbs/"
PATIENT_PID = re.compile(r"pt-[0-9a-f]{10}")
STAFF_PID = re.compile(r"mw-[0-9a-f]{10}")
WEEKDAYS_9_TO_17 = {"start": "09:00", "end": "17:00", "days": [0, 1, 2, 3, 4]}


def _counts() -> dict[str, int]:
    """Row counts of every LMS table (the LRS is counted through xAPI by the tests that need it)."""
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) or 0 for t in Base.metadata.sorted_tables}


def _lrs_headers(application: Flask) -> dict[str, str]:
    result = application.test_cli_runner().invoke(args=["lrs", "create-credential", "demo test", "--regional"])
    assert result.exit_code == 0, result.output
    token = base64.b64encode(result.output.strip().splitlines()[-1].encode()).decode()
    return {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}


def _statements(client: FlaskClient, headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
    """Every statement matching the query, following `more` links."""
    found: list[dict[str, Any]] = []
    url = "/xapi/statements?" + urlencode({"limit": "500", **params})
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        found += response.json["statements"]
        url = response.json.get("more") or ""
    return found


@pytest.fixture(scope="class")
def region(database_url: str) -> Iterator[Flask]:
    """The full demo region (scale 1), seeded once for the read-only tests of a class (about 15 s on SQLite)."""
    empty_all_tables(database_url)
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "LRS_DATABASE_URI": database_url,
            "XAPI_BASE_IRI": BASE_IRI,
            "CONTENT_DIR": str(ROOT / "modules_content"),
        }
    )
    with application.app_context():
        assert seed_demo(1, today=TODAY)
        db.session.remove()
    yield application
    with application.app_context():
        db.engine.dispose()
    application.extensions["lrs"].engine.dispose()


@pytest.fixture
def region_ctx(region: Flask) -> Iterator[Flask]:
    with region.app_context():
        yield region
        db.session.remove()


def _day(statement: dict[str, Any]) -> date:
    return datetime.fromisoformat(statement["timestamp"].replace("Z", "+00:00")).date()


def _first_completions(client: FlaskClient, headers: dict[str, str], **params: str) -> dict[str, date]:
    """Return per actor the day of their first `completed` statement."""
    first: dict[str, date] = {}
    for statement in _statements(client, headers, verb=ADL + "completed", **params):
        actor = statement["actor"]["account"]["name"]
        first[actor] = min(_day(statement), first.get(actor, _day(statement)))
    return first


def _share(flags: list[bool]) -> float:
    return sum(flags) / len(flags)


DAY_OF_ENROLMENT = (Enrolment.programme_id == DailyMeasurement.programme_id) & (
    Enrolment.patient_pid == DailyMeasurement.patient_pid
)
LINK_OF_ENROLMENT = (Enrolment.programme_id == PatientLink.programme_id) & (
    Enrolment.patient_pid == PatientLink.patient_pid
)


class TestRegionAtScaleOne:
    def test_region_has_the_sizes_of_the_spec(self, region_ctx: Flask) -> None:
        count = _counts()
        assert (count["environment"], count["organisation"], count["team"]) == (3, 6, 20)
        assert (count["staff_member"], count["rpm_enrolment"], count["rpm_programme"]) == (400, 2000, 11)

    def test_every_organisation_is_a_clearly_fictional_demo(self, region_ctx: Flask) -> None:
        names = db.session.scalars(select(Organisation.name)).all()
        assert all(name.endswith("(demo)") for name in names)

    def test_second_seed_changes_nothing(self, region: Flask) -> None:
        client, headers = region.test_client(), _lrs_headers(region)
        statements_before = len(_statements(client, headers, format="ids"))
        with region.app_context():
            before = _counts()
            assert seed_demo(1, today=TODAY) is False
            assert _counts() == before
            db.session.remove()
        assert statements_before > 10_000
        assert len(_statements(client, headers, format="ids")) == statements_before

    @pytest.mark.parametrize("email", [account[0] for account in DEMO_ACCOUNTS])
    def test_demo_accounts_still_log_in(self, region: Flask, email: str) -> None:
        """Staff accounts come with the README's demo secret set up: the code it gives completes the log-in."""
        client = region.test_client()
        data = {"email": email, "password": DEMO_PASSWORD, "csrf_token": csrf_token(client)}
        response = client.post("/login", data=data)
        assert response.status_code == 302
        if response.headers["Location"] == "/login/code":
            with region.app_context():
                db.session.execute(update(User).where(User.email == email).values(mfa_last_step=None))
                db.session.commit()
            code = {"code": pyotp.TOTP(DEMO_TOTP_SECRET).now(), "csrf_token": csrf_token(client, "/login/code")}
            response = client.post("/login/code", data=code)
            assert response.status_code == 302, response.get_data(as_text=True)
        page = client.get("/")
        assert page.status_code == 200
        assert "confirm-bar" not in page.text  # example.org gets no mail: they count as confirmed

    def test_generated_accounts_cannot_log_in(self, region: Flask) -> None:
        with region.app_context():
            email = db.session.scalar(select(User.email).where(User.email.like("staff-%")))
        client = region.test_client()
        data = {"email": email, "password": DEMO_PASSWORD, "csrf_token": csrf_token(client)}
        assert client.post("/login", data=data).status_code == 401

    def test_staff_turnover_is_ten_to_fifteen_percent_mid_month(self, region_ctx: Flask) -> None:
        first = TODAY.replace(year=TODAY.year - 1, day=1)
        primary = select(StaffMembership.staff_id, func.min(StaffMembership.id).label("id")).group_by(
            StaffMembership.staff_id
        )
        ids = [row.id for row in db.session.execute(primary)]
        rows = db.session.execute(select(StaffMembership.start, StaffMembership.end).where(StaffMembership.id.in_(ids)))
        memberships = rows.all()
        leavers = [end for _, end in memberships if end is not None]
        joiners = [start for start, _ in memberships if start > first]
        assert 0.10 <= len(leavers) / (len(memberships) - len(joiners)) <= 0.15
        assert all(day.day != 1 for day in leavers + joiners)

    def test_some_staff_work_in_two_teams(self, region_ctx: Flask) -> None:
        teams = func.count(func.distinct(StaffMembership.team_id))
        two = db.session.scalars(select(StaffMembership.staff_id).group_by(StaffMembership.staff_id).having(teams > 1))
        assert 5 <= len(two.all()) <= 60

    def test_seven_in_ten_staff_have_a_pseudonymous_account(self, region_ctx: Flask) -> None:
        query = select(StaffMember.pid, User.email, User.display_name).outerjoin(User, User.id == StaffMember.user_id)
        staff = db.session.execute(query).all()
        accounts = [(email, name) for _, email, name in staff if email is not None]
        generated = [(email, name) for email, name in accounts if email != "nurse@example.org"]
        assert 0.65 <= len(accounts) / len(staff) <= 0.75
        assert all(email.endswith("@demo.invalid") for email, _ in generated)
        assert all(re.fullmatch(r"Medewerker \d+", name) for _, name in generated)
        assert all(STAFF_PID.fullmatch(pid) for pid, _, _ in staff)

    def test_every_member_of_staff_has_a_team_leader(self, region_ctx: Flask) -> None:
        query = select(User.email, User.role).join(StaffMember, StaffMember.line_manager_user_id == User.id)
        managers = db.session.execute(query).all()
        assert len(managers) == 400
        assert {role for _, role in managers} == {Role.MANAGER}
        assert "manager@example.org" in {email for email, _ in managers}

    def test_daily_rows_hold_counts_of_scheduled_types_only(self, region_ctx: Flask) -> None:
        schedules = dict(db.session.execute(select(Programme.id, Programme.measurement_schedule)).all())
        daily = DailyMeasurement
        query = select(daily.programme_id, daily.patient_pid, daily.received_counts, daily.manual_counts)
        for programme_id, pid, received, manual in db.session.execute(query.limit(50_000)):
            assert PATIENT_PID.fullmatch(pid)
            assert set(received) <= set(schedules[programme_id])
            assert all(isinstance(n, int) and 1 <= n <= 2 for n in received.values())
            assert all(n <= received[kind] for kind, n in manual.items())

    def test_alerts_and_staff_activity_are_keyed_by_pseudonyms(self, region_ctx: Flask) -> None:
        alert_pids = db.session.scalars(select(Alert.patient_pid).distinct()).all()
        activity_pids = db.session.scalars(select(StaffActivity.staff_pid).distinct()).all()
        assert all(PATIENT_PID.fullmatch(pid) for pid in alert_pids)
        assert all(STAFF_PID.fullmatch(pid) for pid in activity_pids)

    def test_coded_values_come_from_the_shared_vocabulary(self, region_ctx: Flask) -> None:
        reasons = set(db.session.scalars(select(Enrolment.disenrol_reason).distinct())) - {None}
        actions = set(db.session.scalars(select(Alert.action_type).distinct())) - {None}
        outcomes = set(db.session.scalars(select(Alert.outcome).distinct())) - {None}
        kinds = {kind for counts in db.session.scalars(select(StaffActivity.actions)) for kind in counts}
        assert reasons == set(DISENROL_REASONS)
        assert (actions, outcomes, kinds) == (set(ACTION_TYPES), set(OUTCOMES), set(STAFF_ACTIONS))

    def test_patients_are_offered_enrolled_activated_and_some_stop(self, region_ctx: Flask) -> None:
        query = select(Enrolment.enrolled_at, Enrolment.first_measurement_at, Enrolment.disenrol_reason)
        rows = db.session.execute(query).all()
        enrolled = [r for r in rows if r.enrolled_at is not None]
        week = timedelta(days=7)
        activated = [
            r.first_measurement_at is not None and r.first_measurement_at - r.enrolled_at <= week for r in enrolled
        ]
        stopped = [r.disenrol_reason for r in enrolled if r.disenrol_reason]
        assert 0.75 <= len(enrolled) / len(rows) <= 0.85
        assert 0.78 <= _share(activated) <= 0.9
        assert 0.07 <= len(stopped) / len(enrolled) <= 0.14
        assert 0.3 <= _share([reason not in DROPOUT_REASONS for reason in stopped]) <= 0.7

    def test_daily_rows_cover_every_enrolled_patient_day(self, region_ctx: Flask) -> None:
        query = select(Enrolment.enrolled_at, Enrolment.disenrolled_at).where(Enrolment.enrolled_at.is_not(None))
        patient_days = sum(((stop or TODAY) - start).days for start, stop in db.session.execute(query))
        assert db.session.scalar(select(func.count()).select_from(DailyMeasurement)) == patient_days

    def test_adherence_falls_in_the_first_two_weeks_then_holds(self, region_ctx: Flask) -> None:
        query = (
            select(DailyMeasurement.day, Enrolment.first_measurement_at, DailyMeasurement.received_counts)
            .join(Enrolment, DAY_OF_ENROLMENT)
            .where(DailyMeasurement.expected.is_(True), Enrolment.first_measurement_at.is_not(None))
        )
        since_first = [((day - first).days, bool(counts)) for day, first, counts in db.session.execute(query)]
        assert _share([met for days, met in since_first if 0 <= days < 3]) >= 0.93
        assert 0.78 <= _share([met for days, met in since_first if 28 <= days < 180]) <= 0.9

    def test_alerts_come_at_one_to_three_per_hundred_patient_days(self, region_ctx: Flask) -> None:
        alerts = db.session.scalar(select(func.count()).select_from(Alert)) or 0
        days = db.session.scalar(select(func.count()).select_from(DailyMeasurement)) or 1
        assert 1 <= 100 * alerts / days <= 3

    def test_most_alerts_are_first_acted_on_within_the_business_hours_sla(self, region_ctx: Flask) -> None:
        programmes = {p.id: p for p in db.session.scalars(select(Programme))}
        within = []
        for alert in db.session.scalars(select(Alert).where(Alert.first_action_at.is_not(None))):
            programme = programmes[alert.programme_id]
            sla = programme.alert_sla_minutes[alert.severity]
            deadline = add_business_minutes(alert.created_at, sla, programme.business_hours or {})
            within.append(alert.first_action_at is not None and alert.first_action_at <= deadline)
        assert 0.75 <= _share(within) <= 0.95

    def test_trained_staff_act_in_rpm_more_often_than_untrained(self, region: Flask) -> None:
        trained = _first_completions(region.test_client(), _lrs_headers(region))
        with region.app_context():
            query = select(StaffMember.pid, User.xapi_pid).join(User, User.id == StaffMember.user_id)
            actors = dict(db.session.execute(query).all())
            days = db.session.execute(select(StaffActivity.staff_pid, StaffActivity.day))
            active = {(pid, day.replace(day=1)) for pid, day in days}
            db.session.remove()
        months = [TODAY.replace(year=TODAY.year - 1, month=month, day=1) for month in range(4, 13)]
        cells = [(pid, m, trained.get(actor, TODAY) < m) for pid, actor in actors.items() for m in months]
        after = _share([(pid, m) in active for pid, m, done in cells if done])
        before = _share([(pid, m) in active for pid, m, done in cells if not done])
        assert after > 2 * before

    def test_statements_name_actors_only_by_platform_account(self, region: Flask) -> None:
        client, headers = region.test_client(), _lrs_headers(region)
        sample = client.get("/xapi/statements?limit=500", headers=headers).json["statements"]
        with region.app_context():
            homes = {
                pid: f"{BASE_IRI}/org/{pseudonym}"
                for pid, pseudonym in db.session.execute(
                    select(User.xapi_pid, Organisation.pseudonym).join(Organisation, User.organisation)
                )
            }
            patient_pids = set(db.session.scalars(select(Enrolment.patient_pid)))
            db.session.remove()
        assert len(sample) == 500
        for statement in sample:
            account = statement["actor"]["account"]
            assert account["name"] in homes
            assert statement["actor"] == {
                "objectType": "Agent",
                "account": {"homePage": homes[account["name"]], "name": account["name"]},
            }
            payload = json.dumps(statement)
            assert "@" not in payload
            assert "Medewerker" not in payload
            assert not patient_pids & set(re.findall(r"pt-[0-9a-f]{10}", payload))

    @pytest.mark.parametrize(
        ("module", "items"),
        [
            (
                "rpm-meting-tot-melding",
                ["pre-confidence-alert-handling", "confidence-alert-handling", "relevance-alert-handling"],
            ),
            ("elke-dag-wegen-hartfalen", ["pre-confidence-weight-action", "confidence-weight-action"]),
            ("naaste-helpen-thuismeten", ["pre-confidence-who-to-call", "confidence-who-to-call"]),
        ],
    )
    def test_likert_answers_before_and_after_reach_the_lrs(self, region: Flask, module: str, items: list[str]) -> None:
        client, headers = region.test_client(), _lrs_headers(region)
        for item in items:
            answers = _statements(client, headers, activity=f"{BASE_IRI}/xapi/module/{module}/item/{item}")
            assert len(answers) >= 20, item
            assert {a["result"]["response"] for a in answers} <= {"1", "2", "3", "4", "5"}

    def test_due_dates_follow_from_the_programme_start_and_the_role_curriculum(self, region_ctx: Flask) -> None:
        """No one is due before the programme that asks for the training exists (the staff joined from 2015 on)."""
        manager = db.session.scalar(select(User).where(User.email == "manager@example.org"))
        nurse = db.session.scalar(select(User).where(User.email == "nurse@example.org"))
        assert manager is not None
        assert nurse is not None
        earliest = min(db.session.scalars(select(Programme.start)))
        shortest = timedelta(days=min(db.session.scalars(select(Curriculum.due_days))))
        joined = db.session.scalars(select(StaffMembership.start)).all()
        assert min(joined) < earliest - timedelta(days=365)  # the rule matters: many joined years before
        listed = [
            row
            for environment_id in db.session.scalars(select(Environment.id))
            for row in staff_to_complete(manager, environment_id, TODAY, "nl")
        ]
        assert listed, "the demo manager has staff with training to do"
        assert min(row.due for row in listed) >= earliest + shortest
        assert max(row.due for row in listed) <= TODAY + timedelta(days=365)
        own = own_required_training(nurse, TODAY, "nl")
        assert own, "the demo nurse's role requires modules"
        assert all(module.due >= earliest + shortest for module in own)

    def test_most_linked_patients_learn_before_or_soon_after_enrolment(self, region: Flask) -> None:
        module = f"{BASE_IRI}/xapi/module/elke-dag-wegen-hartfalen"
        done = _first_completions(region.test_client(), _lrs_headers(region), activity=module)
        with region.app_context():
            query = (
                select(User.xapi_pid, Enrolment.enrolled_at)
                .join(PatientLink, PatientLink.user_id == User.id)
                .join(Enrolment, LINK_OF_ENROLMENT)
            )
            links = db.session.execute(query).all()
            db.session.remove()
        in_time = [actor in done and done[actor] <= enrolled + timedelta(days=7) for actor, enrolled in links]
        assert len(links) >= 100
        assert 0.4 <= _share(in_time) <= 0.8

    def test_no_hidden_cell_of_the_region_can_be_worked_out(self, region_ctx: Flask) -> None:
        """The disclosure audit: no small cell's count is pinned narrower than min_cell (or its band).

        Every third month and the last, each suppressed (complements included) and audited on its own as a
        recompute does (the first months hold the fewest people, the last the most): ~13 s, against ~34 s for all
        13, which CI would pay in both halves; bench/suppression.py audits every month at scale 1 and 10. Last in
        the class: it reads the statements into the LMS (xAPI sync, no recompute) as `make setup` does."""
        sync(current_reader(), recompute=False)
        span = data_range()
        assert span is not None
        periods = months_between(*span)
        inputs = load_inputs(periods[0], periods[-1])
        report, cache = AuditReport(), {}
        for period in sorted(set(periods[::3]) | {periods[-1]}):
            report.add(audit_month(month_cells(period, inputs, cache), inputs.structure))
        assert report.sensitive > 500  # the region has many small cells to protect (~1,150 in these 5 months)
        assert report.recoverable == []


def test_seed_command_creates_the_region_once(runner) -> None:
    first = runner.invoke(args=["demo", "seed", "--scale", "0.02"])
    second = runner.invoke(args=["demo", "seed", "--scale", "0.02"])
    assert first.exit_code == 0, first.output
    assert "Demo region created." in first.output
    assert "Demo region already present; nothing changed." in second.output


def test_seed_command_refuses_a_scale_of_zero(runner) -> None:
    result = runner.invoke(args=["demo", "seed", "--scale", "0"])
    assert result.exit_code == 2
    assert "--scale" in result.output


def test_same_seed_and_day_give_the_same_region(ctx: Flask) -> None:
    def snapshot() -> list[Any]:
        columns = (Enrolment.patient_pid, Enrolment.offered_at, Enrolment.enrolled_at, Enrolment.disenrol_reason)
        enrolments = db.session.execute(select(*columns).order_by(Enrolment.patient_pid)).all()
        staff = db.session.scalars(select(StaffMember.pid).order_by(StaffMember.pid)).all()
        days = db.session.scalar(select(func.count()).select_from(DailyMeasurement))
        return [enrolments, staff, days, _counts()]

    seed_demo(0.03, seed=7, today=TODAY)
    first = snapshot()
    db.session.remove()
    empty_all_tables(ctx.config["SQLALCHEMY_DATABASE_URI"])
    seed_demo(0.03, seed=7, today=TODAY)
    assert snapshot() == first


def test_an_interrupted_seed_is_refused(ctx: Flask) -> None:
    marker = MARKER_ENVIRONMENT + SEEDING_SUFFIX
    db.session.add(Environment(name=marker, condition=Condition.HF, phase=Phase.DESIGN, start=TODAY))
    db.session.commit()
    with pytest.raises(DemoError, match="stopped halfway"):
        seed_demo(0.02, today=TODAY)


def test_a_database_of_the_first_demo_gains_the_region(ctx: Flask) -> None:
    hospital = Organisation(name=HOSPITAL, kind="hospital")
    heart = Team(organisation=hospital, name="Hartfalenpoli", kind="outpatient_clinic")
    nurse = create_user("nurse@example.org", DEMO_PASSWORD, Role.PROFESSIONAL, organisation=hospital, team=heart)
    db.session.add_all([hospital, heart])
    db.session.commit()
    assert seed_demo(0.02, today=TODAY)
    member = db.session.scalar(select(StaffMember).where(StaffMember.user_id == nurse.id))
    assert member is not None
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 6


def test_seeding_without_the_modules_changes_nothing(ctx: Flask, tmp_path) -> None:
    ctx.config["CONTENT_DIR"] = str(tmp_path)
    with pytest.raises(DemoError, match="rpm-meting-tot-melding"):
        seed_demo(0.02, today=TODAY)
    assert db.session.scalar(select(func.count()).select_from(Environment)) == 0


@pytest.mark.parametrize(
    ("created", "minutes", "answered"),
    [
        (local_moment(date(2026, 3, 2), 10), 30, local_moment(date(2026, 3, 2), 10, 30)),  # Monday, open
        (local_moment(date(2026, 3, 2), 6, 30), 60, local_moment(date(2026, 3, 2), 10)),  # before opening
        (local_moment(date(2026, 3, 6), 16, 30), 60, local_moment(date(2026, 3, 9), 9, 30)),  # Friday → Monday
        (local_moment(date(2026, 3, 7), 12), 480, local_moment(date(2026, 3, 9), 17)),  # Saturday, a full day
    ],
)
def test_business_minutes_count_only_open_hours(created: datetime, minutes: int, answered: datetime) -> None:
    assert add_business_minutes(created, minutes, WEEKDAYS_9_TO_17) == answered
    assert answered.tzinfo is UTC


@pytest.mark.parametrize(("total", "weights"), [(356, [6, 2, 3, 16, 30]), (7, [1, 1, 1]), (0, [5, 5])])
def test_apportion_splits_exactly(total: int, weights: list[int]) -> None:
    counts = apportion(total, weights)
    assert sum(counts) == total
    assert all(abs(c - total * w / sum(weights)) < 1 for c, w in zip(counts, weights, strict=True))
