"""A programme made in the administration (no patients yet) is computed and shown like any other: the metrics run
and leave the other programme's numbers alone, and both dashboards list its environment and team."""

from __future__ import annotations

from datetime import date

from flask import current_app
from metrics_helpers import MARCH, World, at
from sqlalchemy import select

from learning.admin.environments import EnvironmentData, add_environment
from learning.admin.programmes import ProgrammeData, add_programme
from learning.admin.scope import Actor
from learning.dashboards.services import environment_dashboard, region_dashboard
from learning.dashboards.values import available_months
from learning.db import db
from learning.metrics.models import MetricValue
from learning.metrics.periods import Period
from learning.metrics.services import recompute_all


def values_of(scope_type: str, scope_id: int) -> dict[str, tuple[object, ...]]:
    rows = db.session.scalars(
        select(MetricValue).where(MetricValue.scope_type == scope_type, MetricValue.scope_id == scope_id)
    )
    return {f"{r.metric_code} {r.period_start}": (r.numerator, r.denominator, r.value) for r in rows}


def running_programme(world: World) -> int:
    """A programme of another organisation with trained staff, patients and alerts in March."""
    org = world.org()
    ward = world.team(org)
    programme = world.programme(world.environment(), org, teams=(ward,))
    world.curriculum(programme, "nurse", ["m1"])
    for i in range(3):
        member = world.staff(org, ward)
        world.event(member.actor, "completed", "m1", at(date(2025, 3, 2 + i)))
    for i in range(4):
        pid = world.enrol(programme, ward, offered_at=date(2025, 3, 1), enrolled_at=date(2025, 3, 2))
        world.daily(programme, pid, date(2025, 3, 3), True, {"weight": i % 2})
        world.alert(programme, ward, at(date(2025, 3, 4)), first_action_at=at(date(2025, 3, 4), 12, 10 * i))
    return programme


def test_a_programme_without_patients_is_computed_and_shown(world: World) -> None:
    running = running_programme(world)
    recompute_all([Period(MARCH)])
    before = values_of("programme", running)
    assert before
    org = world.org("Longcentrum")
    team = world.team(org, "Longpoli")
    shell = Actor.shell()
    env = add_environment(shell, EnvironmentData("COPD Twente", "COPD", "design", date(2025, 1, 1)))
    made = add_programme(shell, org, ProgrammeData(env.id, "Longen thuis", "", "Luchtig", date(2025, 3, 1), (team,)))

    recompute_all([Period(MARCH)])

    assert values_of("programme", running) == before
    new = values_of("programme", made.id)
    assert len(new) == len(before)  # every metric has its row for the new programme: counted, not skipped
    assert new.pop("TEAM_ADOPT 2025-03-01") == (0.0, 1.0, 0.0)  # its one team takes part and has not adopted yet
    assert all(numerator in (None, 0) and value is None for numerator, _, value in new.values())  # no data: no share
    months = available_months()
    with current_app.test_request_context():
        shown = environment_dashboard(env, Period(MARCH), months, "nl")
        region = region_dashboard(Period(MARCH), months, "nl")
    assert [t.id for t in shown.teams] == [team]
    assert "COPD Twente" in region.comparison.categories
