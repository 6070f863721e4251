"""Import checked RPM records: all or nothing, upserting on each kind's natural key.

The same file or batch twice changes nothing (every row is reported unchanged). A batch with any bad record
imports nothing: a partial import would leave the sender unsure what arrived, and "fix and send again" is safe
because sending again is idempotent. Zero counts are not stored: a type missing from a counts object means 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from learning.db import Base, db, utcnow
from learning.environments.models import Programme
from learning.metrics.arrivals import note_rpm_rows
from learning.rpm.fields import Kind
from learning.rpm.kinds import SPECS
from learning.rpm.models import Alert, DailyMeasurement, EligibleCount, Enrolment, StaffActivity
from learning.rpm.problems import Problem
from learning.rpm.records import Checked, Context, ProgrammeInfo, check_records

CHUNK = 500  # keys per IN (...) query, well below every database's bound-parameter limit


class ForeignProgramme(Exception):
    """A record names a programme that is not one of the sender's organisation's programmes."""

    def __init__(self, programmes: Iterable[int]) -> None:
        self.programmes = sorted(programmes)
        super().__init__("not a programme of your organisation: " + ", ".join(map(str, self.programmes)))


@dataclass(frozen=True)
class Report:
    """What an import did (or, with problems, why it did nothing)."""

    kind: Kind
    received: int
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: tuple[Problem, ...] = ()

    @property
    def rejected(self) -> int:
        """Return how many records had a problem (all of them when the file or a column had one)."""
        if any(p.index is None for p in self.problems):
            return self.received
        return len({p.index for p in self.problems})

    def as_json(self) -> dict[str, Any]:
        """Return the counts as the API answers them."""
        counts = ("received", "inserted", "updated", "unchanged", "rejected")
        return {"kind": str(self.kind), **{name: getattr(self, name) for name in counts}}


def load_context(organisation_id: int, now: datetime | None = None) -> Context:
    """Return the organisation's programmes with their teams, measurement types and severities."""
    programmes = db.session.scalars(
        select(Programme)
        .where(Programme.organisation_id == organisation_id)
        .options(selectinload(Programme.teams))
        .order_by(Programme.name)
    )
    infos = {
        p.id: ProgrammeInfo(
            id=p.id,
            name=p.name,
            measurement_types=frozenset(p.measurement_schedule or {}),
            severities=frozenset(p.alert_sla_minutes or {}),
            teams_by_id={t.id: t.name for t in p.teams},
            teams_by_name={t.name.lower(): t.id for t in p.teams},
        )
        for p in programmes
    }
    return Context(organisation_id, infos, now or utcnow())


def check(kind: Kind, records: list[Any], ctx: Context) -> Checked:
    """Check records for this organisation.

    :raises ForeignProgramme: when any record names a programme of another organisation (or none at all).
    """
    checked = check_records(SPECS[kind], records, ctx)
    if checked.foreign_programmes:
        raise ForeignProgramme(checked.foreign_programmes)
    return checked


def import_records(kind: Kind, organisation_id: int, records: list[Any], now: datetime | None = None) -> Report:
    """Check records and, when every one is fine, upsert them all in one transaction and commit.

    :raises ForeignProgramme: see `check`; nothing is imported then.
    """
    return store_checked(kind, len(records), check(kind, records, load_context(organisation_id, now)))


def store_checked(kind: Kind, received: int, checked: Checked) -> Report:
    """Upsert checked records in one transaction and commit; with any problem store nothing and report them."""
    if checked.problems:
        return Report(kind, received, problems=tuple(checked.problems))
    storage = STORAGE[kind]
    rows = [storage.to_row(record) for record in checked.records]
    if not rows:  # an empty batch is valid and changes nothing (there are no keys to look up)
        return Report(kind, received)
    for attempt in (1, 2):
        try:
            inserted, updated, unchanged = _upsert(storage, rows)
            db.session.commit()
            break
        except IntegrityError:  # a concurrent import inserted one of our keys first: the retry sees it
            db.session.rollback()
            if attempt == 2:
                raise
    return Report(kind, received, inserted, updated, unchanged)


@dataclass(frozen=True)
class Storage:
    """Where a kind is stored and how a checked record becomes a row."""

    model: type[Base]
    key: tuple[str, ...]  # column names of the natural key, programme_id first
    to_row: Callable[[dict[str, Any]], dict[str, Any]]


def _upsert(storage: Storage, rows: list[dict[str, Any]]) -> tuple[int, int, int]:
    existing = _existing(storage, rows)
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    changes: list[tuple[dict[str, Any] | None, dict[str, Any]]] = []  # (stored before, stored now)
    for row in rows:
        old = existing.get(tuple(row[column] for column in storage.key))
        if old is None:
            inserts.append(row)
            changes.append((None, row))
        elif any(old[column] != value for column, value in row.items()):
            updates.append({"id": old["id"], **row})
            changes.append((old, row))
    if inserts:
        db.session.execute(insert(storage.model), inserts)
    if updates:
        db.session.execute(update(storage.model), updates)
    note_rpm_rows(storage.model, changes)  # queue the months for the metrics, in this transaction
    return len(inserts), len(updates), len(rows) - len(inserts) - len(updates)


def _existing(storage: Storage, rows: list[dict[str, Any]]) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Load the stored rows with the batch's keys: per programme, by the second key column, within the day range."""
    table = storage.model.__table__
    programme_column, second, *rest = storage.key
    by_programme: dict[int, set[Any]] = defaultdict(set)
    for row in rows:
        by_programme[row[programme_column]].add(row[second])
    # the day: bound the scan to the batch's days instead of a patient's whole history
    bounds = [table.c[column].between(*_range(row[column] for row in rows)) for column in rest]
    wanted = {tuple(row[column] for column in storage.key) for row in rows}
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    for programme_id, values in by_programme.items():
        ordered = sorted(values)
        for start in range(0, len(ordered), CHUNK):
            chunk = ordered[start : start + CHUNK]
            query = select(table).where(table.c[programme_column] == programme_id, table.c[second].in_(chunk), *bounds)
            for stored in db.session.execute(query).mappings():
                key = tuple(stored[column] for column in storage.key)
                if key in wanted:
                    found[key] = dict(stored)
    return found


def _range(values: Iterable[Any]) -> tuple[Any, Any]:
    ordered = sorted(set(values))
    return ordered[0], ordered[-1]


def _nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {key: counts[key] for key in sorted(counts) if counts[key]}


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment is not None else None


def _enrolment_row(r: dict[str, Any]) -> dict[str, Any]:
    dates = ("offered_at", "enrolled_at", "first_measurement_at", "disenrolled_at", "disenrol_reason")
    return {"programme_id": r["programme"], "patient_pid": r["patient_pid"], "team_id": r["team"]} | {
        name: r[name] for name in dates
    }


def _daily_row(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "programme_id": r["programme"],
        "patient_pid": r["patient_pid"],
        "day": r["day"],
        "expected": r["expected"],
        "received_counts": _nonzero(r["received"]),
        "manual_counts": _nonzero(r["manual"]),
    }


def _alert_row(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "programme_id": r["programme"],
        "external_id": r["external_id"],
        "patient_pid": r["patient_pid"],
        "team_id": r["team"],
        "severity": r["severity"],
        "created_at": _utc(r["created_at"]),
        "first_action_at": _utc(r["first_action_at"]),
        "action_type": r["action_type"],
        "outcome": r["outcome"],
    }


def _staff_row(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "programme_id": r["programme"],
        "staff_pid": r["staff_pid"],
        "day": r["day"],
        "actions": _nonzero(r["actions"]),
    }


def _eligible_row(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "programme_id": r["programme"],
        "period_start": r["period"],
        "period_end": _next_month(r["period"]),  # exclusive, as [a, b) in docs/metrics.md
        "count": r["count"],
        "source": r["source"],
    }


STORAGE: dict[Kind, Storage] = {
    Kind.ENROLMENTS: Storage(Enrolment, ("programme_id", "patient_pid"), _enrolment_row),
    Kind.DAILY: Storage(DailyMeasurement, ("programme_id", "patient_pid", "day"), _daily_row),
    Kind.ALERTS: Storage(Alert, ("programme_id", "external_id"), _alert_row),
    Kind.STAFF_ACTIVITY: Storage(StaffActivity, ("programme_id", "staff_pid", "day"), _staff_row),
    Kind.ELIGIBLE_COUNTS: Storage(EligibleCount, ("programme_id", "period_start"), _eligible_row),
}
