"""After an erasure the figures no longer count the person: the months they counted in are recomputed at once."""

from __future__ import annotations

from flask import Flask
from metrics_helpers import MARCH, World, numbers, two_nurses_one_completed

from learning.accounts.models import User
from learning.db import db
from learning.metrics.periods import Period
from learning.metrics.services import recompute_all
from learning.privacy.erasure import Eraser, erase_person


def test_module_completion_is_recomputed_without_the_erased_learner(ctx: Flask):
    team, a, _b = two_nurses_one_completed(World())
    recompute_all([Period(MARCH)])
    assert numbers("MOD_COMPLETION", "team", team)[:2] == (1, 2)

    with ctx.test_request_context("/privacy/erasure"):
        erase_person(db.session.scalar(db.select(User).where(User.xapi_pid == a.actor)), Eraser("cli:test", "cli", "t"))

    assert numbers("MOD_COMPLETION", "team", team)[:2] == (0, 1)  # a's completion and start are gone from March
