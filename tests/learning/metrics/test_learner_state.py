"""Per learner x module summaries: kept by the sync's writes, exact after voiding, same facts as the statements."""

from __future__ import annotations

from datetime import date

from metrics_helpers import MARCH, World, at, numbers
from sqlalchemy import delete, func, select

from learning.db import db
from learning.metrics.learner_state import ensure_learners, rebuild_learners
from learning.metrics.models import TrainingFirstAnswer, TrainingProgress
from learning.metrics.periods import Period
from learning.metrics.services import recompute_all
from learning.tracking.sync_training import mark_voided


def progress(actor: str, module: str) -> TrainingProgress | None:
    return db.session.get(TrainingProgress, (actor, module))


def summaries() -> list[tuple[object, ...]]:
    p, a = TrainingProgress, TrainingFirstAnswer
    rows = db.session.execute(select(p).order_by(p.actor_pid, p.module_slug)).scalars()
    answers = db.session.execute(select(a).order_by(a.actor_pid, a.module_slug, a.item_id)).scalars()
    return [
        *((r.actor_pid, r.module_slug, r.first_launched_at, r.first_done_at, r.first_completed_at, r.first_judged_at,
           r.first_judged_passed_at, r.completion_seconds) for r in rows),
        *((r.actor_pid, r.module_slug, r.item_id, r.answered_at, r.value) for r in answers),
    ]  # fmt: skip


def test_a_learners_summary_follows_each_new_statement(world: World):
    nurse = world.staff(world.org(), None)
    world.event(nurse.actor, "launched", "m1", at(date(2025, 2, 1)))
    world.event(nurse.actor, "terminated", "m1", at(date(2025, 2, 1)), duration_seconds=600)
    world.event(nurse.actor, "failed", "m1", at(date(2025, 2, 1)), registration="r1")
    world.event(nurse.actor, "terminated", "m1", at(date(2025, 3, 9)), duration_seconds=300)
    world.event(nurse.actor, "completed", "m1", at(date(2025, 3, 10)))
    world.event(nurse.actor, "passed", "m1", at(date(2025, 3, 10)), registration="r1")
    world.event(nurse.actor, "terminated", "m1", at(date(2025, 4, 2)), duration_seconds=120)  # after the month

    row = progress(nurse.actor, "m1")

    assert row is not None
    assert (row.first_launched_at, row.first_done_at, row.first_completed_at) == (
        at(date(2025, 2, 1)), at(date(2025, 3, 10)), at(date(2025, 3, 10))
    )  # fmt: skip
    # the first judged registration r1 began with a fail in February and was passed in March
    assert (row.first_judged_at, row.first_judged_passed_at) == (at(date(2025, 2, 1)), at(date(2025, 3, 10)))
    assert row.completion_seconds == 900  # February and March, not April


def test_voiding_a_statement_refreshes_the_summary(world: World):
    nurse = world.staff(world.org(), None)
    first = world.event(nurse.actor, "completed", "m1", at(date(2025, 3, 2)))
    world.event(nurse.actor, "completed", "m1", at(date(2025, 3, 20)))

    assert mark_voided([first]) == 1

    row = progress(nurse.actor, "m1")
    assert row is not None
    assert row.first_completed_at == at(date(2025, 3, 20))


def test_first_answers_are_kept_per_item_and_the_earliest_wins(world: World):
    nurse = world.staff(world.org(), None)
    world.event(nurse.actor, "answered", "m1", at(date(2025, 3, 5)), item_id="confidence-a", response="4")
    world.event(nurse.actor, "answered", "m1", at(date(2025, 3, 1)), item_id="confidence-a", response="2")
    world.event(nurse.actor, "answered", "m1", at(date(2025, 3, 1)), item_id="q1", response="yes")  # no survey item

    answers = db.session.scalars(select(TrainingFirstAnswer)).all()

    assert [(a.item_id, a.answered_at, a.value) for a in answers] == [("confidence-a", at(date(2025, 3, 1)), 2)]


def test_a_rebuild_gives_the_summaries_the_writes_kept(world: World):
    nurse, other = world.staff(world.org(), None), world.staff(world.org(), None)
    world.event(nurse.actor, "launched", None, at(date(2025, 3, 1)))  # a statement without a module
    world.event(nurse.actor, "passed", "m1", at(date(2025, 3, 2)))  # no registration: its own
    world.event(other.actor, "answered", "m2", at(date(2025, 3, 3)), item_id="pre-confidence-a", response="3")
    world.event(other.actor, "terminated", "m2", at(date(2025, 3, 3)), duration_seconds=60, voided=True)
    kept = summaries()

    assert rebuild_learners() == 3

    assert summaries() == kept


def test_empty_summaries_are_built_before_a_short_run_needs_them(world: World):
    org = world.org()
    team = world.team(org)
    world.curriculum(world.programme(world.environment(), org, teams=(team,)), "nurse", ["m1"])
    nurse = world.staff(org, team)
    world.event(nurse.actor, "completed", "m1", at(date(2025, 3, 2)))
    for table in (TrainingFirstAnswer, TrainingProgress):  # as after migrating a database from before 0003
        db.session.execute(delete(table))

    ensure_learners()

    assert db.session.scalar(select(func.count()).select_from(TrainingProgress)) == 1
    recompute_all([Period(MARCH)])
    assert numbers("TRN_COVERAGE", "team", team) == (1, 1, 1.0)


def test_a_short_run_takes_mod_time_and_first_pass_from_the_summaries_as_a_long_run_does(world: World):
    org = world.org()
    team = world.team(org)
    world.curriculum(world.programme(world.environment(), org, teams=(team,)), "nurse", ["m1"])
    nurse, failed = world.staff(org, team), world.staff(org, team)
    for day, seconds in ((date(2025, 1, 20), 600), (date(2025, 3, 9), 300), (date(2025, 4, 2), 120)):
        world.event(nurse.actor, "terminated", "m1", at(day), duration_seconds=seconds)
    world.event(nurse.actor, "completed", "m1", at(date(2025, 3, 10)))
    world.event(nurse.actor, "failed", "m1", at(date(2025, 3, 10)), registration="r1")
    world.event(nurse.actor, "passed", "m1", at(date(2025, 4, 1)), registration="r1")  # same registration, later
    world.event(failed.actor, "failed", "m1", at(date(2025, 3, 11)), registration="r2")
    world.event(failed.actor, "passed", "m1", at(date(2025, 3, 12)), registration="r3")

    recompute_all([Period(MARCH)])  # short: history from the summaries
    short = [numbers(code, "team", team) for code in ("MOD_TIME", "MOD_PASS_FIRST")]
    recompute_all([Period(date(2025, 1, 1)), Period(date(2025, 2, 1)), Period(MARCH)])  # one pass over the table

    assert [numbers(code, "team", team) for code in ("MOD_TIME", "MOD_PASS_FIRST")] == short
    # MOD_TIME: (600 + 300) s = 15 min, one completer; first registrations r1 (passed only in April) and r2 failed
    assert short == [(None, 1, 15.0), (0, 2, 0.0)]
    recompute_all([Period(date(2025, 4, 1))])
    assert numbers("MOD_PASS_FIRST", "team", team, date(2025, 4, 1)) == (0, 0, None)  # counted in its first month
