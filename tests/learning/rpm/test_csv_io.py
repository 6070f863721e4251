"""Reading CSV files as Excel writes them, mapping columns to fields, and the templates (no database needed)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from learning.rpm.csv_io import CsvError, TooManyRows, read_csv, template_csv, to_records
from learning.rpm.kinds import DAILY, ENROLMENTS, SPECS, STAFF_ACTIVITY
from learning.rpm.records import Context, ProgrammeInfo, check_records

CTX = Context(
    organisation_id=1,
    programmes={
        7: ProgrammeInfo(
            7, "Hartfalen thuis", frozenset({"weight", "bp"}), frozenset({"red"}), {3: "Poli"}, {"poli": 3}
        ),
        8: ProgrammeInfo(8, "COPD op afstand", frozenset({"spo2"}), frozenset({"red"}), {}, {}),
    },
    now=datetime(2026, 1, 1, tzinfo=UTC),
)


@pytest.mark.parametrize(
    "data",
    [
        "\ufeffprogramme;patient_pid;enrolled_at\r\n7;P-1;2025-03-01\r\n".encode(),  # Dutch Excel, BOM
        b"programme,patient_pid,enrolled_at\n7,P-1,2025-03-01\n",
        b"Programme\tPatient PID\tenrolled-at\n7\tP-1\t2025-03-01\n",
    ],
)
def test_semicolons_commas_tabs_and_a_bom_read_the_same(data):
    table = read_csv(data, max_rows=10)
    assert table.header == ["programme", "patient_pid", "enrolled_at"]
    assert table.rows == [["7", "P-1", "2025-03-01"]]


def test_a_file_that_is_not_utf8_is_refused_with_advice():
    with pytest.raises(CsvError) as refused:
        read_csv("programme;patient_pid\n7;Zoë\n".encode("cp1252"), max_rows=10)
    assert "CSV UTF-8" in refused.value.problem.message


@pytest.mark.parametrize("data", [b"", b"\n", b" ; \n7;P-1\n"])
def test_a_file_without_a_header_is_refused(data):
    with pytest.raises(CsvError):
        read_csv(data, max_rows=10)


def test_more_rows_than_allowed_is_refused():
    with pytest.raises(TooManyRows):
        read_csv(b"programme\n1\n2\n3\n", max_rows=2)


def test_count_columns_become_count_objects_and_blank_cells_are_left_out():
    table = read_csv(b"programme;patient_pid;day;expected;received_weight;received_bp;manual_weight\n"
                     b"7;P-1;2025-03-02;ja;1;;0\n", max_rows=10)  # fmt: skip
    records, indexes, problems = to_records(DAILY, table, CTX)
    assert problems == []
    assert records == [
        {"programme": "7", "patient_pid": "P-1", "day": "2025-03-02", "expected": "ja",
         "received": {"weight": "1"}, "manual": {"weight": "0"}},
    ]  # fmt: skip
    assert indexes == [0]


def test_staff_action_columns_are_the_action_names():
    table = read_csv(b"programme;staff_pid;day;reviews;alerts_handled\n7;S-1;2025-03-02;4;1\n", max_rows=10)
    records, _, problems = to_records(STAFF_ACTIVITY, table, CTX)
    assert problems == []
    assert records[0]["actions"] == {"reviews": "4", "alerts_handled": "1"}


@pytest.mark.parametrize(
    ("header", "column", "fragment"),
    [
        ("programme;patient_pid;enrolled_at;weight_kg", "weight_kg", "Measurement values"),
        ("programme;patient_pid;enrolled_at;systolic", "systolic", "Measurement values"),
        ("programme;patient_pid;enrolled_at;naam", "naam", "Names"),
        ("programme;patient_pid;enrolled_at;email", "email", "E-mail"),
        ("programme;patient_pid;enrolled_at;bsn", "bsn", "BSN"),
        ("programme;patient_pid;enrolled_at;geboortedatum", "geboortedatum", "Dates of birth"),
        ("programme;patient_pid;enrolled_at;remarks", "remarks", "Unknown column"),
        ("programme;patient_pid;enrolled_at;patient_pid", "patient_pid", "appears twice"),
        ("programme;enrolled_at", "patient_pid", "required column is missing"),
    ],
)
def test_column_problems_are_reported_once_at_the_header(header, column, fragment):
    table = read_csv(f"{header}\n7;P-1;2025-03-01;x\n".encode(), max_rows=10)
    records, _, problems = to_records(ENROLMENTS, table, CTX)
    assert records == []
    assert [(p.row, p.field) for p in problems] == [(1, column)]
    assert fragment in problems[0].message


def test_a_count_column_of_a_type_no_programme_measures_is_refused():
    table = read_csv(b"programme;patient_pid;day;expected;received_glucose\n7;P-1;2025-03-02;yes;1\n", max_rows=10)
    _, _, problems = to_records(DAILY, table, CTX)
    assert [(p.field, p.message) for p in problems] == [
        ("received_glucose", "None of your programmes measures this type.")
    ]


def test_blank_rows_are_skipped_but_keep_the_spreadsheet_row_numbers():
    data = b"programme;patient_pid;enrolled_at\n7;P-1;2025-03-01\n;;\n7;P-2;2025-03-01;;\n7;P-3;2025-03-01;extra\n"
    records, indexes, problems = to_records(ENROLMENTS, read_csv(data, max_rows=10), CTX)
    assert [r["patient_pid"] for r in records] == ["P-1", "P-2"]
    assert indexes == [0, 2]  # spreadsheet rows 2 and 4
    assert [(p.row, p.message) for p in problems] == [(5, "This row has more cells than the header has columns.")]


def test_the_template_has_every_column_and_an_example_row_that_is_refused():
    text = template_csv(DAILY, CTX)
    assert text.startswith("\ufeff")
    header, example = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert header == ["programme", "patient_pid", "day", "expected", "received_bp", "received_spo2",
                      "received_weight", "manual_bp", "manual_spo2", "manual_weight"]  # fmt: skip
    # the first programme (7) measures bp and weight, not spo2
    assert example == ["7", "EXAMPLE-P1", "2025-03-02", "yes", "1", "", "1", "0", "", "0"]
    records, _, _ = to_records(DAILY, read_csv(text.encode(), max_rows=10), CTX)
    checked = check_records(DAILY, records, CTX)
    assert [(p.field, p.message) for p in checked.problems] == [
        ("patient_pid", "This is the template's example row: replace it with real data or delete it.")
    ]


@pytest.mark.parametrize("spec", SPECS.values(), ids=str)
def test_every_template_reads_back_without_column_problems(spec):
    _, _, problems = to_records(spec, read_csv(template_csv(spec, CTX).encode(), max_rows=10), CTX)
    assert problems == []
