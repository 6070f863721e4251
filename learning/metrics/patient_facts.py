"""What the patient metrics read: enrolments, daily measurement aggregates reduced per patient-month, eligibility.

rpm_daily (7M rows at x10) is reduced in SQL per (patient, month) — expected days, days on which the expected
measurement(s) arrived, and a bitmask of the days with any measurement — with one query per programme, because
which measurement types count comes from that programme's schedule. A received measurement is a count >= 1 of a
type in the programme's schedule (manual_counts is taken as the typed-in part of received_counts); a met day is an
expected day with every daily type received, or, for schedules without a daily type, any scheduled type. A run over
recent months takes the same numbers from the per patient-month summaries instead (patient_months.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Integer, String, and_, case, cast, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import Executable

from learning.db import db
from learning.environments.models import Programme
from learning.metrics.patient_months import DAILY, read_months
from learning.metrics.periods import Period, day_of_month, month_of_day, months_between
from learning.metrics.scopes import BaseCell, Structure
from learning.rpm.models import DailyMeasurement, EligibleCount, Enrolment

ACTIVATION_DAYS, RETENTION_FROM, RETENTION_TO = 7, 150, 180
NARROW_DAYS = 120
CHUNK = 500  # patients per query when only some are read
Key = tuple[int, str]  # (programme id, patient pseudonym)
PatientMonth = tuple[int, int, int]  # expected days, met days, bitmask of the days with a measurement


def patient_who(org: int, pid: str) -> tuple[str, int, str]:
    """Return the person behind a patient fact: pseudonyms are organisation-scoped (one patient, one pid per org)."""
    return ("patient", org, pid)


@dataclass(frozen=True)
class Enrolled:
    programme_id: int
    pid: str
    cell: BaseCell
    offered_at: date | None
    enrolled_at: date | None
    first_measurement_at: date | None
    disenrolled_at: date | None
    reason: str | None
    org: int = 0  # the programme's organisation: the pseudonym's domain

    @property
    def who(self) -> tuple[str, int, str]:
        return patient_who(self.org, self.pid)

    def is_enrolled_in(self, period: Period) -> bool:
        start, stop = self.enrolled_at, self.disenrolled_at
        return start is not None and start < period.end and (stop is None or stop > period.start)


def load_enrolments(structure: Structure) -> list[Enrolled]:
    """Read every enrolment (one row per patient and programme) with its base cell."""
    e = Enrolment
    query = select(e.programme_id, e.patient_pid, e.team_id, e.offered_at, e.enrolled_at, e.first_measurement_at,
                   e.disenrolled_at, e.disenrol_reason)  # fmt: skip
    return [
        Enrolled(r[0], r[1], structure.patient_cell(r[2], r[0]), *r[3:], org=structure.programme_org[r[0]])
        for r in db.session.execute(query)
        if r[0] in structure.programme_org
    ]


def _count(kind: str) -> ColumnElement[int]:
    return func.coalesce(DailyMeasurement.received_counts[kind].as_integer(), 0)


def received(schedule: dict[str, str]) -> ColumnElement[bool]:
    """Return 'a measurement arrived that day' for a programme with this schedule."""
    if not schedule:
        return cast(DailyMeasurement.received_counts, String).not_in(["{}", "null"])
    return or_(*(_count(kind) > 0 for kind in sorted(schedule)))


def met(schedule: dict[str, str]) -> ColumnElement[bool]:
    """Return 'an expected day on which the expected measurement(s) arrived'."""
    daily = sorted(kind for kind, how in schedule.items() if how.strip().lower() in DAILY)
    arrived = and_(*(_count(kind) > 0 for kind in daily)) if daily else received(schedule)
    return and_(DailyMeasurement.expected.is_(True), arrived)


def load_schedules() -> dict[int, dict[str, str]]:
    return dict(db.session.execute(select(Programme.id, Programme.measurement_schedule)).all())


def load_daily(
    schedules: dict[int, dict[str, str]], lo: date, hi: date, only: set[Key] | None = None
) -> dict[str, dict[Key, PatientMonth]]:
    """Return per month and patient (expected days, met days, bitmask of days with a measurement), days in [lo, hi).

    Bit n-1 of the mask is day n of the month, so the activation and retention windows are checked in Python
    without reading the daily rows again. `only` limits the read to some patients (through the unique index).
    """
    summary: dict[str, dict[Key, PatientMonth]] = defaultdict(dict)
    wanted = (Period.of(lo).key, Period.of(hi - timedelta(days=1)).key)
    for programme_id, schedule in schedules.items():
        where = [DailyMeasurement.programme_id == programme_id]
        if (hi - lo).days <= NARROW_DAYS:  # a wide window reads the programme in key order: grouped without a sort
            where += [DailyMeasurement.day >= lo, DailyMeasurement.day < hi]
        pids = sorted(pid for p, pid in only if p == programme_id) if only is not None else [None]
        for start in range(0, len(pids), CHUNK):
            chunk = pids[start : start + CHUNK]
            limit = [DailyMeasurement.patient_pid.in_(chunk)] if only is not None else []
            for pid, key, expected, met_days, mask in db.session.execute(_daily_query(schedule, *where, *limit)):
                if wanted[0] <= key <= wanted[1]:
                    summary[key][(programme_id, pid)] = (int(expected or 0), int(met_days or 0), int(mask or 0))
    return summary


def _daily_query(schedule: dict[str, str], *where: ColumnElement[bool]) -> Executable:
    d, month = DailyMeasurement, month_of_day(DailyMeasurement.day)
    bit = literal(1, Integer).op("<<", return_type=Integer)(day_of_month(d.day) - 1)
    return (
        select(d.patient_pid, month, func.sum(case((d.expected.is_(True), 1), else_=0)),
               func.sum(case((met(schedule), 1), else_=0)), func.sum(case((received(schedule), bit), else_=0)))
        .where(*where)
        .group_by(d.patient_pid, month)
    )  # fmt: skip


def measured_between(daily: dict[str, dict[Key, PatientMonth]], key: Key, first: date, last: date) -> bool:
    """Return whether the patient had a measurement on any day from `first` to `last` (inclusive)."""
    for period in months_between(first, last):
        mask = daily.get(period.key, {}).get(key, (0, 0, 0))[2]
        low, high = max(first, period.start).day, min(last, period.last_day).day
        if mask & ((1 << high) - (1 << (low - 1))):
            return True
    return False


def has_measurement(programme_id: int, schedule: dict[str, str], period: Period) -> bool:
    """Return whether any patient of the programme had a measurement in the month (stops at the first row)."""
    d = DailyMeasurement
    query = select(d.id).where(d.programme_id == programme_id, d.day >= period.start, d.day < period.end)
    return db.session.scalar(query.where(received(schedule)).limit(1)) is not None


def load_eligible() -> dict[int, list[tuple[date, date, int]]]:
    counts: dict[int, list[tuple[date, date, int]]] = defaultdict(list)
    for programme_id, start, end, n in db.session.execute(
        select(EligibleCount.programme_id, EligibleCount.period_start, EligibleCount.period_end, EligibleCount.count)
    ):
        counts[programme_id].append((start, end, n))
    return counts


def eligible_in(counts: list[tuple[date, date, int]], period: Period) -> int | None:
    """Return the count that covers the month (the most recent such count when several do), or None."""
    covering = [(start, n) for start, end, n in counts if start <= period.start and end >= period.last_day]
    return max(covering)[1] if covering else None


@dataclass
class PatientInputs:
    enrolments: list[Enrolled]
    daily: dict[str, dict[Key, PatientMonth]]
    loaded: set[str]  # the months `daily` holds completely
    eligible: dict[int, list[tuple[date, date, int]]]
    schedules: dict[int, dict[str, str]]
    cells: dict[Key, BaseCell] = field(default_factory=dict)
    active_months: set[tuple[int, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.cells = {(e.programme_id, e.pid): e.cell for e in self.enrolments}
        self.active_months = {(p, month) for month, rows in self.daily.items() for (p, _), v in rows.items() if v[2]}


def load_patient_inputs(structure: Structure, first: Period, last: Period, *, narrow: bool = False) -> PatientInputs:
    """Read what the patient metrics of the months first…last need.

    Besides those months, the retention window reaches 30 days back and the activation window 7 days on; those
    days are read only for the patients whose windows reach there (day 180 in the first month, enrolled in the
    last week without a first_measurement_at). A `narrow` run (a few recent months) reads the patient-month
    summaries, a wide one reduces the daily rows.
    """
    schedules = {p: s for p, s in load_schedules().items() if p in structure.programme_org}
    enrolments = load_enrolments(structure)
    back = first.start - timedelta(days=RETENTION_TO - RETENTION_FROM)
    on = last.end + timedelta(days=ACTIVATION_DAYS + 1)
    retained, activated = set(), set()
    for e in enrolments:
        if e.enrolled_at is None:
            continue
        if e.enrolled_at + timedelta(days=RETENTION_FROM) < first.start <= e.enrolled_at + timedelta(RETENTION_TO):
            retained.add((e.programme_id, e.pid))
        if e.first_measurement_at is None and last.end <= e.enrolled_at + timedelta(ACTIVATION_DAYS) < on:
            activated.add((e.programme_id, e.pid))
    windows = ((first.start, last.end, None), (Period.of(back).start, first.start, retained), (last.end, on, activated))
    daily: dict[str, dict[Key, PatientMonth]] = defaultdict(dict)
    for lo, hi, only in windows:
        if only is not None and not only:
            continue
        if narrow:
            read = read_months(schedules, months_between(lo, hi - timedelta(days=1)), only)
        else:
            read = load_daily(schedules, lo, hi, only)
        for month, rows in read.items():
            daily[month].update(rows)
    return PatientInputs(enrolments, daily, {p.key for p in months_between(first.start, last.start)},
                         load_eligible(), schedules)  # fmt: skip
