"""A programme's alert norms and measurement schedule, as its care plan sets them.

Both start from the demo's defaults for the programme's condition (learning.admin.programmes) and are changed here:

- Alert norms: per severity the minutes within which someone must act on an alert (ALERT_SLA counts the alerts
  answered in time, within the programme's business hours). The severities are the programme's own words for them
  (red, orange, blue: no fixed list, unlike the codes of learning.rpm.vocabulary), written as the alert upload reads
  them; the upload accepts exactly these, so a severity is added before its alerts arrive. One that alerts of the
  programme already have cannot be removed: ALERT_SLA leaves out alerts whose severity has no norm, so removing it
  would silently drop them from every month's figure.
- Measurement schedule: per measurement type how often a patient measures. The metrics know two kinds (see
  learning.metrics.patient_months.DAILY): "daily" types must all arrive for an expected day to count as met; a type
  measured some days a week ("3/wk") counts when it arrives. The forms written here are exactly those the metrics
  read: "daily" (also accepted as "1/d" or "7/wk") and "N/wk" for N from 1 to 6.
The upload's template and checks read the types of the schedule, so a type added here gets its column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from learning.admin import log
from learning.admin.curricula import queue_recompute
from learning.admin.programmes import get_programme
from learning.admin.scope import Actor, AdminError
from learning.db import db
from learning.environments.models import Programme
from learning.rpm.models import Alert

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
    new_severity: str = ""  # the page's "add a severity" row: refused when the programme already has it
    new_minutes: int | None = None


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


def _with_new_severity(data: NormsData) -> tuple[dict[str, int | None], str | None]:
    """The norms with the added severity among them, and its code (None when none was added)."""
    if not data.new_severity.strip():
        return data.sla_minutes, None
    code = _code(data.new_severity, MAX_SEVERITY)
    if code is None:
        raise AdminError("sla-severity-invalid", severity=data.new_severity.strip(), field="new_severity")
    if code in {severity.strip().lower() for severity in data.sla_minutes}:
        raise AdminError("sla-severity-exists", severity=code, field="new_severity")
    return {**data.sla_minutes, code: data.new_minutes}, code


def _check_sla(sla: dict[str, int | None], added: str | None = None) -> dict[str, int]:
    if not sla:
        raise AdminError("sla-missing")
    checked: dict[str, int] = {}
    for severity, minutes in sla.items():
        code = _code(severity, MAX_SEVERITY)
        if code is None:
            raise AdminError("sla-severity-invalid", severity=severity)
        if minutes is None or not 0 < minutes <= MAX_SLA_MINUTES:
            field = "new_minutes" if code == added else f"sla_{code}"
            raise AdminError("sla-out-of-range", severity=code, maximum=MAX_SLA_MINUTES, field=field)
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


def _check_removed(programme: Programme, sla: dict[str, int]) -> None:
    """Refuse to remove a severity that alerts of the programme have (their norm is what ALERT_SLA reads)."""
    removed = sorted(set(programme.alert_sla_minutes or {}) - set(sla))
    if not removed:
        return
    query = select(Alert.severity).where(Alert.programme_id == programme.id, Alert.severity.in_(removed)).limit(1)
    used = db.session.scalar(query)
    if used is not None:
        raise AdminError("sla-severity-in-use", severity=used, field=f"drop_sla_{used}")


def set_norms(actor: Actor, organisation_id: int, programme_id: int, data: NormsData) -> Programme:
    """Replace the programme's alert norms and measurement schedule; refused as a whole, so nothing half-changes."""
    programme = get_programme(actor, organisation_id, programme_id)
    sla_minutes, added = _with_new_severity(data)
    sla, schedule = _check_sla(sla_minutes, added), _check_schedule(data.schedule)
    _check_removed(programme, sla)
    programme.alert_sla_minutes, programme.measurement_schedule = sla, schedule
    queue_recompute(programme)  # ALERT_SLA and the adherence metrics of every month follow at the next drain
    db.session.commit()
    log.record(actor, "admin.programme.norms", f"programme:{programme.id}")
    return programme
