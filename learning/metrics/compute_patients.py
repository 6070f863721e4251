"""Patient-derived metrics per (team, programme) x month from enrolments and daily measurement aggregates.

Attribution: a patient counts for the team of their enrolment (Enrolment.team_id; the programme's monitoring centre
when it is missing; else no team, so only the programme and above). Daily rows follow the enrolment with the same
(programme, pseudonym). The facts come reduced from patient_facts; enrolments (one row per patient) are counted here.

Period semantics (docs/metrics.md, "Patient periods"), an enrolment being the interval [enrolled_at, disenrolled_at):
- enrolled in the month: enrolled_at < b and (no disenrolment or disenrolled_at > a) — PT_ACTIVE, PT_REACH,
  patient-days of ALERT_RATE, TEAM_ADOPT;
- cohorts by month: offered (PT_UPTAKE), enrolled (PT_ACTIVATION, ONBOARD_FIDELITY), day 180 reached (PT_RET180;
  summed over months this is |active on days 150-180| / |enrolled >= 180 d ago|);
- PT_DROPOUT as docs/metrics.md defines it: drop-out disenrolments in [a,b) / enrolled at a
  (enrolled_at <= a <= disenrolled_at);
- PT_ADHERENCE pools MetDays / ExpDays of the month; PT_ADHERENCE_SHARE counts patients with AD >= θ in the month.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from learning.metrics.patient_facts import (
    ACTIVATION_DAYS,
    RETENTION_FROM,
    RETENTION_TO,
    Enrolled,
    Key,
    PatientInputs,
    PatientMonth,
    eligible_in,
    has_measurement,
    measured_between,
    patient_who,
)
from learning.metrics.periods import Period, months_between
from learning.metrics.rollup import Accumulator
from learning.metrics.scopes import Structure
from learning.rpm.vocabulary import DROPOUT_REASONS


def compute_patients(period: Period, inputs: PatientInputs, structure: Structure, acc: Accumulator) -> None:
    """Count every enrolment- and measurement-based patient metric of the month."""
    month = inputs.daily.get(period.key, {})
    adopted: set[int] = set()
    reach: dict[int, int] = defaultdict(int)
    for enrolled in inputs.enrolments:
        _count_enrolment(period, enrolled, month, inputs, acc)
        if enrolled.is_enrolled_in(period):
            reach[enrolled.programme_id] += 1
            if enrolled.cell[0] is not None:
                adopted.add(enrolled.cell[0])
    for key, (expected, met_days, _measured) in month.items():
        cell = inputs.cells.get(key) or structure.patient_cell(None, key[0])
        who = patient_who(structure.programme_org[key[0]], key[1])
        acc.count("PT_ADHERENCE", cell, met_days, expected, who)
        if expected:
            threshold = structure.adherence_threshold[key[0]]
            acc.count("PT_ADHERENCE_SHARE", cell, met_days >= threshold * expected - 1e-9, 1, who)
    for programme_id in structure.programmes:
        eligible = eligible_in(inputs.eligible.get(programme_id, []), period)
        if eligible is not None:
            acc.count("PT_REACH", (None, programme_id), reach[programme_id], eligible)
    for team in structure.team_programmes:
        acc.count("TEAM_ADOPT", (team, None), team in adopted, 1)
    _count_sustained(period, inputs, structure, acc)


def _count_enrolment(
    period: Period, e: Enrolled, month: dict[Key, tuple[int, int, int]], inputs: PatientInputs, acc: Accumulator
) -> None:
    a, b, cell, key, who = period.start, period.end, e.cell, (e.programme_id, e.pid), e.who
    if e.offered_at is not None and a <= e.offered_at < b:
        acc.count("PT_UPTAKE", cell, e.enrolled_at is not None, 1, who)
    start, stop = e.enrolled_at, e.disenrolled_at
    if start is None:
        return
    if e.is_enrolled_in(period):
        acc.count("PT_ACTIVE", cell, month.get(key, (0, 0, 0))[2] != 0, 1, who)
        acc.count("ALERT_RATE", cell, 0, (min(b, stop or b) - max(a, start)).days, who)  # stored per 100 days
    if a <= start < b:
        acc.count("PT_ACTIVATION", cell, _is_activated(e, inputs.daily), 1, who)
    if start <= a and (stop is None or stop >= a):
        acc.count("PT_DROPOUT", cell, 0, 1, who)
    if stop is not None and a <= stop < b and e.reason in DROPOUT_REASONS:
        acc.count("PT_DROPOUT", cell, 1, 0, who)
    if a <= start + timedelta(days=RETENTION_TO) < b:
        retained = measured_between(
            inputs.daily, key, start + timedelta(RETENTION_FROM), start + timedelta(RETENTION_TO)
        )
        acc.count("PT_RET180", cell, retained, 1, who)


def _is_activated(e: Enrolled, daily: dict[str, dict[Key, PatientMonth]]) -> bool:
    """First measurement within 7 days: from the enrolment's own date, else from the daily rows."""
    if e.enrolled_at is None:
        return False
    if e.first_measurement_at is not None:
        return (e.first_measurement_at - e.enrolled_at).days <= ACTIVATION_DAYS
    return measured_between(daily, (e.programme_id, e.pid), e.enrolled_at, e.enrolled_at + timedelta(ACTIVATION_DAYS))


def _count_sustained(period: Period, inputs: PatientInputs, structure: Structure, acc: Accumulator) -> None:
    """PROG_SUSTAIN: months since the environment's funding ended with ≥ 1 measuring patient / months since."""
    for programme_id in structure.programmes:
        funding_end = structure.funding_end.get(programme_id)
        if funding_end is None or period.end <= funding_end:
            continue
        months = months_between(funding_end, period.last_day)
        active = sum(_is_active_month(programme_id, m, inputs) for m in months)
        acc.count("PROG_SUSTAIN", (None, programme_id), active, len(months))


def _is_active_month(programme_id: int, period: Period, inputs: PatientInputs) -> bool:
    if period.key in inputs.loaded:
        return (programme_id, period.key) in inputs.active_months
    return has_measurement(programme_id, inputs.schedules.get(programme_id, {}), period)
