"""The OpenAPI 3.1 document of the RPM ingestion API, built from the same field table the validation uses."""

from __future__ import annotations

from typing import Any

from learning.rpm.fields import Counts, Field, Kind, Spec
from learning.rpm.kinds import SPECS

MAX_RECORDS = 5000
DESCRIPTION = """\
Care organisations send remote patient monitoring usage as counts and dates, keyed by their own pseudonyms.
Never send names, e-mail addresses, BSNs, dates of birth, diagnoses or measurement values: such fields and values
are refused.

Each request carries one kind of record. A batch is imported whole or not at all: when any record is invalid the
answer is 422 with every problem (record index, field, message) and nothing is stored. Records are upserted on
their natural key, so sending the same batch again changes nothing (all records are reported `unchanged`).
Dates are `YYYY-MM-DD`; times without an offset are Dutch local time (Europe/Amsterdam).
Authenticate with an organisation API key: HTTP Basic with `KEY_ID:SECRET`, or `Authorization: Bearer
KEY_ID:SECRET`. Every programme named must belong to the key's organisation (403 otherwise)."""

KEYS = {
    Kind.ENROLMENTS: "programme + patient_pid",
    Kind.DAILY: "programme + patient_pid + day",
    Kind.ALERTS: "programme + external_id",
    Kind.STAFF_ACTIVITY: "programme + staff_pid + day",
    Kind.ELIGIBLE_COUNTS: "programme + period",
}
PROBLEM_RESPONSES = {
    "400": "The body is not valid JSON.",
    "401": "The API key is missing, unknown, wrong or revoked.",
    "403": "A record names a programme that is not one of the key's organisation.",
    "413": f"More than {MAX_RECORDS} records, or a body larger than the limit.",
    "415": "The body is not application/json.",
}


def schema_name(kind: Kind) -> str:
    """Return the schema name stem of a kind (staff-activity -> StaffActivity)."""
    return "".join(part.title() for part in kind.value.split("-"))


def build_document(server_url: str) -> dict[str, Any]:
    """Return the OpenAPI document, with the server at server_url (…/api/rpm)."""
    paths: dict[str, Any] = {f"/v1/{kind.value}": {"post": _operation(SPECS[kind])} for kind in Kind}
    paths["/openapi.json"] = {
        "get": {
            "operationId": "getOpenApi",
            "summary": "This document",
            "security": [],
            "responses": {"200": {"description": "The OpenAPI document.", "content": {"application/json": {}}}},
        }
    }
    schemas: dict[str, Any] = {}
    for kind in Kind:
        schemas[schema_name(kind) + "Record"] = _record_schema(SPECS[kind])
        schemas[schema_name(kind) + "Batch"] = _batch_schema(kind)
    return {
        "openapi": "3.1.0",
        "info": {"title": "VTC RPM ingestion API", "version": "1.0.0", "description": DESCRIPTION},
        "servers": [{"url": server_url}],
        "security": [{"basicAuth": []}, {"bearerAuth": []}],
        "paths": paths,
        "components": {"schemas": schemas | _shared_schemas(), "securitySchemes": _security_schemes()},
    }


def _operation(spec: Spec) -> dict[str, Any]:
    name = schema_name(spec.kind)
    responses: dict[str, Any] = {
        "200": _json_response("Every record is stored; the counts say what changed.", "ImportReport"),
        "422": _json_response("Nothing was stored: the listed records are invalid.", "ValidationProblem", True),
    }
    responses |= {code: _json_response(text, "Problem", True) for code, text in PROBLEM_RESPONSES.items()}
    return {
        "operationId": "import" + name,
        "summary": f"Import {spec.title.lower()}",
        "description": f"Upserts on {KEYS[spec.kind]}. At most {MAX_RECORDS} records per request.",
        "tags": ["ingestion"],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": f"#/components/schemas/{name}Batch"},
                    "example": {"records": [_example(spec)]},
                }
            },
        },
        "responses": dict(sorted(responses.items())),
    }


def _json_response(description: str, schema: str, problem: bool = False) -> dict[str, Any]:
    media = "application/problem+json" if problem else "application/json"
    return {"description": description, "content": {media: {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def _field_schema(f: Field) -> dict[str, Any]:
    schema = dict(f.schema)
    if not f.required:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        schema["type"] = [*kinds, "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    if f.name == "period":
        schema["pattern"] = r"^\d{4}-(0[1-9]|1[0-2])$"
    return schema | {"description": f.help}


def _counts_schema(counts: Counts) -> dict[str, Any]:
    count = {"type": "integer", "minimum": 0}
    schema: dict[str, Any] = {"type": "object", "description": counts.help}
    if counts.keys is None:
        schema["additionalProperties"] = count
        schema["description"] += " Keys: the measurement types of the programme's schedule."
    else:
        schema["properties"] = dict.fromkeys(counts.keys, count)
        schema["additionalProperties"] = False
    return schema


def _record_schema(spec: Spec) -> dict[str, Any]:
    properties = {f.name: _field_schema(f) for f in spec.fields}
    properties |= {c.name: _counts_schema(c) for c in spec.counts}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [f.name for f in spec.fields if f.required],
        "properties": properties,
    }


def _batch_schema(kind: Kind) -> dict[str, Any]:
    items = {"$ref": f"#/components/schemas/{schema_name(kind)}Record"}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["records"],
        "properties": {"records": {"type": "array", "maxItems": MAX_RECORDS, "items": items}},
    }


def _example(spec: Spec) -> dict[str, Any]:
    record = {f.name: f.example for f in spec.fields if f.example is not None}
    return record | {c.name: c.example for c in spec.counts}


def _shared_schemas() -> dict[str, Any]:
    count = {"type": "integer", "minimum": 0}
    names = ("received", "inserted", "updated", "unchanged", "rejected")
    return {
        "ImportReport": {
            "type": "object",
            "required": ["kind", *names],
            "properties": {"kind": {"type": "string", "enum": [k.value for k in Kind]}} | dict.fromkeys(names, count),
        },
        "Problem": {
            "type": "object",
            "required": ["status", "title", "detail"],
            "properties": {"status": {"type": "integer"}, "title": {"type": "string"}, "detail": {"type": "string"}},
        },
        "RecordError": {
            "type": "object",
            "required": ["index", "field", "message"],
            "properties": {
                "index": {"type": ["integer", "null"], "description": "0-based index of the record in `records`."},
                "field": {"type": ["string", "null"], "description": "The field, e.g. `received.weight`."},
                "message": {"type": "string"},
            },
        },
        "ValidationProblem": {
            "allOf": [
                {"$ref": "#/components/schemas/Problem"},
                {
                    "type": "object",
                    "required": ["errors"],
                    "properties": {
                        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/RecordError"}},
                        "rejected": count,
                    },
                },
            ]
        },
    }


def _security_schemes() -> dict[str, Any]:
    return {
        "basicAuth": {"type": "http", "scheme": "basic", "description": "User KEY_ID, password SECRET."},
        "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "KEY_ID:SECRET"},
    }
