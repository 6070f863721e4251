"""Small cells are judged by the people behind them, not only by counts of events (days, alerts, modules)."""

from __future__ import annotations

from datetime import date, timedelta

from metrics_helpers import MARCH, at, cell

from learning.metrics.definitions import BY_CODE
from learning.metrics.periods import Period
from learning.metrics.services import recompute_all
from learning.metrics.suppression import is_small

SCOPES = ("team", "organisation", "programme", "environment")


def one_measuring_patient(world, programme, team, *, expected=28, met=19):
    """Enrol one patient with `expected` expected days in March of which `met` had the weight; return the pid."""
    pid = world.enrol(programme, team, enrolled_at=date(2025, 2, 1))
    for day in range(expected):
        world.daily(programme, pid, MARCH + timedelta(days=day), True, {"weight": int(day < met)})
    return pid


def test_is_small_counts_people_and_judges_alert_rate_by_people_and_alerts():
    adherence = BY_CODE["PT_ADHERENCE"]
    assert is_small(adherence, 19, 28, people=1)
    assert not is_small(adherence, 19, 28, people=10)
    assert is_small(BY_CODE["MOD_TIME"], None, 5, people=1)
    rate = BY_CODE["ALERT_RATE"]
    assert not is_small(rate, 12, 3.0, people=10)  # 300 patient-days are not 3 people
    assert is_small(rate, 12, 300.0, people=9)
    assert is_small(rate, 9, 300.0, people=10)  # nine alerts
    assert not is_small(BY_CODE["PT_REACH"], 12, 40)  # no people behind an eligible count: the count rule only


def test_one_patient_with_many_days_and_alerts_is_hidden_everywhere(world):
    org, env = world.org(), world.environment()
    team = world.team(org)
    programme = world.programme(env, org, teams=(team,))
    pid = one_measuring_patient(world, programme, team)
    for day in range(12):
        created = at(MARCH + timedelta(days=day), 10)
        world.alert(programme, team, created, patient_pid=pid, first_action_at=created + timedelta(minutes=30),
                    outcome="contact")  # fmt: skip

    recompute_all([Period(MARCH)])

    ids = {"team": team, "organisation": org, "programme": programme, "environment": env}
    for code, expected in (("PT_ADHERENCE", (19, 28)), ("ALERT_SLA", (12, 12)), ("ALERT_SLA_MEDIAN", (None, 12))):
        stored = cell(code, "team", team)
        assert (stored.numerator, stored.denominator) == expected
        for scope_type in SCOPES:
            assert cell(code, scope_type, ids[scope_type]).suppressed, (code, scope_type)
        assert cell(code, "region", 0).suppressed
    for code in ("ALERT_RATE", "ALERT_ACTIONABLE", "ALERT_SLA_P90", "PT_ADHERENCE_SHARE", "PT_ACTIVE"):
        assert cell(code, "team", team).suppressed, code


def test_one_member_of_staff_with_many_modules_is_hidden(world):
    org, env = world.org(), world.environment()
    team = world.team(org)
    programme = world.programme(env, org, teams=(team,))
    world.curriculum(programme, "nurse", ["m1"])
    nurse = world.staff(org, team)
    for i in range(1, 7):
        world.event(nurse.actor, "initialized", f"m{i}", at(date(2025, 3, 2), 9))
        if i <= 5:
            world.event(nurse.actor, "completed", f"m{i}", at(date(2025, 3, 2), 10))

    recompute_all([Period(MARCH)])

    stored = cell("MOD_COMPLETION", "team", team)
    assert (stored.numerator, stored.denominator, stored.suppressed) == (5, 6, True)
    time = cell("MOD_TIME", "team", team)
    assert (time.denominator, time.suppressed) == (5, True)
    assert cell("MOD_COMPLETION", "organisation", org).suppressed
    assert cell("MOD_TIME", "region", 0).suppressed


def test_a_person_in_two_teams_counts_once_above_them(world):
    org, env = world.org(), world.environment()
    first, second = world.team(org), world.team(org)
    programme = world.programme(env, org, teams=(first, second))
    world.curriculum(programme, "nurse", ["m1"])
    for _ in range(3):
        nurse = world.staff(org, first)
        world.membership(nurse.id, second, "nurse", date(2024, 1, 1))
        world.event(nurse.actor, "completed", "m1", at(date(2025, 3, 2)))

    recompute_all([Period(MARCH)])

    stored = cell("TRN_COVERAGE", "organisation", org)
    assert (stored.numerator, stored.denominator) == (6, 6)  # memberships are counted, as before
    assert stored.suppressed  # but they are three people
    assert cell("TRN_COVERAGE", "region", 0).suppressed


def test_a_residual_of_one_patient_without_a_team_is_small_by_its_people(world):
    org, env = world.org(), world.environment()
    team = world.team(org)
    programme = world.programme(env, org, teams=(team,))
    for _ in range(12):
        one_measuring_patient(world, programme, team, expected=2, met=1)
    one_measuring_patient(world, programme, None)  # no team, no monitoring centre: 19/28 in the residual

    recompute_all([Period(MARCH)])

    # programme = team + one patient: showing both would give that patient's 19/28 away
    assert not cell("PT_ADHERENCE", "programme", programme).suppressed
    assert cell("PT_ADHERENCE", "team", team).suppressed
