"""Alert metrics per (team, programme) x month: ALERT_RATE (numerator), ALERT_SLA with its median and P90 response
times, and ALERT_ACTIONABLE.

Attribution: an alert counts for Alert.team_id (the programme's monitoring centre when it is missing) in the month
it was created. Response time = first_action_at - created_at. When the programme has business hours
({"start": "08:00", "end": "17:00", "days": [0..6], optional "tz"}, Monday = 0, local time Europe/Amsterdam unless
"tz" says otherwise) only the minutes inside them count, so an alert at 16:50 answered at 08:10 the next working
day took 20 minutes; without business hours the wall clock counts. Alerts without a first action count as not
within the SLA and have no response time; alerts whose severity has no SLA are left out of ALERT_SLA only.
The rows are read once per run (tens of thousands a month at x10) because medians need every value at every level.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import select

from learning.db import db
from learning.environments.models import Programme
from learning.metrics.patient_facts import patient_who
from learning.metrics.periods import Period
from learning.metrics.rollup import Accumulator
from learning.metrics.scopes import BaseCell, Structure
from learning.metrics.training import month_key
from learning.rpm.models import Alert
from learning.rpm.vocabulary import ACTIONABLE_OUTCOMES

DEFAULT_ZONE = "Europe/Amsterdam"


@dataclass(frozen=True)
class AlertFact:
    cell: BaseCell
    who: tuple[str, int, str]  # the patient the alert is about
    sla_minutes: int | None
    response_minutes: float | None
    actionable: bool


def _clock(text: object) -> tuple[int, int]:
    hours, minutes = str(text).split(":")
    return int(hours), int(minutes)


def business_minutes(start: datetime, end: datetime, hours: dict[str, object]) -> float:
    """Return the minutes between two moments that fall inside the business hours."""
    zone = ZoneInfo(str(hours.get("tz", DEFAULT_ZONE)))
    (open_h, open_m), (close_h, close_m) = _clock(hours["start"]), _clock(hours["end"])
    days = set(cast(Iterable[int], hours.get("days", range(7))))
    total, day, last = 0.0, start.astimezone(zone).date(), end.astimezone(zone).date()
    while day <= last:
        if day.weekday() in days:
            opens = datetime.combine(day, time(open_h, open_m), zone)
            closes = datetime.combine(day, time(), zone) + timedelta(hours=close_h, minutes=close_m)
            total += max((min(closes, end) - max(opens, start)).total_seconds(), 0.0)
        day += timedelta(days=1)
    return total / 60


def response_minutes(created: datetime, acted: datetime | None, hours: dict[str, object] | None) -> float | None:
    """Return the alert's response time in minutes (business-hours aware), or None when nobody acted yet."""
    if acted is None:
        return None
    if acted <= created:
        return 0.0
    if hours and {"start", "end"} <= hours.keys():
        return business_minutes(created, acted, hours)
    return (acted - created).total_seconds() / 60


def load_alerts(structure: Structure, first: Period, last: Period) -> dict[str, list[AlertFact]]:
    """Read the alerts created in the months first…last, grouped by month."""
    programmes = {
        p.id: (p.alert_sla_minutes or {}, p.business_hours)
        for p in db.session.execute(select(Programme.id, Programme.alert_sla_minutes, Programme.business_hours))
    }
    a = Alert
    query = select(
        a.programme_id, a.team_id, a.patient_pid, a.severity, a.created_at, a.first_action_at, a.outcome
    ).where(a.created_at >= first.start_at, a.created_at < last.end_at)
    months: dict[str, list[AlertFact]] = defaultdict(list)
    for programme_id, team_id, pid, severity, created, acted, outcome in db.session.execute(query):
        if programme_id not in structure.programme_org:
            continue
        slas, hours = programmes[programme_id]
        months[month_key(created)].append(
            AlertFact(
                structure.patient_cell(team_id, programme_id),
                patient_who(structure.programme_org[programme_id], pid),
                slas.get(severity),
                response_minutes(created, acted, hours),
                outcome in ACTIONABLE_OUTCOMES,
            )
        )
    return months


def compute_alerts(period: Period, alerts: dict[str, list[AlertFact]], acc: Accumulator) -> None:
    """Count and sample the alert metrics of the month (ALERT_RATE's patient-days come from the enrolments)."""
    for alert in alerts.get(period.key, []):
        acc.count("ALERT_RATE", alert.cell, 1, 0, alert.who)
        acc.count("ALERT_ACTIONABLE", alert.cell, alert.actionable, 1, alert.who)
        if alert.sla_minutes is not None:
            within = alert.response_minutes is not None and alert.response_minutes <= alert.sla_minutes
            acc.count("ALERT_SLA", alert.cell, within, 1, alert.who)
        if alert.response_minutes is not None:
            acc.sample("ALERT_SLA_MEDIAN", alert.cell, alert.response_minutes, alert.who)
            acc.sample("ALERT_SLA_P90", alert.cell, alert.response_minutes, alert.who)
