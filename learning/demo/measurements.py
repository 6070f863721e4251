"""Daily measurement counts and alerts for every enrolled patient-day of the demo year.

Adherence starts near complete and falls during the first two weeks to a personal plateau of about 80-90 %
(Murphy 2017); patients about to stop measure less. Alerts arise on days with measurements, are first acted on
mostly within the programme's SLA (counted in business hours), a little more often in time as the year goes on.
Only counts and times are written: never a measured value.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from learning.demo.bulk import ChunkedInsert
from learning.demo.clock import add_business_minutes, local_moment
from learning.demo.patients import PatientPlan
from learning.demo.region import ALERTS_PER_100_DAYS
from learning.demo.structure import ProgrammeRow, Region
from learning.rpm.models import Alert, DailyMeasurement

SEVERITIES = (("red", 10), ("orange", 35), ("yellow", 55))
ACTION_TYPES = (("acknowledged", 40), ("contacted", 50), ("escalated", 10))
OUTCOMES = (("no_action", 45), ("contact", 33), ("treatment_change", 15), ("referral", 5), ("admission", 2))
MANUAL_SHARE = 0.06  # measurements typed in instead of sent by a device
WEEKDAYS = {"daily": frozenset(range(7)), "3/wk": frozenset({0, 2, 4}), "1/wk": frozenset({0})}


def expected_types(schedule: dict[str, str], day: date) -> list[str]:
    """Return the measurement types the care plan expects on this day."""
    return [kind for kind, frequency in schedule.items() if day.weekday() in WEEKDAYS.get(frequency, WEEKDAYS["daily"])]


def adherence(plan: PatientPlan, started: date, day: date) -> float:
    """Return the chance that the expected measurements arrive on a day, `started` being the first measurement."""
    onboarding = max(0.0, 1 - (day - started).days / 14)
    chance = plan.plateau + (0.98 - plan.plateau) * onboarding
    if plan.reason in {"patient_choice", "technical"} and plan.disenrolled and (plan.disenrolled - day).days < 30:
        chance *= 0.55
    return chance


def _received(rng: random.Random, plan: PatientPlan, day: date, expected: list[str]) -> dict[str, int]:
    started = plan.first_measurement
    if started is None or day < started or (plan.silent_from is not None and day >= plan.silent_from):
        return {}
    if day == started or (expected and rng.random() < adherence(plan, started, day)):
        kinds = expected or list(plan.programme.schedule)[:1]
        return {kind: 2 if kind == "bp" and rng.random() < 0.3 else 1 for kind in kinds}
    if len(expected) > 1 and rng.random() < 0.2:
        return {rng.choice(expected): 1}  # one device synced, the other did not
    if not expected and rng.random() < 0.08:
        return {rng.choice(list(plan.programme.schedule)): 1}  # measured on a day off
    return {}


def patient_days(rng: random.Random, plan: PatientPlan, end: date) -> Iterator[tuple[date, list[str], dict[str, int]]]:
    """Yield (day, expected types, counts received) for every enrolled day of one patient."""
    if plan.enrolled is None:
        return
    stop = min(plan.disenrolled or end, end)
    day = plan.enrolled
    while day < stop:
        expected = expected_types(plan.programme.schedule, day)
        yield day, expected, _received(rng, plan, day, expected)
        day += timedelta(days=1)


def _manual(rng: random.Random, received: dict[str, int]) -> dict[str, int]:
    return {kind: 1 for kind in received if rng.random() < MANUAL_SHARE}


def _pick(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([name for name, _ in options], [weight for _, weight in options])[0]


class AlertMaker:
    """Raise alerts on measurement days and decide when someone first acted on them."""

    def __init__(self, rng: random.Random, region: Region) -> None:
        self.rng, self.region = rng, region
        self.now = local_moment(region.window.end, 0)
        self.taken: set[str] = set()

    def _external_id(self) -> str:
        while True:
            found = f"A-{self.rng.getrandbits(48):012x}"
            if found not in self.taken:
                self.taken.add(found)
                return found

    def _first_action(self, programme: ProgrammeRow, severity: str, created: datetime) -> datetime | None:
        rng, window = self.rng, self.region.window
        progress = (created.date() - window.start).days / max(window.days, 1)
        draw = rng.random()
        if draw < 0.03:
            return None
        sla = programme.sla[severity]
        late = draw < 0.03 + 0.18 - 0.1 * progress  # teams get faster as the year goes on
        minutes = sla * (rng.uniform(1.05, 3.0) if late else rng.betavariate(1.4, 3.0))
        moment = add_business_minutes(created, max(minutes, 1.0), programme.hours)
        return moment if moment < self.now else None

    def maybe(self, plan: PatientPlan, day: date, team_id: int) -> dict[str, Any] | None:
        rng, programme = self.rng, plan.programme
        if rng.random() >= ALERTS_PER_100_DAYS[programme.condition] / 100 / 0.85:
            return None
        severity = _pick(rng, SEVERITIES)
        hour = rng.randint(7, 10) if rng.random() < 0.85 else rng.randint(17, 21)
        created = local_moment(day, hour, rng.randint(0, 59), rng.randint(0, 59))
        acted = self._first_action(programme, severity, created)
        return {
            "programme_id": programme.id,
            "external_id": self._external_id(),
            "patient_pid": plan.pid,
            "team_id": team_id,
            "severity": severity,
            "created_at": created,
            "first_action_at": acted,
            "action_type": _pick(rng, ACTION_TYPES) if acted else None,
            "outcome": _pick(rng, OUTCOMES) if acted else None,
        }


def write_measurements(rng: random.Random, region: Region, plans: list[PatientPlan]) -> tuple[int, int]:
    """Insert daily rows and alerts for every enrolled patient; return how many of each."""
    daily = ChunkedInsert(DailyMeasurement.__table__)  # type: ignore[arg-type]
    alerts = ChunkedInsert(Alert.__table__)  # type: ignore[arg-type]
    maker = AlertMaker(rng, region)
    for plan in plans:
        if plan.enrolled is None:
            continue
        centre = plan.programme.spec.monitoring_centre
        team_id = region.teams[centre or plan.team].id
        base = {"programme_id": plan.programme.id, "patient_pid": plan.pid}
        for day, expected, received in patient_days(rng, plan, region.window.end):
            daily.add({**base, "day": day, "expected": bool(expected), "received_counts": received,
                       "manual_counts": _manual(rng, received)})  # fmt: skip
            alert = maker.maybe(plan, day, team_id) if received else None
            if alert is not None:
                alerts.add(alert)
    daily.flush()
    alerts.flush()
    return daily.written, alerts.written
