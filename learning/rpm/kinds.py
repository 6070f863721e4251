"""The five kinds of RPM record: fields, natural keys, descriptions (docs/metrics.md, "Data behind the metrics")."""

from __future__ import annotations

from typing import Any

from learning.rpm.fields import (
    Counts,
    Field,
    Kind,
    Spec,
    choice,
    parse_bool,
    parse_code,
    parse_count,
    parse_date,
    parse_datetime,
    parse_id,
    parse_month,
    parse_pseudonym,
    parse_team,
)
from learning.rpm.problems import N_
from learning.rpm.vocabulary import ACTION_TYPES, DISENROL_REASONS, OUTCOMES, SOURCES, STAFF_ACTIONS

DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
PID = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"}
COUNT = {"type": "integer", "minimum": 0}


def _enum(options: tuple[str, ...]) -> dict[str, Any]:
    return {"type": "string", "enum": list(options)}


def _date(name: str, required: bool, help_text: str, example: str | None) -> Field:
    return Field(name, parse_date, required, help_text, DATE, example)


def _pid(name: str, help_text: str, example: str) -> Field:
    return Field(name, parse_pseudonym, True, help_text, PID, example)


PROGRAMME = Field(
    "programme", parse_id, True, N_("Programme number (see the list of programmes)."), {"type": "integer"}, 1
)
TEAM = Field(
    "team",
    parse_team,
    False,
    N_("Team number or exact team name; the team must work in the programme."),
    {"type": ["integer", "string"]},
    "Hartfalenpoli",
)
PATIENT = _pid("patient_pid", N_("The organisation's pseudonym of the patient (never a name or BSN)."), "P-000123")

ENROLMENTS = Spec(
    Kind.ENROLMENTS,
    N_("Enrolments"),
    (
        PROGRAMME,
        PATIENT,
        TEAM,
        _date("offered_at", False, N_("Day RPM was offered to the patient."), "2025-02-20"),
        _date("enrolled_at", False, N_("Day the patient enrolled; empty if the offer was declined."), "2025-03-01"),
        _date("first_measurement_at", False, N_("Day the first measurement arrived."), "2025-03-02"),
        _date("disenrolled_at", False, N_("Day the patient stopped; empty while enrolled."), None),
        Field(
            "disenrol_reason",
            choice(DISENROL_REASONS),
            False,
            N_("Why the patient stopped; required with a stop date."),
            _enum(DISENROL_REASONS),
            None,
        ),
    ),
    (),
    ("programme", "patient_pid"),
)

DAILY = Spec(
    Kind.DAILY,
    N_("Daily measurements"),
    (
        PROGRAMME,
        PATIENT,
        _date("day", True, N_("The day the counts are about."), "2025-03-02"),
        Field(
            "expected",
            parse_bool,
            True,
            N_("Did the care plan expect a measurement that day?"),
            {"type": "boolean"},
            True,
        ),
    ),
    (
        Counts(
            "received",
            "received_",
            None,
            N_("How many measurements of each type arrived (one column per type of the programme)."),
            {"weight": 1},
        ),
        Counts(
            "manual",
            "manual_",
            None,
            N_("How many of those were typed in instead of sent by a device (at most the number received)."),
            {"weight": 0},
        ),
    ),
    ("programme", "patient_pid", "day"),
)

ALERTS = Spec(
    Kind.ALERTS,
    N_("Alerts"),
    (
        PROGRAMME,
        Field(
            "external_id",
            parse_pseudonym,
            True,
            N_("The platform's own id of the alert; sending it again updates the alert."),
            PID,
            "A-2025-0042",
        ),
        PATIENT,
        TEAM,
        Field(
            "severity",
            parse_code,
            True,
            N_("Severity: one of the programme's service levels."),
            {"type": "string"},
            "red",
        ),
        Field("created_at", parse_datetime, True, N_("When the alert was raised."), DATETIME, "2025-03-02T09:15+01:00"),
        Field(
            "first_action_at",
            parse_datetime,
            False,
            N_("When someone first acted on it (acknowledged or contacted); empty if nobody did yet."),
            DATETIME,
            "2025-03-02T09:40+01:00",
        ),
        Field(
            "action_type",
            choice(ACTION_TYPES),
            False,
            N_("What that first action was."),
            _enum(ACTION_TYPES),
            "contacted",
        ),
        Field("outcome", choice(OUTCOMES), False, N_("What the alert led to."), _enum(OUTCOMES), "contact"),
    ),
    (),
    ("programme", "external_id"),
)

STAFF_ACTIVITY = Spec(
    Kind.STAFF_ACTIVITY,
    N_("Staff RPM activity"),
    (
        PROGRAMME,
        _pid("staff_pid", N_("The organisation's pseudonym of the member of staff (as in the HR roster)."), "S-0042"),
        _date("day", True, N_("The day the counts are about."), "2025-03-02"),
    ),
    (
        Counts(
            "actions",
            "",
            STAFF_ACTIONS,
            N_("How many RPM actions of each type this person did that day."),
            {"enrolments": 1, "reviews": 6, "alerts_handled": 2, "contacts": 1},
        ),
    ),
    ("programme", "staff_pid", "day"),
)

ELIGIBLE_COUNTS = Spec(
    Kind.ELIGIBLE_COUNTS,
    N_("Eligible patients"),
    (
        PROGRAMME,
        Field("period", parse_month, True, N_("The calendar month counted."), {"type": "string"}, "2025-03"),
        Field("count", parse_count, True, N_("Patients eligible for the programme that month."), COUNT, 140),
        Field("source", choice(SOURCES), True, N_("Where the count comes from."), _enum(SOURCES), "ehr"),
    ),
    (),
    ("programme", "period"),
)

SPECS: dict[Kind, Spec] = {spec.kind: spec for spec in (ENROLMENTS, DAILY, ALERTS, STAFF_ACTIVITY, ELIGIBLE_COUNTS)}
