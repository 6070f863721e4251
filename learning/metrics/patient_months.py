"""Daily measurement rows kept per patient and month as bit masks, so a run over recent months reads thousands of
summaries instead of every daily row of those months (about half a million a month at x10 of the demo).

A summary (rpm_patient_month) holds, with bit n-1 for day n: the days with a row, the days on which a measurement
was expected, the days whose received counts are not empty, and per measurement type the days with a count >= 1.
That does not depend on the programme's schedule, so expected days, met days and days with a measurement are
derived for the schedule a run reads, with the rules of patient_facts (`summarise`).

Upkeep: RPM ingestion folds every daily row it stores into its month (`fold_daily_rows`, same transaction). Rows
written around ingestion (the demo seed, a bulk load) are found because a month's summaries must account for
exactly as many days as rpm_daily has rows in that month: `read_months` counts both (an index range count) and
rebuilds a month whose numbers differ from its daily rows before using it. Rows changed in place around ingestion
are not noticed; `flask metrics rebuild` rebuilds every month.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from learning.db import db
from learning.metrics.models import PatientMonth
from learning.metrics.periods import Period, dialect_name, months_between
from learning.rpm.models import DailyMeasurement

DAILY = frozenset({"daily", "1/d", "7/wk"})
CHUNK = 500
Key = tuple[int, str]  # (programme id, patient pseudonym)
Summary = tuple[int, int, int]  # expected days, met days, bitmask of the days with a measurement


@dataclass
class Masks:
    present: int = 0
    expected: int = 0
    any_received: int = 0
    received: dict[str, int] = field(default_factory=dict)

    def fold(self, day: date, expected: bool, counts: Mapping[str, Any] | None) -> None:
        """Take in the one row of a day (a later row of the same day replaces it)."""
        bit = 1 << (day.day - 1)
        self.present |= bit
        self.expected = self.expected | bit if expected else self.expected & ~bit
        self.any_received = self.any_received | bit if counts else self.any_received & ~bit
        counts = counts or {}
        for kind in set(self.received) | set(counts):
            count = counts.get(kind)
            measured = isinstance(count, int | float) and not isinstance(count, bool) and count > 0
            mask = self.received.get(kind, 0) | bit if measured else self.received.get(kind, 0) & ~bit
            if mask:
                self.received[kind] = mask
            else:
                self.received.pop(kind, None)


def summarise(masks: Masks, schedule: dict[str, str]) -> Summary:
    """Return (expected days, met days, days with a measurement) under a schedule (see patient_facts.met)."""
    if schedule:
        measured = 0
        for kind in schedule:
            measured |= masks.received.get(kind, 0)
    else:
        measured = masks.any_received
    daily = [kind for kind, how in schedule.items() if how.strip().lower() in DAILY]
    arrived = measured
    if daily:
        arrived = masks.present
        for kind in daily:
            arrived &= masks.received.get(kind, 0)
    return masks.expected.bit_count(), (masks.expected & arrived).bit_count(), measured


def _month(day: date) -> date:
    return date(day.year, day.month, 1)


def _masks(row: Any) -> Masks:
    return Masks(row.present, row.expected, row.any_received, dict(row.received or {}))


def fold_daily_rows(rows: Iterable[Mapping[str, Any]]) -> None:
    """Fold stored daily rows (programme_id, patient_pid, day, expected, received_counts) into their summaries."""
    by_key: dict[tuple[int, str, date], list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        by_key[(row["programme_id"], row["patient_pid"], _month(row["day"]))].append(row)
    stored = _stored(by_key)
    for key, day_rows in by_key.items():
        masks = stored.get(key) or Masks()
        for row in day_rows:
            masks.fold(row["day"], row["expected"], row["received_counts"])
        stored[key] = masks
    _upsert({key: stored[key] for key in by_key})


def _stored(keys: Iterable[tuple[int, str, date]]) -> dict[tuple[int, str, date], Masks]:
    wanted: dict[tuple[int, date], list[str]] = defaultdict(list)
    for programme_id, pid, month in keys:
        wanted[(programme_id, month)].append(pid)
    found: dict[tuple[int, str, date], Masks] = {}
    s = PatientMonth
    for (programme_id, month), pids in wanted.items():
        for start in range(0, len(pids), CHUNK):
            query = select(s).where(s.programme_id == programme_id, s.month == month,
                                    s.patient_pid.in_(pids[start : start + CHUNK]))  # fmt: skip
            for row in db.session.connection().execute(query):
                found[(programme_id, row.patient_pid, month)] = _masks(row)
    return found


def _upsert(summaries: dict[tuple[int, str, date], Masks]) -> None:
    insert = pg_insert if dialect_name() == "postgresql" else sqlite_insert
    statement = insert(PatientMonth)
    upsert = statement.on_conflict_do_update(
        index_elements=["programme_id", "patient_pid", "month"],
        set_={name: getattr(statement.excluded, name) for name in ("present", "expected", "any_received", "received")},
    )
    rows = [
        {"programme_id": p, "patient_pid": pid, "month": month, "present": m.present, "expected": m.expected,
         "any_received": m.any_received, "received": m.received}
        for (p, pid, month), m in summaries.items()
    ]  # fmt: skip
    for start in range(0, len(rows), CHUNK * 4):
        db.session.execute(upsert, rows[start : start + CHUNK * 4])


def rebuild_month(period: Period) -> int:
    """Rebuild one month's summaries from its daily rows; return how many there are.

    The daily rows are read and folded before the first write, so the write lock (SQLite has one) is held only for
    the delete and the upsert."""
    d = DailyMeasurement
    summaries: dict[tuple[int, str, date], Masks] = defaultdict(Masks)
    query = select(d.programme_id, d.patient_pid, d.day, d.expected, d.received_counts).where(
        d.day >= period.start, d.day < period.end
    )
    for programme_id, pid, day, expected, counts in db.session.connection().execute(query):
        summaries[(programme_id, pid, period.start)].fold(day, expected, counts)
    db.session.execute(delete(PatientMonth).where(PatientMonth.month == period.start))
    _upsert(summaries)
    return len(summaries)


def rebuild_all() -> int:
    """Rebuild every month's summaries; return how many there are."""
    db.session.execute(delete(PatientMonth))
    first, last = (db.session.scalar(select(agg(DailyMeasurement.day))) for agg in (func.min, func.max))
    if first is None or last is None:
        return 0
    return sum(rebuild_month(period) for period in months_between(first, last))


def read_months(
    schedules: dict[int, dict[str, str]], periods: Iterable[Period], only: set[Key] | None = None
) -> dict[str, dict[Key, Summary]]:
    """Return per month and patient (expected days, met days, days with a measurement) of whole months.

    `only` limits the answer to some patients. A month whose summaries do not account for every daily row of
    the month is rebuilt first (and committed: a repair is right whatever the caller does next).
    """
    result: dict[str, dict[Key, Summary]] = defaultdict(dict)
    programmes = sorted(schedules)
    for period in periods:
        rows = _month_rows(period, programmes)
        if sum(masks.present.bit_count() for masks in rows.values()) != _count_daily(period, programmes):
            rebuild_month(period)
            db.session.commit()  # a repaired month is a short transaction of its own, not part of a long run
            rows = _month_rows(period, programmes)
        month = result[period.key]
        for key, masks in rows.items():
            if only is None or key in only:
                month[key] = summarise(masks, schedules[key[0]])
    return result


def _month_rows(period: Period, programmes: list[int]) -> dict[Key, Masks]:
    s = PatientMonth
    query = select(s).where(s.month == period.start, s.programme_id.in_(programmes))
    return {(row.programme_id, row.patient_pid): _masks(row) for row in db.session.connection().execute(query)}


def _count_daily(period: Period, programmes: list[int]) -> int:
    d = DailyMeasurement  # per programme: a range of the (programme_id, day) index, counted without the rows
    query = select(func.count()).where(d.programme_id.in_(programmes), d.day >= period.start, d.day < period.end)
    return int(db.session.scalar(query) or 0)
