"""A programme's alert norms and measurement schedule, as its care plan sets them.

Both start from the demo's defaults for the programme's condition (learning.admin.programmes) and are changed here:

- Alert norms: per severity the minutes within which someone must act on an alert (ALERT_SLA counts the alerts
  answered in time, within the programme's business hours). The severities are the programme's own words for them:
  an alert upload accepts exactly these, so removing one refuses later alerts of that severity.
- Measurement schedule: per measurement type how often a patient measures. The metrics know two kinds (see
  learning.metrics.patient_months.DAILY): "daily" types must all arrive for an expected day to count as met; a type
  measured some days a week ("3/wk") counts when it arrives. The forms written here are exactly those the metrics
  read: "daily" (also accepted as "1/d" or "7/wk") and "N/wk" for N from 1 to 6.
The upload's template and checks read the types of the schedule, so a type added here gets its column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from learning.admin import log
from learning.admin.curricula import queue_recompute
from learning.admin.programmes import get_programme
from learning.admin.scope import Actor, AdminError
from learning.db import db
from learning.environments.models import Programme

CODE = re.compile(r"[a-z][a-z0-9_]*")  # as alert and measurement uploads spell severities and types
MAX_SEVERITY, MAX_KIND = 20, 40  # the lengths the alert and measurement columns hold
MAX_SLA_MINUTES = 7 * 24 * 60  # a week: a norm longer than that is no norm for an alert
SEVERITY_ORDER = ("red", "orange", "yellow", "green")  # the usual traffic-light words, most urgent first
DAILY_FORMS = frozenset({"daily", "1/d", "7/wk"})
WEEKLY = re.compile(r"([1-6])\s*/\s*wk")
FREQUENCIES = ("daily", *(f"{n}/wk" for n in range(6, 0, -1)))  # what the form offers, most often first


@dataclass(frozen=True)
class NormsData:
    sla_minutes: dict[str, int | None]  # severity -> minutes; None: not a whole number (refused)
    schedule: dict[str, str]  # measurement type -> how often


def frequency(text: str) -> str | None:
    """Return the schedule form the metrics read ("daily", "3/wk"), or None for anything else."""
    value = " ".join(text.lower().split())
    if value in DAILY_FORMS:
        return "daily"
    match = WEEKLY.fullmatch(value)
    return f"{match.group(1)}/wk" if match else None


def _code(value: str, maximum: int) -> str | None:
    code = value.strip().lower()
    return code if CODE.fullmatch(code) and len(code) <= maximum else None


def _check_sla(sla: dict[str, int | None]) -> dict[str, int]:
    if not sla:
        raise AdminError("sla-missing")
    checked: dict[str, int] = {}
    for severity, minutes in sla.items():
        code = _code(severity, MAX_SEVERITY)
        if code is None:
            raise AdminError("sla-severity-invalid", severity=severity)
        if minutes is None or not 0 < minutes <= MAX_SLA_MINUTES:
            raise AdminError("sla-out-of-range", severity=code, maximum=MAX_SLA_MINUTES, field=f"sla_{code}")
        checked[code] = minutes
    ranked = [checked[s] for s in SEVERITY_ORDER if s in checked]
    if ranked != sorted(ranked):  # a more urgent alert may not have more time than a less urgent one
        raise AdminError("sla-order")
    return checked


def _check_schedule(schedule: dict[str, str]) -> dict[str, str]:
    if not schedule:
        raise AdminError("schedule-missing")
    checked: dict[str, str] = {}
    for kind, how in schedule.items():
        code = _code(kind, MAX_KIND)
        if code is None:
            raise AdminError("schedule-kind-invalid", kind=kind)
        often = frequency(how)
        if often is None:
            raise AdminError("schedule-frequency-invalid", kind=code, field=f"schedule_{code}")
        checked[code] = often
    return checked


def set_norms(actor: Actor, organisation_id: int, programme_id: int, data: NormsData) -> Programme:
    """Replace the programme's alert norms and measurement schedule; refused as a whole, so nothing half-changes."""
    programme = get_programme(actor, organisation_id, programme_id)
    sla, schedule = _check_sla(data.sla_minutes), _check_schedule(data.schedule)
    programme.alert_sla_minutes, programme.measurement_schedule = sla, schedule
    queue_recompute(programme)  # ALERT_SLA and the adherence metrics of every month follow at the next drain
    db.session.commit()
    log.record(actor, "admin.programme.norms", f"programme:{programme.id}")
    return programme
