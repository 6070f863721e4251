"""Alert metrics and the business-hours clock against hand-computed fixtures.

March 2025 in Amsterdam is CET (UTC+1) until Sunday 30 March, then CEST (UTC+2).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from metrics_helpers import MARCH, numbers

from learning.metrics.compute_alerts import business_minutes, response_minutes
from learning.metrics.periods import Period
from learning.metrics.services import recompute_all

WEEKDAYS = {"start": "08:00", "end": "17:00", "days": [0, 1, 2, 3, 4]}


def utc(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=UTC)


def test_business_minutes_skip_nights_and_weekends():
    # Friday 16:50 local -> Monday 08:10 local: 10 minutes on Friday and 10 on Monday
    assert business_minutes(utc(7, 15, 50), utc(10, 7, 10), WEEKDAYS) == 20.0


def test_business_minutes_follow_the_clock_change():
    hours = {"start": "08:00", "end": "22:00", "days": [0, 1, 2, 3, 4, 5, 6]}
    # Saturday 29 March 21:30 CET (20:30 UTC) -> Sunday 30 March 08:30 CEST (06:30 UTC): 30 + 30 minutes
    assert business_minutes(utc(29, 20, 30), utc(30, 6, 30), hours) == 60.0


def test_business_hours_may_end_at_midnight():
    hours = {"start": "00:00", "end": "24:00", "days": [0, 1, 2, 3, 4, 5, 6]}
    assert business_minutes(utc(3, 10), utc(4, 10), hours) == 24 * 60


def test_response_time_is_wall_clock_without_business_hours_and_none_without_action():
    assert response_minutes(utc(7, 15, 50), utc(10, 7, 10), None) == 3800.0  # 63 h 20 min
    assert response_minutes(utc(7, 15, 50), None, WEEKDAYS) is None
    assert response_minutes(utc(7, 15, 50), utc(7, 15, 0), None) == 0.0  # action logged before creation


def test_sla_response_times_and_actionable_share_with_business_hours(world):
    org = world.org()
    team = world.team(org)
    env = world.environment()
    office = world.programme(env, org, teams=(team,), alert_sla_minutes={"red": 60}, business_hours=WEEKDAYS)
    clock = world.programme(env, org, teams=(team,), alert_sla_minutes={"red": 60})
    world.alert(office, team, utc(7, 15, 50), first_action_at=utc(10, 7, 10), outcome="contact")  # 20 business min
    world.alert(office, team, utc(11, 9), first_action_at=utc(11, 9, 45), outcome="no_action")  # 45
    world.alert(office, team, utc(12, 10), first_action_at=utc(12, 12), outcome="treatment_change")  # 120
    world.alert(office, team, utc(13, 10))  # nobody acted: not within the SLA, no response time
    world.alert(office, team, utc(14, 10), severity="yellow", first_action_at=utc(14, 10, 30), outcome="referral")
    world.alert(clock, team, utc(7, 15, 50), first_action_at=utc(10, 7, 10))  # 3800 wall-clock minutes

    recompute_all([Period(MARCH)])

    # office, red alerts: 20 and 45 within 60; 120 and none are not (yellow has no SLA) -> 2/4
    assert numbers("ALERT_SLA", "programme", office) == (2, 4, 0.5)
    assert numbers("ALERT_SLA", "programme", clock) == (0, 1, 0.0)
    # response times 20, 45, 120, 30: median (30+45)/2; P90 = 4th of 4 by nearest rank
    assert numbers("ALERT_SLA_MEDIAN", "programme", office) == (None, 4, 37.5)
    assert numbers("ALERT_SLA_P90", "programme", office) == (None, 4, 120.0)
    # contact and treatment_change of 5 alerts
    assert numbers("ALERT_ACTIONABLE", "programme", office) == (2, 5, 0.4)
    # the team pools both programmes: times 20, 45, 120, 30, 3800 -> median 45
    assert numbers("ALERT_SLA_MEDIAN", "team", team) == (None, 5, 45.0)


def test_a_parent_median_comes_from_all_alerts_not_from_the_teams_medians(world):
    org = world.org()
    fast, slow = world.team(org), world.team(org)
    programme = world.programme(world.environment(), org, teams=(fast, slow))
    for minutes in (10, 20, 30):
        world.alert(programme, fast, utc(3, 10), first_action_at=utc(3, 10, minutes))
    world.alert(programme, slow, utc(3, 10), first_action_at=utc(3, 11, 40))  # 100 minutes

    recompute_all([Period(MARCH)])

    assert numbers("ALERT_SLA_MEDIAN", "team", fast)[2] == 20.0
    assert numbers("ALERT_SLA_MEDIAN", "team", slow)[2] == 100.0
    # median(10, 20, 30, 100) = 25, not the median of the team medians (60)
    assert numbers("ALERT_SLA_MEDIAN", "organisation", org) == (None, 4, 25.0)
    assert numbers("ALERT_SLA_MEDIAN", "region", 0) == (None, 4, 25.0)


def test_alerts_are_counted_in_the_month_they_were_created(world):
    org = world.org()
    team = world.team(org)
    programme = world.programme(world.environment(), org, teams=(team,))
    world.alert(programme, team, utc(28, 23, 30, month=2), first_action_at=utc(1, 0, 10))
    world.alert(programme, team, utc(31, 23, 59))

    recompute_all([Period(date(2025, 2, 1)), Period(MARCH)])

    assert numbers("ALERT_ACTIONABLE", "team", team, date(2025, 2, 1)) == (0, 1, 0.0)
    assert numbers("ALERT_ACTIONABLE", "team", team) == (0, 1, 0.0)
