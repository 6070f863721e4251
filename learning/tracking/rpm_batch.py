"""The RPM records one page of statements amounts to, imported through learning/rpm/ingest.py.

xAPI statements report events (enrolled, left, an alert handled); the CSV upload and the JSON API send whole
records. A statement is therefore merged into the record it changes (the one already pending in this page, else
the stored row) and the result is checked at once with ingestion's own checks: a statement that would make its
record invalid is refused with the check's message and leaves the record as it was. At the end of the page the
records go through the same idempotent upserts as the other two ways in, one import per kind and organisation.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from learning.db import db
from learning.rpm.fields import Kind
from learning.rpm.ingest import ForeignProgramme, check, import_records, load_context
from learning.rpm.models import Alert, Enrolment
from learning.rpm.records import Context
from learning.tracking.sync_training import Unmappable

Key = tuple[Kind, tuple[Any, ...]]


@dataclass
class _Entry:
    organisation_id: int
    record: dict[str, Any]
    statements: list[str] = field(default_factory=list)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _enrolment_record(row: Enrolment) -> dict[str, Any]:
    record = {"programme": row.programme_id, "patient_pid": row.patient_pid, "team": row.team_id}
    for name in ("offered_at", "enrolled_at", "first_measurement_at", "disenrolled_at"):
        record[name] = _iso(getattr(row, name))
    return record | {"disenrol_reason": row.disenrol_reason}


def _alert_record(row: Alert) -> dict[str, Any]:
    return {
        "programme": row.programme_id,
        "external_id": row.external_id,
        "patient_pid": row.patient_pid,
        "team": row.team_id,
        "severity": row.severity,
        "created_at": _iso(row.created_at),
        "first_action_at": _iso(row.first_action_at),
        "action_type": row.action_type,
        "outcome": row.outcome,
    }


class RpmBatch:
    """Records by natural key, each with the statements that made it."""

    def __init__(self) -> None:
        self._entries: dict[Key, _Entry] = {}
        self._contexts: dict[int, Context] = {}

    def enrolment(self, programme_id: int, patient_pid: str) -> dict[str, Any] | None:
        """Return a copy of the patient's enrolment record as this page has it so far, or None."""
        key: Key = (Kind.ENROLMENTS, (programme_id, patient_pid))
        if key in self._entries:
            return dict(self._entries[key].record)
        row = db.session.scalar(
            select(Enrolment).where(Enrolment.programme_id == programme_id, Enrolment.patient_pid == patient_pid)
        )
        return _enrolment_record(row) if row is not None else None

    def alert(self, programme_id: int, external_id: str) -> dict[str, Any] | None:
        """Return a copy of the alert's record as this page has it so far, or None."""
        key: Key = (Kind.ALERTS, (programme_id, external_id))
        if key in self._entries:
            return dict(self._entries[key].record)
        row = db.session.scalar(
            select(Alert).where(Alert.programme_id == programme_id, Alert.external_id == external_id)
        )
        return _alert_record(row) if row is not None else None

    def put(self, kind: Kind, key: tuple[Any, ...], organisation_id: int, record: dict[str, Any], by: str) -> None:
        """Replace the pending record under this key, remembering which statement changed it.

        :raises Unmappable: when the record would not pass ingestion's checks; the pending one stays.
        """
        self._check(kind, organisation_id, record)
        entry = self._entries.setdefault((kind, key), _Entry(organisation_id, record))
        entry.record = record
        entry.statements.append(by)

    def _check(self, kind: Kind, organisation_id: int, record: dict[str, Any]) -> None:
        if organisation_id not in self._contexts:
            self._contexts[organisation_id] = load_context(organisation_id)
        try:
            checked = check(kind, [record], self._contexts[organisation_id])
        except ForeignProgramme as exc:
            raise Unmappable(str(exc)) from None
        if checked.problems:
            found = [f"{p.field}: {p.message}" if p.field else p.message for p in checked.problems]
            raise Unmappable(f"{kind} record refused: {'; '.join(found)}")

    def flush(self) -> tuple[set[str], list[tuple[str, str]]]:
        """Import every pending record (each import commits); return applied statement ids and (id, reason) skips."""
        groups: dict[tuple[Kind, int], list[_Entry]] = defaultdict(list)
        for (kind, _key), entry in self._entries.items():
            groups[(kind, entry.organisation_id)].append(entry)
        applied: set[str] = set()
        skipped: list[tuple[str, str]] = []
        for (kind, organisation_id), entries in groups.items():
            statements = [s for entry in entries for s in entry.statements]
            try:
                report = import_records(kind, organisation_id, [entry.record for entry in entries])
            except ForeignProgramme as exc:  # each record passed when merged; only a change made meanwhile gets here
                skipped += [(s, str(exc)) for s in statements]
                continue
            if report.problems:
                reason = f"{kind} records refused: " + "; ".join(p.message for p in report.problems)
                skipped += [(s, reason) for s in statements]
            else:
                applied.update(statements)
        self._entries.clear()
        return applied, skipped
