"""Which of a line manager's own staff still have training to do, and that nobody else sees their names."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from dashboard_helpers import Region
from flask import Flask
from flask.testing import FlaskClient
from helpers import csrf_token
from metrics_helpers import World, at

from learning.accounts.models import User
from learning.dashboards.services import today
from learning.dashboards.staff import first_due, own_required_training, staff_to_complete
from learning.db import db
from learning.environments.models import Curriculum, Programme, StaffMember, StaffMembership

TODAY = date(2026, 11, 24)


def _report(world: World, region: Region, manager_id: int, name: str, start: date, role: str = "hf_nurse") -> Any:
    staff = world.staff(region.hospital, region.ward, role=role, start=start)
    member = db.session.get(StaffMember, staff.id)
    assert member is not None
    assert member.user is not None
    member.line_manager_user_id = manager_id
    member.user.display_name = name
    return staff


def _setup(app: Flask, region: Region, manager_id: int) -> None:
    with app.app_context():
        world = World()
        world.curriculum(region.programme, "hf_nurse", ["module-a", "module-b"])
        done = _report(world, region, manager_id, "Anna Klaar", date(2026, 1, 1))
        half = _report(world, region, manager_id, "Bram Half", date(2026, 1, 1))
        _report(world, region, manager_id, "Cor Nieuw", TODAY - timedelta(days=3))
        _report(world, region, manager_id, "Dirk Anders", date(2026, 1, 1), role="secretary")  # no curriculum
        for module in ("module-a", "module-b"):
            world.event(done.actor, "completed", module, at(date(2026, 3, 1)))
        world.event(half.actor, "passed", "module-a", at(date(2026, 3, 1)))
        world.event(half.actor, "completed", "module-b", at(date(2026, 3, 2)), voided=True)
        db.session.commit()


def test_lists_own_reports_with_missing_modules_most_overdue_first(
    app: Flask, region: Region, manager_of: Callable[[int], Any]
) -> None:
    manager = manager_of(region.hospital)
    _setup(app, region, manager.id)
    with app.app_context():
        user = db.session.get(User, manager.id)
        assert user is not None
        rows = staff_to_complete(user, region.environment, TODAY, "en")
    assert [(r.name, r.missing, r.overdue) for r in rows] == [
        ("Bram Half", ("module-b",), True),  # the voided completion does not count
        ("Cor Nieuw", ("module-a", "module-b"), False),  # due 30 days after starting
    ]


def test_a_refresher_makes_old_training_due_again(app: Flask, region: Region, manager_of: Callable[[int], Any]) -> None:
    manager = manager_of(region.hospital)
    _setup(app, region, manager.id)
    with app.app_context():
        curriculum = db.session.query(Curriculum).one()
        curriculum.refresher_months = 6
        db.session.commit()
        user = db.session.get(User, manager.id)
        assert user is not None
        rows = {r.name: r for r in staff_to_complete(user, region.environment, TODAY, "en")}
    anna = rows["Anna Klaar"]  # done on 1 March, more than 6 months ago: a refresher, not missing training
    assert (anna.missing, anna.refresh) == ((), ("module-a", "module-b"))
    assert anna.due == date(2026, 8, 31)  # last done + 6 months, not the start of her membership
    assert anna.overdue


def test_a_refresher_applies_only_to_the_modules_of_its_curriculum(
    app: Flask, region: Region, manager_of: Callable[[int], Any]
) -> None:
    manager = manager_of(region.hospital)
    _setup(app, region, manager.id)
    with app.app_context():
        world = World(counter=itertools.count(100))
        curriculum = db.session.query(Curriculum).one()
        curriculum.module_slugs = ["module-a"]
        other = world.programme(region.environment, region.hospital, (region.ward,))
        world.curriculum(other, "hf_nurse", ["module-b"])
        db.session.query(Curriculum).filter(Curriculum.programme_id == other).one().refresher_months = 6
        db.session.commit()
        user = db.session.get(User, manager.id)
        assert user is not None
        rows = {r.name: r for r in staff_to_complete(user, region.environment, TODAY, "en")}
    assert rows["Anna Klaar"].refresh == ("module-b",)  # module-a has no refresher in its own curriculum


def test_someone_on_their_last_day_is_still_listed(
    app: Flask, region: Region, manager_of: Callable[[int], Any]
) -> None:
    manager = manager_of(region.hospital)
    _setup(app, region, manager.id)
    with app.app_context():
        for membership in db.session.query(StaffMembership):
            membership.end = TODAY
        db.session.commit()
        user = db.session.get(User, manager.id)
        assert user is not None
        names = [r.name for r in staff_to_complete(user, region.environment, TODAY, "en")]
    assert "Bram Half" in names


def test_names_are_shown_only_to_the_line_manager(
    app: Flask, region: Region, manager_of: Callable[[int], Any], login: Callable[[Any], FlaskClient]
) -> None:
    line_manager = manager_of(region.hospital)
    colleague = manager_of(region.hospital)
    _setup(app, region, line_manager.id)
    own = login(line_manager).get(f"/dashboards/environments/{region.environment}").get_data(as_text=True)
    assert "Bram Half" in own
    client = login(line_manager)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/dashboards/")})
    other = login(colleague).get(f"/dashboards/environments/{region.environment}").get_data(as_text=True)
    assert "Bram Half" not in other
    assert "Cor Nieuw" not in other


def test_training_is_due_from_the_programme_start_not_from_joining_years_before(
    app: Flask, region: Region, manager_of: Callable[[int], Any]
) -> None:
    """A nurse who joined in 2018 cannot be overdue since 2018 for a programme that starts in 2026."""
    manager = manager_of(region.hospital)
    programme_start = date(2026, 6, 1)
    with app.app_context():
        world = World()
        world.curriculum(region.programme, "hf_nurse", ["module-a"])
        curriculum = db.session.scalars(db.select(Curriculum)).one()
        curriculum.due_days = 45
        programme = db.session.get(Programme, region.programme)
        assert programme is not None
        programme.start = programme_start
        _report(world, region, manager.id, "Eva Lang", date(2018, 3, 1))
        _report(world, region, manager.id, "Fien Later", date(2026, 9, 1))
        db.session.commit()
        user = db.session.get(User, manager.id)
        assert user is not None
        dues = {r.name: r.due for r in staff_to_complete(user, region.environment, TODAY, "en")}
    assert dues == {
        "Eva Lang": programme_start + timedelta(days=45),  # from the programme's start
        "Fien Later": date(2026, 9, 1) + timedelta(days=45),  # from joining, after the start
    }


def test_the_learner_sees_her_required_modules_with_due_dates_and_what_she_has_done(
    app: Flask, region: Region, login: Callable[[Any], FlaskClient], make_user: Callable[..., Any]
) -> None:
    nurse = make_user()
    with app.app_context():
        world = World()
        world.curriculum(region.programme, "hf_nurse", ["module-a", "module-b"])
        staff = world.staff(region.hospital, region.ward, role="hf_nurse", start=date(2026, 1, 1), account=False)
        member = db.session.get(StaffMember, staff.id)
        account = db.session.get(User, nurse.id)
        assert member is not None
        assert account is not None
        member.user_id = account.id
        world.event(account.xapi_pid, "passed", "module-a", at(date(2026, 2, 1)))
        db.session.commit()
        due = first_due(date(2026, 1, 1), [(date(2024, 1, 1), 30)])
        own = own_required_training(account, today(), "nl")
    assert [(m.slug, m.done) for m in own] == [("module-b", False), ("module-a", True)]
    assert own[0].due == due
    page = login(nurse).get("/").get_data(as_text=True)
    assert "Verplicht voor je werk" in page
    assert "module-b" in page  # the title falls back to the slug when the module is not loaded
    assert f"{due.day} januari {due.year}" in page
