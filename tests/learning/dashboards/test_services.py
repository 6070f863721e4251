"""What the dashboards compute from stored values: from real training records through the real recomputation,
and the Kirkpatrick L4 comparison from shown cells only."""

from __future__ import annotations

from datetime import date

from dashboard_helpers import OCTOBER, SEPTEMBER, Region, store
from flask import Flask
from metrics_helpers import World, at

from learning.dashboards.frameworks import results_association
from learning.dashboards.services import environment_dashboard
from learning.dashboards.values import ValueIndex, available_months, choose_month
from learning.db import db
from learning.environments.models import Environment
from learning.metrics.periods import Period
from learning.metrics.services import recompute_all


def test_coverage_computed_from_training_records_reaches_the_dashboard(app: Flask, region: Region) -> None:
    with app.test_request_context():
        world = World()
        world.curriculum(region.programme, "hf_nurse", ["module-a"])
        staff = [world.staff(region.hospital, region.ward, role="hf_nurse") for _ in range(6)]
        for person in staff[:5]:
            world.event(person.actor, "completed", "module-a", at(date(2026, 10, 3)))
        db.session.commit()
        recompute_all([Period(OCTOBER)])
        months = available_months()
        environment = db.session.get(Environment, region.environment)
        assert environment is not None
        dashboard = environment_dashboard(environment, months[-1], months, "en")
    coverage = next(row for row in dashboard.summary if row.spec.code == "TRN_COVERAGE")
    assert (coverage.current.value, coverage.denominator) == (5 / 6, 6)
    ward = [t.id for t in dashboard.teams].index(region.ward)
    assert dashboard.readiness.series[0].points[ward].value == 5 / 6


def test_l4_uses_medians_of_shown_team_months_split_at_80_percent(app: Flask, region: Region) -> None:
    with app.app_context():
        for month, coverage, adherence in ((SEPTEMBER, 0.6, 0.7), (OCTOBER, 0.9, 0.85)):
            store("TRN_COVERAGE", "team", region.ward, month, coverage * 10, 10, coverage)
            store("PT_ADHERENCE", "team", region.ward, month, adherence * 100, 100, adherence)
        store("TRN_COVERAGE", "team", region.district, OCTOBER, 9, 10, 0.9)
        store("PT_ADHERENCE", "team", region.district, OCTOBER, 3, 9, 1 / 3, suppressed=True)
        db.session.commit()
        months = [Period(SEPTEMBER), Period(OCTOBER)]
        index = ValueIndex.load("team", [region.ward, region.district], months)
        rows = {row.spec.code: row for row in results_association(index, [region.ward, region.district], months, "en")}
    adherence = rows["PT_ADHERENCE"]
    assert (adherence.covered.value, adherence.covered_n) == (0.85, 1)  # the district's hidden month is left out
    assert (adherence.uncovered.value, adherence.uncovered_n) == (0.7, 1)
    assert rows["ALERT_SLA"].covered.status == "empty"


def test_month_choice_defaults_to_the_newest_ended_month() -> None:
    months = [Period(SEPTEMBER), Period(OCTOBER), Period(date(2026, 11, 1))]
    assert choose_month(months, None, date(2026, 11, 24)) == Period(OCTOBER)
    assert choose_month(months, "2026-11", date(2026, 11, 24)) == Period(date(2026, 11, 1))
    assert choose_month(months, "1999-01", date(2026, 11, 24)) == Period(OCTOBER)
    assert choose_month(months, "<script>", date(2026, 11, 24)) == Period(OCTOBER)
    assert choose_month([], None, date(2026, 11, 24)) is None
