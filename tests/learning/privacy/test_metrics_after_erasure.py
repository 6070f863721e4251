"""After an erasure the figures no longer count the person: the months they counted in are recomputed at once."""

from __future__ import annotations

from datetime import date

from flask import Flask
from metrics_helpers import MARCH, World, at, numbers

from learning.accounts.models import User
from learning.db import db
from learning.metrics.periods import Period
from learning.metrics.services import recompute_all
from learning.privacy.erasure import Eraser, erase_person


def test_module_completion_is_recomputed_without_the_erased_learner(ctx: Flask):
    world = World()
    org = world.org()
    team = world.team(org)
    programme = world.programme(world.environment(), org, teams=(team,))
    world.curriculum(programme, "nurse", ["m1"])
    a, b = world.staff(org, team), world.staff(org, team)
    for learner in (a, b):
        world.event(learner.actor, "initialized", "m1", at(date(2025, 3, 2)))
    world.event(a.actor, "completed", "m1", at(date(2025, 3, 3)))
    db.session.commit()
    recompute_all([Period(MARCH)])
    assert numbers("MOD_COMPLETION", "team", team)[:2] == (1, 2)

    with ctx.test_request_context("/privacy/erasure"):
        erase_person(db.session.scalar(db.select(User).where(User.xapi_pid == a.actor)), Eraser("cli:test", "cli", "t"))

    assert numbers("MOD_COMPLETION", "team", team)[:2] == (0, 1)  # a's completion and start are gone from March
