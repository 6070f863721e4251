"""The CSV upload as plain functions: who may upload for which organisation, preview a file, import it.

Preview and import read the file the same way and run the same checks; the import checks again because the
programmes and teams may have changed between preview and confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select

from learning.accounts.models import Organisation, Role, User
from learning.db import db
from learning.rpm.csv_io import Table, at_rows, column_of, read_csv, template_csv, to_records
from learning.rpm.fields import Kind
from learning.rpm.ingest import Report, check, load_context, store_checked
from learning.rpm.kinds import SPECS
from learning.rpm.problems import Problem
from learning.rpm.records import Checked, Context

PREVIEW_ROWS = 10


@dataclass(frozen=True)
class Preview:
    """What the manager sees before confirming: the first rows and every problem (row, column, message)."""

    kind: Kind
    header: list[str]
    rows: list[list[str]]
    row_count: int
    problems: list[Problem]


def may_upload(user: User, organisation_id: int) -> bool:
    """True for the organisation's managers and for administrators."""
    if user.role is Role.ADMIN:
        return True
    return user.role is Role.MANAGER and user.organisation_id == organisation_id


def organisations() -> list[Organisation]:
    """Return every organisation, for an administrator's choice."""
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def upload_context(organisation_id: int) -> Context:
    """Return the organisation's programmes and teams, as the upload page lists them."""
    return load_context(organisation_id)


def make_template(kind: Kind, organisation_id: int) -> str:
    """Return the CSV template of a kind, with this organisation's programme and measurement types."""
    return template_csv(SPECS[kind], load_context(organisation_id))


def preview_csv(kind: Kind, organisation_id: int, data: bytes, max_rows: int, now: datetime | None = None) -> Preview:
    """Read and check a CSV file without importing anything.

    :raises CsvError: when it is not a readable CSV file.
    :raises TooManyRows: when it holds more than max_rows rows.
    :raises ForeignProgramme: when a row names another organisation's programme.
    """
    table, _checked, problems = _check_csv(kind, organisation_id, data, max_rows, now)
    return Preview(kind, table.header, table.rows[:PREVIEW_ROWS], count_rows(table), problems)


def import_csv(kind: Kind, organisation_id: int, data: bytes, max_rows: int, now: datetime | None = None) -> Report:
    """Import a CSV file whole, or nothing when any row or column has a problem.

    :raises CsvError, TooManyRows, ForeignProgramme: as `preview_csv`.
    """
    table, checked, problems = _check_csv(kind, organisation_id, data, max_rows, now)
    if problems or checked is None:
        return Report(kind, count_rows(table), problems=tuple(problems))
    return store_checked(kind, len(checked.records), checked)


def count_rows(table: Table) -> int:
    """Return the number of data rows that are not blank."""
    return sum(1 for row in table.rows if any(cell.strip() for cell in row))


def _check_csv(
    kind: Kind, organisation_id: int, data: bytes, max_rows: int, now: datetime | None
) -> tuple[Table, Checked | None, list[Problem]]:
    """Read a file and check its rows; a wrong header stops there, as rows cannot be read against it."""
    spec, ctx = SPECS[kind], load_context(organisation_id, now)
    table = read_csv(data, max_rows)
    records, indexes, problems = to_records(spec, table, ctx)
    if any(p.index is None for p in problems):
        return table, None, _as_columns(kind, problems)
    checked = check(kind, records, ctx)
    problems = sorted([*problems, *at_rows(checked.problems, indexes)], key=lambda p: p.row)
    return table, checked, _as_columns(kind, problems)


def _as_columns(kind: Kind, problems: list[Problem]) -> list[Problem]:
    return [replace(p, field=column_of(SPECS[kind], p.field)) for p in problems]
