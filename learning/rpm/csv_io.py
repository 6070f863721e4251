"""CSV files of RPM records: read them (comma or semicolon, UTF-8 with or without BOM) and write templates.

Columns are the fields of the kind; counts by type get one column each (`received_weight`, `manual_weight`,
`reviews`). Any other column is refused, named as what it seems to hold: an unknown column could carry names or
measurement values, and ignoring it silently would hide that from the sender.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from typing import Any

from learning.rpm.fields import Counts, Spec, is_blank
from learning.rpm.personal import forbidden_field
from learning.rpm.problems import N_, Problem
from learning.rpm.records import Context

DELIMITERS = (";", ",", "\t")
TEMPLATE_DELIMITER = ";"  # what Dutch Excel reads as columns when the file is opened with a double click
EXAMPLE_PIDS = {"patient_pid": "EXAMPLE-P1", "staff_pid": "EXAMPLE-S1", "external_id": "EXAMPLE-A1"}


class CsvError(Exception):
    """A file that cannot be read as CSV at all."""

    def __init__(self, template: str, **params: Any) -> None:
        super().__init__(template % params if params else template)
        self.problem = Problem(None, None, template, params)


class TooManyRows(Exception):
    """More data rows than one upload may hold."""


@dataclass(frozen=True)
class Table:
    """A CSV file as text cells: the normalised header and the data rows (blank rows included, as spreadsheets
    count them)."""

    header: list[str]
    rows: list[list[str]]


def normalise_column(name: str) -> str:
    """Return a header cell as a field name ("Patient PID" -> patient_pid), as spreadsheets vary the case."""
    return "_".join(name.strip().lower().replace("-", " ").split())


def read_csv(data: bytes, max_rows: int) -> Table:
    """Read a CSV file; the delimiter is whichever of ; , tab the header uses most.

    :raises CsvError: when the file is not UTF-8 text or has no header.
    :raises TooManyRows: when it holds more than max_rows data rows.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvError(N_("The file is not UTF-8 text. In Excel, save it as 'CSV UTF-8'.")) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first_line.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise CsvError(N_("The file is not valid CSV: %(error)s."), error=str(error)) from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise CsvError(N_("The file is empty; the first row must name the columns."))
    if len(rows) - 1 > max_rows:
        raise TooManyRows(max_rows)
    return Table([normalise_column(cell) for cell in rows[0]], rows[1:])


def csv_columns(spec: Spec, ctx: Context) -> list[str]:
    """Return the template's columns: the fields, then one column per count type."""
    columns = [f.name for f in spec.fields]
    for counts in spec.counts:
        columns.extend(counts.csv_prefix + key for key in _count_keys(counts, ctx))
    return columns


def _count_keys(counts: Counts, ctx: Context) -> list[str]:
    if counts.keys is not None:
        return list(counts.keys)
    return ctx.measurement_types


def column_of(spec: Spec, field: str | None) -> str | None:
    """Return the CSV column a record field came from (received.weight -> received_weight)."""
    if field is None or "." not in field:
        return field
    name, key = field.split(".", 1)
    prefix = next((c.csv_prefix for c in spec.counts if c.name == name), "")
    return prefix + key


def to_records(spec: Spec, table: Table, ctx: Context) -> tuple[list[dict[str, Any]], list[int], list[Problem]]:
    """Turn rows into records; return them, their data-row indexes and the problems with the columns or rows."""
    columns, problems = _map_columns(spec, table.header, ctx)
    if problems:
        return [], [], problems  # rows cannot be read against a wrong header; fix the columns first
    records: list[dict[str, Any]] = []
    indexes: list[int] = []
    for index, row in enumerate(table.rows):
        if all(is_blank(cell) for cell in row):
            continue
        if len(row) > len(columns) and not all(is_blank(cell) for cell in row[len(columns) :]):
            problems.append(Problem(index, None, N_("This row has more cells than the header has columns.")))
            continue
        records.append(_record(columns, row))
        indexes.append(index)
    return records, indexes, problems


def at_rows(problems: list[Problem], indexes: list[int]) -> list[Problem]:
    """Translate problems about the n-th record into problems about its data row (blank rows skipped)."""
    return [p if p.index is None else replace(p, index=indexes[p.index]) for p in problems]


def _map_columns(spec: Spec, header: list[str], ctx: Context) -> tuple[list[tuple[str, str | None]], list[Problem]]:
    """Return (field, count key) per column, or the problems with the header."""
    by_column: dict[str, tuple[str, str | None]] = {f.name: (f.name, None) for f in spec.fields}
    for counts in spec.counts:
        by_column |= {counts.csv_prefix + key: (counts.name, key) for key in _count_keys(counts, ctx)}
    columns: list[tuple[str, str | None]] = []
    problems: list[Problem] = []
    for name in header:
        if name in by_column and name not in header[: len(columns)]:
            columns.append(by_column[name])
            continue
        columns.append(("", None))
        problems.append(Problem(None, name or "?", _column_problem(spec, name, header[: len(columns) - 1])))
    missing = [f.name for f in spec.fields if f.required and f.name not in header]
    problems.extend(Problem(None, name, N_("This required column is missing.")) for name in missing)
    return columns, problems


def _column_problem(spec: Spec, name: str, before: list[str]) -> str:
    if not name:
        return N_("A column has no name; remove it or name it.")
    if name in before:
        return N_("This column appears twice.")
    if any(counts.keys is None and name.startswith(counts.csv_prefix) for counts in spec.counts):
        return N_("None of your programmes measures this type.")
    forbidden = forbidden_field(name)
    if forbidden:
        return forbidden
    return N_("Unknown column; use the columns of the template.")


def _record(columns: list[tuple[str, str | None]], row: list[str]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for (field, key), cell in zip(columns, row, strict=False):
        if key is None:
            record[field] = cell
        elif not is_blank(cell):
            record.setdefault(field, {})[key] = cell
    return record


def template_csv(spec: Spec, ctx: Context) -> str:
    """Return a template: the header and one example row, which the import refuses until it is replaced."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=TEMPLATE_DELIMITER, lineterminator="\r\n")
    writer.writerow(csv_columns(spec, ctx))
    writer.writerow(_example_row(spec, ctx))
    return "\ufeff" + out.getvalue()  # the BOM tells Excel the file is UTF-8


def _example_row(spec: Spec, ctx: Context) -> list[str]:
    programme = next(iter(ctx.programmes.values()), None)
    values: dict[str, Any] = {f.name: f.example for f in spec.fields} | EXAMPLE_PIDS
    if programme is not None:
        values["programme"] = programme.id
        values["team"] = min(programme.teams_by_id.values(), default=None)
        values["severity"] = min(programme.severities, default="")
    row = [_cell(values.get(f.name)) for f in spec.fields]
    types = programme.measurement_types if programme is not None else frozenset()
    for counts in spec.counts:
        default = next(iter(counts.example.values()))
        for key in _count_keys(counts, ctx):
            measured = counts.keys is not None or key in types
            row.append(_cell(counts.example.get(key, default)) if measured else "")
    return row


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
