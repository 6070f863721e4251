"""Staff added through the admin pages' service, with a team and a care role, are what TRN_COVERAGE counts once a
curriculum for that role is set in the app: before migration 0018 and the roster rule, nobody outside the demo was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from metrics_helpers import World, numbers

from learning.accounts.models import Role
from learning.admin import people
from learning.admin.curricula import CurriculumData, set_curriculum
from learning.admin.people import PersonData
from learning.admin.programmes import local_today
from learning.admin.scope import Actor
from learning.dashboards.staff import staff_to_complete
from learning.db import db
from learning.environments.models import Programme
from learning.environments.roles import ensure_care_roles
from learning.metrics.services import recompute_pending

MODULE = "rpm-meting-tot-melding"


def test_people_added_in_the_app_with_a_care_role_are_counted_in_training_coverage(world: World, content: None) -> None:
    org, this_month = world.org(), local_today().replace(day=1)
    team = world.team(org)
    environment = world.environment()
    programme_id = world.programme(environment, org, teams=(team,))
    programme = db.session.get(Programme, programme_id)
    assert programme is not None
    programme.start = this_month  # the programme began this month: one month to recompute
    ensure_care_roles()
    db.session.commit()
    admin = Actor.shell()
    trained, untrained = (
        people.create_person(admin, org, PersonData(f"{who}@example.test", who, Role.PROFESSIONAL, team, "hf_nurse"))
        for who in ("trained", "untrained")
    )
    people.create_person(
        admin, org, PersonData("gp@example.test", "GP", Role.PROFESSIONAL, team, "gp")
    )  # no curriculum
    manager = people.create_person(admin, org, PersonData("lead@example.test", "Lead", Role.MANAGER, team))
    people.set_line_manager(admin, org, untrained.id, manager.id)
    world.event(trained.xapi_pid, "completed", MODULE, datetime.now(UTC) - timedelta(minutes=1))
    db.session.commit()

    set_curriculum(admin, org, programme_id, CurriculumData("hf_nurse", (MODULE,), 45, 12))
    recompute_pending()
    assert numbers("TRN_COVERAGE", "team", team, this_month) == (1, 2, 0.5)
    assert numbers("TRN_COVERAGE", "programme", programme_id, this_month) == (1, 2, 0.5)
    [row] = staff_to_complete(manager, environment, local_today(), "nl")  # the line manager's list reads it too
    assert (row.name, row.role, row.missing) == ("untrained", "Hartfalenverpleegkundige",
                                                 ("Thuismonitoring: van meting tot melding",))  # fmt: skip
