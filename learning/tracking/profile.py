"""Our xAPI Profile for RPM usage (xAPI Profiles 1.0, JSON-LD): the statements a care organisation's RPM platform
sends to the LRS, published under our own IRIs so every verb, type and extension resolves on this site.

Built from the tables below rather than kept as a file, because every IRI hangs off XAPI_BASE_IRI and the sync
(sync_rpm.py) reads statements with the same names: one source for the document and the code that reads it.
Counts only, never measurement values; actors are the organisation's pseudonymous accounts (privacy.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from learning.rpm.vocabulary import ACTION_TYPES, DISENROL_REASONS, OUTCOMES, STAFF_ACTIONS

PROFILE_PATH = "/xapi/profiles/rpm"
VERSION = "v1"
GENERATED_AT = "2026-11-24T00:00:00Z"
CONTEXT = "https://w3id.org/xapi/profiles/context"
CONFORMS_TO = "https://w3id.org/xapi/profiles#1.0"
PSEUDONYM = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"}
COUNT = {"type": "integer", "minimum": 0}
COUNTS_SCHEMA = {"type": "object", "propertyNames": {"pattern": "^[a-z0-9_]{1,20}$"}, "additionalProperties": COUNT}
ACTIONS_SCHEMA = {"type": "object", "propertyNames": {"enum": list(STAFF_ACTIONS)}, "additionalProperties": COUNT}

# name: (English label, Dutch label, definition)
VERBS: dict[str, tuple[str, str, str]] = {
    "enrolled": (
        "enrolled",
        "ingeschreven",
        "The patient (actor) was enrolled in the RPM programme (object): consented and the account is active. The "
        "timestamp is the moment of enrolment; its date, in the offset it is sent with, is the enrolment date.",
    ),
    "disenrolled": (
        "disenrolled",
        "uitgeschreven",
        "The patient (actor) left the RPM programme (object). The timestamp's date is the day of leaving; the "
        "disenrol-reason result extension says why.",
    ),
    "transmitted": (
        "transmitted",
        "verzonden",
        "One measurement day of the patient (actor): how many measurements of each type arrived (received-counts, "
        "manual-counts) on the day named by the day extension, and whether the care plan expected any. Counts "
        "only: a statement MUST NOT carry measurement values. A later statement for the same day replaces it.",
    ),
    "alert-raised": (
        "raised an alert",
        "alarm gegenereerd",
        "The platform raised an alert about the patient (actor). The timestamp is when it was created; alert-id is "
        "the platform's own id for it and severity its level.",
    ),
    "alert-handled": (
        "handled an alert",
        "alarm opgevolgd",
        "A first action was taken on an alert about the patient (actor), named by alert-id. The timestamp is the "
        "moment of that first action (acknowledged, contacted, ...); action-type and outcome say what happened.",
    ),
    "staff-acted": (
        "did RPM work",
        "RPM-handelingen verricht",
        "The staff member (actor) did RPM work in the programme on the day named by the day extension; "
        "action-counts holds how many actions of each kind. A later statement for the same day replaces it.",
    ),
}

# name: (type, English label, Dutch label, definition, JSON Schema, verbs it is recommended with)
# fmt: off
EXTENSIONS: dict[str, tuple[str, str, str, str, dict[str, Any], tuple[str, ...]]] = {
    "programme": (
        "ContextExtension", "programme", "programma",
        "The RPM programme as this site publishes it: its IRI {programme}<id>, or that number alone.",
        {"type": ["string", "integer"]}, tuple(VERBS),
    ),
    "team": (
        "ContextExtension", "team", "team",
        "The pseudonym of the team (ward, clinic, practice) involved, as this site issued it; never a name.",
        {"type": "string", "maxLength": 36}, ("enrolled", "alert-raised"),
    ),
    "day": (
        "ContextExtension", "day", "dag",
        "The calendar day (YYYY-MM-DD, the organisation's own time zone) the counts are about.",
        {"type": "string", "format": "date"}, ("transmitted", "staff-acted"),
    ),
    "expected": (
        "ContextExtension", "measurement expected", "meting verwacht",
        "Whether the patient's care plan expected at least one measurement on the day.",
        {"type": "boolean"}, ("transmitted",),
    ),
    "offered-on": (
        "ContextExtension", "offered on", "aangeboden op",
        "The day (YYYY-MM-DD) RPM was offered to the patient, when known.",
        {"type": "string", "format": "date"}, ("enrolled",),
    ),
    "alert-id": (
        "ContextExtension", "alert id", "alarm-id",
        "The platform's own opaque id of the alert; the same alert always has the same id.",
        PSEUDONYM, ("alert-raised", "alert-handled"),
    ),
    "severity": (
        "ContextExtension", "severity", "ernst",
        "The alert's level as the programme's alert service levels name it (e.g. red, orange).",
        {"type": "string", "pattern": "^[a-z0-9_]{1,20}$"}, ("alert-raised",),
    ),
    "disenrol-reason": (
        "ResultExtension", "reason for leaving", "reden van uitschrijven",
        "Why the patient left: " + ", ".join(DISENROL_REASONS) + ".",
        {"type": "string", "enum": list(DISENROL_REASONS)}, ("disenrolled",),
    ),
    "received-counts": (
        "ResultExtension", "measurements received", "ontvangen metingen",
        "Measurements received on the day per type of the programme's measurement schedule, e.g. "
        "{\"weight\": 1, \"bp\": 2}; counts, never values. A type left out counts as 0.",
        COUNTS_SCHEMA, ("transmitted",),
    ),
    "manual-counts": (
        "ResultExtension", "measurements typed in", "handmatige metingen",
        "Of the received measurements, how many per type were typed in rather than sent by a device.",
        COUNTS_SCHEMA, ("transmitted",),
    ),
    "action-type": (
        "ResultExtension", "first action", "eerste actie",
        "What the first action on the alert was: " + ", ".join(ACTION_TYPES) + ".",
        {"type": "string", "enum": list(ACTION_TYPES)}, ("alert-handled",),
    ),
    "outcome": (
        "ResultExtension", "outcome", "uitkomst",
        "What the alert led to: " + ", ".join(OUTCOMES) + ".",
        {"type": "string", "enum": list(OUTCOMES)}, ("alert-handled",),
    ),
    "action-counts": (
        "ResultExtension", "RPM actions", "RPM-handelingen",
        "The staff member's RPM actions on the day per kind (" + ", ".join(STAFF_ACTIONS) + "), e.g. "
        "{\"enrolments\": 1, \"reviews\": 4}.",
        ACTIONS_SCHEMA, ("staff-acted",),
    ),
}
# fmt: on

# verb: (context extensions it must have, result extensions it must have)
TEMPLATES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "enrolled": (("programme",), ()),
    "disenrolled": (("programme",), ("disenrol-reason",)),
    "transmitted": (("programme", "day", "expected"), ("received-counts",)),
    "alert-raised": (("programme", "alert-id", "severity"), ()),
    "alert-handled": (("programme", "alert-id"), ("action-type",)),
    "staff-acted": (("programme", "day"), ("action-counts",)),
}
IDENTIFYING = "$.actor.mbox | $.actor.mbox_sha1sum | $.actor.openid | $.actor.name"


@dataclass(frozen=True)
class RpmIris:
    """Every IRI of the profile, from XAPI_BASE_IRI (the site's root URL)."""

    base: str

    @property
    def profile(self) -> str:
        return self.base.rstrip("/") + PROFILE_PATH

    @property
    def version(self) -> str:
        return f"{self.profile}/{VERSION}"

    @property
    def programme_type(self) -> str:
        return f"{self.profile}/activity-types/programme"

    @property
    def programme_prefix(self) -> str:
        return self.base.rstrip("/") + "/xapi/rpm/programme/"

    def verb(self, name: str) -> str:
        return f"{self.profile}/verbs/{name}"

    def extension(self, name: str) -> str:
        return f"{self.profile}/extensions/{name}"

    def template(self, name: str) -> str:
        return f"{self.profile}/templates/{name}"

    def programme(self, programme_id: int) -> str:
        return f"{self.programme_prefix}{programme_id}"


def _lang(en: str, nl: str | None = None) -> dict[str, str]:
    return {"en": en, "nl": nl} if nl else {"en": en}


def _concepts(iris: RpmIris) -> list[dict[str, Any]]:
    common = {"inScheme": iris.version}
    concepts: list[dict[str, Any]] = [
        {"id": iris.verb(name), "type": "Verb", **common, "prefLabel": _lang(en, nl), "definition": _lang(text)}
        for name, (en, nl, text) in VERBS.items()
    ]
    concepts.append(
        {
            "id": iris.programme_type,
            "type": "ActivityType",
            **common,
            "prefLabel": _lang("RPM programme", "RPM-programma"),
            "definition": _lang(
                "A remote patient monitoring programme of one care organisation, as this site lists it."
            ),
        }
    )
    for name, (kind, en, nl, text, schema, verbs) in EXTENSIONS.items():
        concepts.append(
            {
                "id": iris.extension(name),
                "type": kind,
                **common,
                "prefLabel": _lang(en, nl),
                "definition": _lang(text.replace("{programme}", iris.programme_prefix)),
                "recommendedVerbs": [iris.verb(verb) for verb in verbs],
                "inlineSchema": json.dumps(schema, separators=(",", ":")),
            }
        )
    return concepts


def _template(iris: RpmIris, verb: str) -> dict[str, Any]:
    context_names, result_names = TEMPLATES[verb]
    rules = [
        {"location": "$.actor.account.homePage", "presence": "included"},
        {"location": "$.actor.account.name", "presence": "included"},
        {"location": IDENTIFYING, "presence": "excluded", "scopeNote": _lang("Actors are pseudonymous accounts.")},
        {"location": "$.context.contextActivities.category[*].id", "presence": "recommended", "any": [iris.version]},
    ]
    for part, names in (("context", context_names), ("result", result_names)):
        rules += [{"location": f"$.{part}.extensions['{iris.extension(n)}']", "presence": "included"} for n in names]
    return {
        "id": iris.template(verb),
        "type": "StatementTemplate",
        "inScheme": iris.version,
        "prefLabel": _lang(f"RPM {VERBS[verb][0]}"),
        "definition": _lang(f"How to send '{verb}': {VERBS[verb][2]}"),
        "verb": iris.verb(verb),
        "objectActivityType": iris.programme_type,
        "rules": rules,
    }


def build_profile(base_iri: str) -> dict[str, Any]:
    """Return the profile document (JSON-LD, xAPI Profiles 1.0) for a site whose root IRI is `base_iri`."""
    iris = RpmIris(base_iri)
    return {
        "@context": CONTEXT,
        "id": iris.profile,
        "type": "Profile",
        "conformsTo": CONFORMS_TO,
        "prefLabel": _lang("VTC remote patient monitoring usage", "VTC gebruik van zorg op afstand"),
        "definition": _lang(
            "Statements a care organisation's RPM platform sends so that training can be related to RPM practice: "
            "enrolments, measurement days as counts, alerts and their first action, and staff RPM work per day. "
            "Actors are the organisation's pseudonymous accounts; statements never carry names, measurement "
            "values or diagnoses. Send statements in xAPI 1.0.3 form."
        ),
        "versions": [{"id": iris.version, "generatedAtTime": GENERATED_AT}],
        "author": {"type": "Organization", "name": "Virtual Training Centre", "url": base_iri},
        "concepts": _concepts(iris),
        "templates": [_template(iris, verb) for verb in TEMPLATES],
    }


def find_concept(base_iri: str, iri: str) -> dict[str, Any] | None:
    """Return the concept or template with this IRI as a JSON-LD document of its own, or None."""
    profile = build_profile(base_iri)
    for entry in (*profile["concepts"], *profile["templates"]):
        if entry["id"] == iri:
            return {"@context": CONTEXT, **entry}
    return None
