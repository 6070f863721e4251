"""Implementation environments: only a regional administrator creates them; bad input is refused, nothing stored."""

from __future__ import annotations

from datetime import date

import pytest
from admin_helpers import Region, actor
from sqlalchemy import func, select

from learning.admin.environments import EnvironmentData, add_environment, edit_environment
from learning.admin.scope import AdminError, OutOfScope
from learning.audit.models import AccessLogEntry
from learning.db import db
from learning.environments.models import Environment

GOOD = EnvironmentData("Hartfalen Twente", "HF", "design", date(2026, 1, 1))


def count() -> int:
    return db.session.scalar(select(func.count(Environment.id))) or 0


def test_a_regional_admin_creates_an_environment_and_it_is_logged(region: Region) -> None:
    env = add_environment(actor(region.admin), GOOD)
    assert (env.name, env.condition.value, env.phase.value) == ("Hartfalen Twente", "HF", "design")
    subjects = db.session.scalars(
        select(AccessLogEntry.subject).where(AccessLogEntry.action == "admin.environment.create")
    )
    assert f"environment:{env.id}" in list(subjects)


def test_a_manager_cannot_create_an_environment(region: Region) -> None:
    with pytest.raises(OutOfScope):
        add_environment(actor(region.manager_x), GOOD)
    assert count() == 0


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (EnvironmentData(" ", "HF", "design", date(2026, 1, 1)), "environment_name_missing"),
        (EnvironmentData("A", "XX", "design", date(2026, 1, 1)), "environment_condition_unknown"),
        (EnvironmentData("A", "HF", "nope", date(2026, 1, 1)), "environment_phase_unknown"),
        (EnvironmentData("A", "HF", "design", None), "environment_start_missing"),
        (EnvironmentData("A", "HF", "design", date(2026, 2, 1), date(2026, 1, 1)), "environment_end_before_start"),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(region: Region, data: EnvironmentData, reason: str) -> None:
    with pytest.raises(AdminError) as refused:
        add_environment(actor(region.admin), data)
    assert refused.value.reason == reason
    assert count() == 0


def test_a_taken_name_is_refused(region: Region) -> None:
    add_environment(actor(region.admin), GOOD)
    with pytest.raises(AdminError) as refused:
        add_environment(actor(region.admin), GOOD)
    assert refused.value.reason == "environment_name_taken"
    assert count() == 1


def test_an_edit_keeps_its_own_name_and_a_manager_cannot_edit(region: Region) -> None:
    env = add_environment(actor(region.admin), GOOD)
    edited = edit_environment(actor(region.admin), env.id, EnvironmentData(GOOD.name, "HF", "sustainment", GOOD.start))
    assert edited.phase.value == "sustainment"
    with pytest.raises(OutOfScope):
        edit_environment(actor(region.manager_x), env.id, GOOD)
    db.session.expire_all()
    assert db.session.get(Environment, env.id).phase.value == "sustainment"  # type: ignore[union-attr]
