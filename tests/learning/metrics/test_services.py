"""Recomputation: idempotent upserts, roll-up = Σ children, versions, incremental runs and the CLI."""

from __future__ import annotations

from datetime import date, timedelta

from metrics_helpers import APRIL, MARCH, World, at, cell, numbers
from sqlalchemy import delete, func, select, update

from learning.db import db
from learning.metrics.changes import changed_months
from learning.metrics.definitions import DEFINITIONS
from learning.metrics.models import MetricDefinition, MetricValue, TrainingEvent, TrainingProgress
from learning.metrics.periods import Period
from learning.metrics.services import recompute_all, recompute_incremental
from learning.metrics.visible import visible_values


def small_region(world: World) -> dict[str, int]:
    """Two teams of one organisation in one programme, with staff statements, patients and alerts in March."""
    org = world.org()
    ward, clinic = world.team(org), world.team(org)
    programme = world.programme(world.environment(), org, teams=(ward, clinic))
    world.curriculum(programme, "nurse", ["m1"])
    for team, trained in ((ward, 3), (clinic, 1)):
        for i in range(4):
            member = world.staff(org, team)
            if i < trained:
                world.event(member.actor, "completed", "m1", at(date(2025, 3, 2 + i)))
    for team, size in ((ward, 6), (clinic, 4)):
        for i in range(size):
            pid = world.enrol(programme, team, offered_at=date(2025, 3, 1), enrolled_at=date(2025, 3, 2))
            world.daily(programme, pid, date(2025, 3, 3), True, {"weight": i % 2})
            world.alert(programme, team, at(date(2025, 3, 4)), first_action_at=at(date(2025, 3, 4), 12, 10 * i))
    return {"org": org, "ward": ward, "clinic": clinic, "programme": programme}


def snapshot() -> list[tuple[object, ...]]:
    rows = db.session.scalars(select(MetricValue).order_by(MetricValue.id))
    return [(r.id, r.metric_code, r.scope_type, r.scope_id, r.period_start, r.numerator, r.denominator, r.value,
             r.suppressed) for r in rows]  # fmt: skip


def test_recomputing_twice_gives_the_same_rows(world):
    small_region(world)

    first = recompute_all()
    before = snapshot()
    second = recompute_all()

    assert before == snapshot()
    assert first.values == second.values == len(before)
    # 26 metrics x (2 teams, 1 organisation, 1 programme, 1 environment, region), less team cells of 2 metrics
    assert len(before) == 26 * 6 - 2 * 2


def test_parents_are_the_sum_of_their_teams(world):
    ids = small_region(world)
    recompute_all([Period(MARCH)])

    for spec in DEFINITIONS:
        if spec.statistic != "ratio" or not spec.team_scope:
            continue
        ward, clinic = cell(spec.code, "team", ids["ward"]), cell(spec.code, "team", ids["clinic"])
        for scope_type, scope_id in (("organisation", ids["org"]), ("programme", ids["programme"]), ("region", 0)):
            parent = cell(spec.code, scope_type, scope_id)
            assert parent.numerator == ward.numerator + clinic.numerator, spec.code
            assert parent.denominator == ward.denominator + clinic.denominator, spec.code
    # hand check: 3 + 1 trained of 4 + 4 staff
    assert numbers("TRN_COVERAGE", "organisation", ids["org"]) == (4, 8, 0.5)


def test_a_short_run_reads_through_the_indexes_and_gives_what_a_long_run_gives(world):
    ids = small_region(world)
    late = world.staff(ids["org"], ids["ward"])
    world.event(late.actor, "launched", "m1", at(date(2025, 1, 20)))  # history before the short run's month
    world.event(late.actor, "completed", "m1", at(date(2025, 2, 3)))
    world.curriculum(ids["programme"], "patient", ["p1"])
    cohort = world.enrol(ids["programme"], ids["ward"], enrolled_at=date(2025, 3, 10))
    earlier = world.enrol(ids["programme"], ids["ward"], enrolled_at=date(2025, 1, 10))
    patient, other = world.link(ids["programme"], cohort), world.link(ids["programme"], earlier)
    world.event(patient, "completed", "p1", at(date(2025, 3, 1)))  # before enrolment, still counts
    world.event(other, "answered", "p1", at(date(2025, 1, 11)), item_id="confidence-a", response="2")
    world.event(other, "answered", "p1", at(date(2025, 3, 11)), item_id="confidence-a", response="5")

    recompute_all([Period(MARCH)])  # one month: statements read through the indexes
    short = [row for row in snapshot() if row[4] == MARCH]
    recompute_all([Period(date(2025, 1, 1)), Period(date(2025, 2, 1)), Period(MARCH)])  # one pass over the table

    assert [row for row in snapshot() if row[4] == MARCH] == short
    assert numbers("TRN_COVERAGE", "team", ids["ward"]) == (4, 5, 0.8)
    # March cohort: the region's 6 unlinked ward patients and the linked one who did the module -> 1/7
    assert numbers("ONBOARD_FIDELITY", "team", ids["ward"]) == (1, 7, 1 / 7)
    assert numbers("PT_CONFIDENCE", "team", ids["ward"]) == (1, 1, 1.0)


def test_values_are_stored_with_the_current_definition_version_and_old_versions_stay(world):
    small_region(world)
    recompute_all([Period(MARCH)])
    db.session.execute(
        update(MetricDefinition).where(MetricDefinition.code == "TRN_REACH").values(name_en="an older name")
    )

    recompute_all([Period(MARCH)])

    versions = db.session.execute(
        select(MetricValue.definition_version, func.count())
        .where(MetricValue.metric_code == "TRN_REACH")
        .group_by(MetricValue.definition_version)
    ).all()
    assert sorted(versions) == [(1, 6), (2, 6)]
    assert {v.definition_version for v in visible_values(metric_codes=["TRN_REACH"])} == {2}


def test_a_month_without_data_any_more_is_pruned_by_a_full_run(world):
    ids = small_region(world)
    late = world.staff(world.org(), None)
    world.event(late.actor, "launched", "m1", at(date(2025, 4, 3)))
    recompute_all()
    assert cell("TRN_REACH", "team", ids["ward"], APRIL) is not None

    db.session.execute(delete(TrainingEvent).where(TrainingEvent.timestamp >= at(APRIL, 0)))
    recompute_all()

    assert cell("TRN_REACH", "team", ids["ward"], APRIL) is None
    assert cell("TRN_REACH", "team", ids["ward"]) is not None


def test_incremental_run_recomputes_the_months_the_caller_names_and_later_ones(world):
    ids = small_region(world)
    recompute_all()
    kept = db.session.scalar(select(MetricValue.id).where(MetricValue.metric_code == "TRN_COVERAGE"))
    newcomer = world.staff(ids["org"], ids["clinic"])
    world.event(newcomer.actor, "completed", "m1", at(date(2025, 3, 20)))  # arrives late, dated in March

    report = recompute_incremental([(ids["clinic"], Period(MARCH))])

    assert report.periods == (Period(MARCH),)
    # clinic: 1 + 1 trained of 4 + 1 staff
    assert numbers("TRN_COVERAGE", "team", ids["clinic"]) == (2, 5, 0.4)
    assert db.session.get(MetricValue, kept) is not None  # updated in place, not replaced


def test_incremental_run_finds_statements_timestamped_since_the_last_run(world):
    ids = small_region(world)
    recompute_all()
    last_run = db.session.scalar(select(func.max(MetricValue.computed_at)))
    newcomer = world.staff(ids["org"], ids["clinic"])
    world.event(newcomer.actor, "completed", "m1", last_run + timedelta(seconds=1))
    now = Period.of(last_run.date())

    assert changed_months() == {now}
    report = recompute_incremental()

    assert report.periods == (now,)
    assert numbers("TRN_COVERAGE", "team", ids["clinic"], now.start) == (2, 5, 0.4)
    assert numbers("TRN_COVERAGE", "team", ids["clinic"]) == (1, 4, 0.25)  # March was left alone


def test_yesterdays_daily_rows_arriving_after_the_run_are_found(world):
    ids = small_region(world)
    recompute_all()
    last_run = db.session.scalar(select(func.max(MetricValue.computed_at)))
    yesterday = last_run.date() - timedelta(days=1)
    pid = world.enrol(ids["programme"], ids["ward"], enrolled_at=date(2025, 3, 2))
    world.daily(ids["programme"], pid, yesterday, True, {"weight": 1})

    assert Period.of(yesterday) in changed_months()


def test_incremental_run_without_changes_does_nothing(world):
    small_region(world)
    recompute_all()

    report = recompute_incremental()

    assert report.values == 0
    assert report.periods == ()


def test_cli_recomputes_fully_and_since_a_month(app, runner):
    with app.app_context():
        small_region(World())
        db.session.commit()

    full = runner.invoke(args=["metrics", "recompute", "--full"])
    since = runner.invoke(args=["metrics", "recompute", "--since", "2025-03"])
    wrong = runner.invoke(args=["metrics", "recompute", "--since", "March"])
    nothing = runner.invoke(args=["metrics", "recompute"])

    assert full.exit_code == 0, full.output
    assert "Recomputed 152 values for 2025-03 … 2025-03" in full.output
    assert "Recomputed 152 values for 2025-03 … 2025-03" in since.output
    assert wrong.exit_code == 2
    assert "use YYYY-MM" in wrong.output
    assert "Nothing to recompute." in nothing.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MetricValue)) == 152


def test_cli_rebuilds_the_summaries_and_refuses_two_modes(app, runner):
    with app.app_context():
        ids = small_region(World())
        db.session.execute(delete(TrainingProgress))
        db.session.commit()

    rebuilt = runner.invoke(args=["metrics", "rebuild"])
    both = runner.invoke(args=["metrics", "recompute", "--full", "--pending"])

    assert rebuilt.exit_code == 0, rebuilt.output
    # 4 trained of 8 staff with statements; 10 patients with one daily row each in March
    assert "Rebuilt 4 learner x module and 10 patient-month summaries." in rebuilt.output
    assert both.exit_code == 2
    assert "use one of --full, --since and --pending" in both.output
    with app.app_context():
        recompute_all([Period(MARCH)])
        assert numbers("TRN_COVERAGE", "team", ids["ward"]) == (3, 4, 0.75)
