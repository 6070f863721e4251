"""RPM programmes: a manager adds, edits and ends X's programmes with X's teams only; bad input is refused with its
reason and nothing is stored; the demo's defaults fill in schedule, alert norms and hours."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from admin_helpers import Region, actor
from sqlalchemy import func, select

from learning.accounts.models import Team
from learning.admin.environments import EnvironmentData, add_environment, edit_environment
from learning.admin.programmes import (
    ProgrammeData,
    add_programme,
    edit_programme,
    end_programme,
    local_today,
    programmes_of,
)
from learning.admin.scope import AdminError, OutOfScope
from learning.audit.models import AccessLogEntry
from learning.db import db
from learning.environments.models import Programme, ProgrammeTeam


@pytest.fixture
def env(region: Region) -> int:
    return add_environment(
        actor(region.admin), EnvironmentData("Hartfalen Twente", "HF", "design", date(2026, 1, 1))
    ).id


def data(env: int, team: int, **changes: object) -> ProgrammeData:
    fields: dict[str, object] = {"environment_id": env, "name": "Thuismeten hartfalen", "condition": "HF",
                                 "platform_name": "Thuismonitor", "start": date(2026, 2, 1),
                                 "team_ids": (team,)}  # fmt: skip
    return ProgrammeData(**{**fields, **changes})  # type: ignore[arg-type]


def stored() -> tuple[int, int]:
    """(programmes, programme-team rows): a refusal must leave both as they were."""
    return (db.session.scalar(select(func.count(Programme.id))) or 0,
            db.session.scalar(select(func.count()).select_from(ProgrammeTeam)) or 0)  # fmt: skip


def logged(action: str) -> list[str]:
    return list(db.session.scalars(select(AccessLogEntry.subject).where(AccessLogEntry.action == action)))


def test_a_manager_adds_a_programme_with_the_demo_defaults_and_it_is_logged(region: Region, env: int) -> None:
    centre = Team(organisation_id=region.org_x, name="Monitoringcentrum", kind="monitoring_centre")
    db.session.add(centre)
    db.session.commit()
    made = add_programme(actor(region.manager_x), region.org_x,
                         data(env, region.team_x, condition="", monitoring_centre_team_id=centre.id))  # fmt: skip
    assert (made.condition.value, made.status, made.adherence_threshold) == ("HF", "active", 0.8)
    assert made.measurement_schedule == {"weight": "daily", "bp": "daily"}
    assert made.alert_sla_minutes == {"red": 60, "orange": 240, "yellow": 1440}
    assert made.business_hours == {"start": "08:00", "end": "17:00", "days": [0, 1, 2, 3, 4]}
    assert sorted(t.id for t in made.teams) == sorted([region.team_x, centre.id])  # the centre takes part too
    assert logged("admin.programme.create") == [f"programme:{made.id}"]
    assert [p.id for p in programmes_of(actor(region.manager_x), region.org_x)] == [made.id]


def test_a_manager_of_x_cannot_add_to_y_nor_use_y_s_team(region: Region, env: int) -> None:
    with pytest.raises(OutOfScope):
        add_programme(actor(region.manager_x), region.org_y, data(env, region.team_y))
    with pytest.raises(AdminError) as refused:
        add_programme(actor(region.manager_x), region.org_x, data(env, region.team_y))
    assert refused.value.reason == "programme-team-unknown"
    with pytest.raises(AdminError) as refused:
        add_programme(
            actor(region.manager_x), region.org_x, data(env, region.team_x, monitoring_centre_team_id=region.team_y)
        )
    assert refused.value.reason == "monitoring-team-unknown"
    assert stored() == (0, 0)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"environment_id": 999_999}, "programme-environment-unknown"),
        ({"environment_id": None}, "programme-environment-unknown"),
        ({"name": "  "}, "programme-name-required"),
        ({"condition": "XX"}, "programme-condition-unknown"),
        ({"condition": "T2DM"}, "programme-condition-mismatch"),
        ({"platform_name": ""}, "platform-required"),
        ({"start": None}, "programme-start-missing"),
        ({"adherence_threshold": 0.0}, "adherence-out-of-range"),
        ({"adherence_threshold": 1.5}, "adherence-out-of-range"),
        ({"team_ids": ()}, "programme-teams-missing"),
        ({"team_ids": (999_999,)}, "programme-team-unknown"),
    ],
)
def test_bad_input_is_refused_with_its_reason_and_nothing_stored(
    region: Region, env: int, changes: dict[str, object], reason: str
) -> None:
    with pytest.raises(AdminError) as refused:
        add_programme(actor(region.manager_x), region.org_x, data(env, region.team_x, **changes))
    assert refused.value.reason == reason
    assert stored() == (0, 0)
    assert logged("admin.programme.create") == []


def test_a_name_is_unique_within_the_organisation_only(region: Region, env: int) -> None:
    add_programme(actor(region.manager_x), region.org_x, data(env, region.team_x))
    with pytest.raises(AdminError) as refused:
        add_programme(actor(region.manager_x), region.org_x, data(env, region.team_x, name="THUISMETEN  hartfalen"))
    assert refused.value.reason == "programme-name-taken"
    assert stored() == (1, 1)
    add_programme(actor(region.manager_y), region.org_y, data(env, region.team_y))  # Y may use the same name
    assert stored() == (2, 2)


def test_an_edit_changes_the_teams_and_a_refused_edit_changes_nothing(region: Region, env: int) -> None:
    made = add_programme(actor(region.manager_x), region.org_x, data(env, region.team_x))
    second = Team(organisation_id=region.org_x, name="Wijkteam X", kind="district_team")
    db.session.add(second)
    db.session.commit()
    edited = edit_programme(actor(region.manager_x), region.org_x, made.id,
                            data(env, second.id, name="Hartfalen thuis", adherence_threshold=0.7,
                                 around_the_clock=True))  # fmt: skip
    assert (edited.name, edited.adherence_threshold, [t.id for t in edited.teams]) == (
        "Hartfalen thuis",
        0.7,
        [second.id],
    )
    assert edited.business_hours["days"] == [0, 1, 2, 3, 4, 5, 6]  # type: ignore[index]
    with pytest.raises(AdminError):
        edit_programme(actor(region.manager_x), region.org_x, made.id, data(env, region.team_y, name="Anders"))
    with pytest.raises(OutOfScope):
        edit_programme(actor(region.manager_y), region.org_y, made.id, data(env, region.team_y))
    db.session.expire_all()
    kept = db.session.get(Programme, made.id)
    assert kept is not None
    assert (kept.name, [t.id for t in kept.teams]) == ("Hartfalen thuis", [second.id])
    assert logged("admin.programme.update") == [f"programme:{made.id}"]


def test_ending_keeps_the_programme_and_refuses_a_day_before_the_start(region: Region, env: int) -> None:
    made = add_programme(actor(region.manager_x), region.org_x, data(env, region.team_x))
    for day, reason in ((date(2026, 1, 31), "programme-end-before-start"), (None, "programme-end-missing"),
                        (local_today() + timedelta(days=1), "programme-end-in-future")):  # fmt: skip
        with pytest.raises(AdminError) as refused:
            end_programme(actor(region.manager_x), region.org_x, made.id, day)
        assert refused.value.reason == reason
    with pytest.raises(OutOfScope):
        end_programme(actor(region.manager_y), region.org_x, made.id, date(2026, 3, 1))
    db.session.expire_all()
    assert db.session.get(Programme, made.id).status == "active"  # type: ignore[union-attr]
    ended = end_programme(actor(region.manager_x), region.org_x, made.id, date(2026, 3, 1))
    assert (ended.status, ended.end, [t.id for t in ended.teams]) == ("ended", date(2026, 3, 1), [region.team_x])
    with pytest.raises(AdminError) as refused:
        end_programme(actor(region.manager_x), region.org_x, made.id, date(2026, 3, 2))
    assert refused.value.reason == "programme-ended-already"
    assert logged("admin.programme.end") == [f"programme:{made.id}"]


def test_an_environment_keeps_the_condition_its_programmes_have(region: Region, env: int) -> None:
    add_programme(actor(region.manager_x), region.org_x, data(env, region.team_x))
    with pytest.raises(AdminError) as refused:
        edit_environment(
            actor(region.admin), env, EnvironmentData("Hartfalen Twente", "COPD", "design", date(2026, 1, 1))
        )
    assert refused.value.reason == "environment_condition_in_use"
