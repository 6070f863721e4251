"""A curriculum set in the app (learning.admin.curricula) is what the training metrics and a line manager's "still to
complete" list read: before it, the programme's staff have nothing required and no coverage; after it, they do."""

from __future__ import annotations

from datetime import date, timedelta

from metrics_helpers import MARCH, World, at, numbers

from learning.accounts.models import Role
from learning.admin.curricula import CurriculumData, set_curriculum
from learning.admin.scope import Actor
from learning.dashboards.staff import staff_to_complete
from learning.db import db
from learning.environments.models import StaffMember
from learning.metrics.periods import Period
from learning.metrics.services import recompute_all, recompute_pending

MODULE = "rpm-meting-tot-melding"


def test_a_curriculum_set_through_the_service_gives_coverage_and_a_due_date(world: World, content: None) -> None:
    org = world.org()
    team = world.team(org)
    environment = world.environment()
    programme = world.programme(environment, org, teams=(team,))
    trained, untrained = world.staff(org, team, role="hf_nurse"), world.staff(org, team, role="hf_nurse")
    manager = world.user(Role.MANAGER)
    member = db.session.get(StaffMember, untrained.id)
    assert member is not None
    member.line_manager_user_id = manager.id
    world.event(trained.actor, "completed", MODULE, at(date(2025, 3, 3)))
    db.session.commit()

    recompute_all([Period(MARCH)])
    assert numbers("TRN_COVERAGE", "team", team) == (0, 0, None)  # no curriculum: nobody is required to learn
    assert staff_to_complete(manager, environment, date(2025, 3, 20), "nl") == []

    set_curriculum(Actor.shell(), org, programme, CurriculumData("hf_nurse", (MODULE,), 45, 12))
    recompute_pending()  # the change queued the programme's months: the next drain picks them up by itself
    assert numbers("TRN_COVERAGE", "team", team) == (1, 2, 0.5)
    assert numbers("TRN_COVERAGE", "programme", programme) == (1, 2, 0.5)
    [row] = staff_to_complete(manager, environment, date(2025, 3, 20), "nl")
    assert row.missing == ("Thuismonitoring: van meting tot melding",)  # by title, in the manager's language
    assert row.due == date(2024, 1, 1) + timedelta(days=45)  # 45 days after joining (the programme's start)
    assert row.overdue
