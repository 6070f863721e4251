"""Statement validation (xAPI 1.0.3 Data 2.2-2.4 and 4.x; xAPI 2.0 where it differs).

The LRS is the last line of defence for interoperability: anything accepted here is stored and served
forever, so every MUST of the spec is enforced, and each rejection names the JSON path of the problem so a
client developer can fix it without reading the spec.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, cast

from lrs.xapi.agent import (
    IFI_PROPERTIES,
    check_keys,
    fail,
    json_type,
    key_path,
    object_type,
    require_array,
    require_object,
    require_string,
    show,
    validate_actor,
    validate_agent,
    validate_group,
    validate_iri,
)
from lrs.xapi.errors import BadRequest
from lrs.xapi.timestamps import parse_timestamp, validate_duration
from lrs.xapi.version import is_v2

VOIDED = "http://adlnet.gov/expapi/verbs/voided"

_STATEMENT_KEYS = frozenset(
    {"id", "actor", "verb", "object", "result", "context", "timestamp"}
    | {"stored", "authority", "version", "attachments"}
)
_SUBSTATEMENT_KEYS = frozenset(
    {"objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"}
)
_SUBSTATEMENT_FORBIDDEN = frozenset({"id", "stored", "version", "authority"})
_REQUIRED = ("actor", "verb", "object")
_RESULT_KEYS = frozenset({"score", "success", "completion", "response", "duration", "extensions"})
_SCORE_KEYS = frozenset({"scaled", "raw", "min", "max"})
_CONTEXT_KEYS = frozenset(
    {"registration", "instructor", "team", "contextActivities", "revision", "platform"}
    | {"language", "statement", "extensions"}
)
_CONTEXT_KEYS_V2 = _CONTEXT_KEYS | {"contextAgents", "contextGroups"}
_CONTEXT_ACTIVITY_KEYS = frozenset({"parent", "grouping", "category", "other"})
_ACTIVITY_KEYS = frozenset({"objectType", "id", "definition"})
_DEFINITION_KEYS = frozenset(
    {"name", "description", "type", "moreInfo", "extensions", "interactionType", "correctResponsesPattern"}
    | {"choices", "scale", "source", "target", "steps"}
)
_COMPONENT_LISTS_BY_TYPE: Mapping[str, frozenset[str]] = {
    "true-false": frozenset(),
    "choice": frozenset({"choices"}),
    "fill-in": frozenset(),
    "long-fill-in": frozenset(),
    "matching": frozenset({"source", "target"}),
    "performance": frozenset({"steps"}),
    "sequencing": frozenset({"choices"}),
    "likert": frozenset({"scale"}),
    "numeric": frozenset(),
    "other": frozenset(),
}
_COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
_ATTACHMENT_KEYS = frozenset({"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"})
_ATTACHMENT_REQUIRED = ("usageType", "display", "contentType", "length", "sha2")
_OBJECT_TYPES = ("Activity", "Agent", "Group", "StatementRef", "SubStatement")

_UUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
_SHA2 = re.compile(r"[0-9A-Fa-f]{56}|[0-9A-Fa-f]{64}|[0-9A-Fa-f]{96}|[0-9A-Fa-f]{128}")
_TCHARS = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_MEDIA_TYPE = re.compile(rf"{_TCHARS}/{_TCHARS}\s*(?:;.*)?", re.DOTALL)
_V1_STATEMENT_VERSION = re.compile(r"1\.0(?:\.(?:0|[1-9][0-9]*))?")
_V2_STATEMENT_VERSION = re.compile(r"[12]\.0(?:\.(?:0|[1-9][0-9]*))?")

# RFC 5646 section 2.1 "langtag" production; uniqueness of variants/singletons is checked separately.
_LANGTAG = re.compile(
    r"(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"
    r"(?:-[A-Za-z]{4})?"
    r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
    r"(?P<variants>(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*)"
    r"(?P<extensions>(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*)"
    r"(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?"
)
_PRIVATE_USE_TAG = re.compile(r"[Xx](?:-[A-Za-z0-9]{1,8})+")
_GRANDFATHERED = frozenset(
    {"en-gb-oed", "i-ami", "i-bnn", "i-default", "i-enochian", "i-hak", "i-klingon", "i-lux", "i-mingo"}
    | {"i-navajo", "i-pwn", "i-tao", "i-tay", "i-tsu", "sgn-be-fr", "sgn-be-nl", "sgn-ch-de"}
    | {"art-lojban", "cel-gaulish", "no-bok", "no-nyn", "zh-guoyu", "zh-hakka", "zh-min", "zh-min-nan"}
    | {"zh-xiang"}
)


@dataclass(frozen=True)
class _Scope:
    """What the rules depend on besides the JSON itself: the request's xAPI version and nesting."""

    v2: bool
    in_substatement: bool = False


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------


def validate_statement(statement: object, *, version: str = "1.0.3", path: str = "statement") -> None:
    """Validate one statement as received from a client; raise BadRequest naming the offending JSON path.

    ``version`` is the negotiated API version: it decides whether 2.0-only properties are allowed.
    Properties the LRS sets itself (stored, authority, ...) may be sent, so they are checked too.
    """
    scope = _Scope(v2=is_v2(version))
    obj = require_object(statement, path)
    check_keys(obj, path, _STATEMENT_KEYS, _REQUIRED)
    object_kind = _validate_core(obj, path, scope)
    _validate_lrs_properties(obj, path, scope)
    if obj["verb"]["id"] == VOIDED and object_kind != "StatementRef":
        fail(f"{path}.object", "a voiding statement (verb 'voided') must have a StatementRef as its object")


def validate_statements(batch: object, *, version: str = "1.0.3") -> list[dict[str, Any]]:
    """Validate a POST body: one statement or an array of them (an empty array is allowed by the spec).

    Statement ids must be unique within a batch, since storing the batch is all-or-nothing.
    """
    if isinstance(batch, dict):
        validate_statement(batch, version=version)
        return [batch]
    if not isinstance(batch, list):
        raise BadRequest(f"statement: must be a statement object or an array of them, got {json_type(batch)}")
    for index, statement in enumerate(batch):
        validate_statement(statement, version=version, path=f"statement[{index}]")
    _reject_duplicate_ids(batch)
    return cast("list[dict[str, Any]]", batch)


def _reject_duplicate_ids(batch: list[Any]) -> None:
    """The spec says to reject such a batch; ids compare case-insensitively because UUID hex does."""
    seen: dict[str, int] = {}
    for index, statement in enumerate(batch):
        statement_id = statement.get("id")
        if isinstance(statement_id, str):
            first = seen.setdefault(statement_id.lower(), index)
            if first != index:
                fail(f"statement[{index}].id", f"duplicates statement[{first}].id within the same batch")


# ---------------------------------------------------------------------------
# Statement and SubStatement bodies
# ---------------------------------------------------------------------------


def _validate_core(obj: Mapping[str, Any], path: str, scope: _Scope) -> str:
    """The parts a Statement and a SubStatement share; returns the object's effective objectType."""
    validate_actor(obj["actor"], f"{path}.actor")
    _validate_verb(obj["verb"], f"{path}.verb")
    object_kind = _validate_object(obj["object"], f"{path}.object", scope)
    if "result" in obj:
        _validate_result(obj["result"], f"{path}.result")
    if "context" in obj:
        _validate_context(obj["context"], f"{path}.context", scope, object_kind)
    if "timestamp" in obj:
        _validate_timestamp(obj["timestamp"], f"{path}.timestamp")
    if "attachments" in obj:
        _validate_attachments(obj["attachments"], f"{path}.attachments")
    return object_kind


def _validate_lrs_properties(obj: Mapping[str, Any], path: str, scope: _Scope) -> None:
    """Properties the LRS normally sets; a client may send them, but then they must be well-formed."""
    if "id" in obj:
        validate_uuid(obj["id"], f"{path}.id")
    if "stored" in obj:
        _validate_timestamp(obj["stored"], f"{path}.stored")
    if "authority" in obj:
        _validate_authority(obj["authority"], f"{path}.authority")
    if "version" in obj:
        _validate_statement_version(obj["version"], f"{path}.version", scope)


def _validate_statement_version(value: object, path: str, scope: _Scope) -> None:
    """1.0.x statements are valid under every supported API version; 2.0.x ones only under 2.0."""
    text = require_string(value, path)
    pattern = _V2_STATEMENT_VERSION if scope.v2 else _V1_STATEMENT_VERSION
    if not pattern.fullmatch(text):
        allowed = "'1.0', '1.0.x', '2.0' or '2.0.x'" if scope.v2 else "'1.0' or '1.0.x'"
        fail(path, f"{show(text)} is not accepted; the statement version must be {allowed}")


def _validate_authority(value: object, path: str) -> None:
    """An Agent, or for 3-legged OAuth an anonymous Group of exactly two Agents (application and user)."""
    obj = require_object(value, path)
    validate_actor(obj, path)
    if object_type(obj, path) != "Group":
        return
    if any(key in obj for key in IFI_PROPERTIES):
        fail(path, "an authority Group must be anonymous (no mbox, mbox_sha1sum, openid or account)")
    if len(obj["member"]) != 2:
        fail(f"{path}.member", f"an authority Group must have exactly two Agents, got {len(obj['member'])}")


def _validate_verb(value: object, path: str) -> None:
    """The id carries the meaning; display is only for humans, so only its shape is checked."""
    obj = require_object(value, path)
    check_keys(obj, path, ("id", "display"), ("id",))
    validate_iri(obj["id"], f"{path}.id")
    if "display" in obj:
        validate_language_map(obj["display"], f"{path}.display")


# ---------------------------------------------------------------------------
# Objects
# ---------------------------------------------------------------------------


def _validate_object(value: object, path: str, scope: _Scope) -> str:
    """Dispatch on objectType (default Activity); the enum is case-sensitive per the spec."""
    obj = require_object(value, path)
    kind = object_type(obj, path, default="Activity")
    if "objectType" not in obj and any(key in obj for key in (*IFI_PROPERTIES, "member")):
        fail(f"{path}.objectType", "required when the object is an Agent or Group")
    if kind == "Activity":
        validate_activity(obj, path)
    elif kind in ("Agent", "Group"):
        validate_actor(obj, path)
    elif kind == "StatementRef":
        validate_statement_ref(obj, path)
    elif kind == "SubStatement":
        if scope.in_substatement:
            fail(f"{path}.objectType", "a SubStatement cannot contain another SubStatement")
        _validate_substatement(obj, path, scope)
    else:
        fail(f"{path}.objectType", f"must be one of {', '.join(_OBJECT_TYPES)}, got {show(str(kind))}")
    return str(kind)


def _validate_substatement(obj: Mapping[str, Any], path: str, scope: _Scope) -> None:
    """Validated as a Statement, minus the properties only the LRS can give a real, stored statement."""
    for key in _SUBSTATEMENT_FORBIDDEN:
        if key in obj:
            fail(f"{path}.{key}", "not allowed in a SubStatement")
    check_keys(obj, path, _SUBSTATEMENT_KEYS, _REQUIRED)
    _validate_core(obj, path, replace(scope, in_substatement=True))


def validate_statement_ref(value: object, path: str) -> None:
    """A StatementRef must say so explicitly and carry a UUID; the target need not exist."""
    obj = require_object(value, path)
    check_keys(obj, path, ("objectType", "id"), ("objectType", "id"))
    if obj["objectType"] != "StatementRef":
        fail(f"{path}.objectType", f"must be 'StatementRef', got {_describe(obj['objectType'])}")
    validate_uuid(obj["id"], f"{path}.id")


def validate_activity(value: object, path: str) -> None:
    """Public because context activities, and callers outside statements, validate bare Activities too."""
    obj = require_object(value, path)
    check_keys(obj, path, _ACTIVITY_KEYS, ("id",))
    if "objectType" in obj and obj["objectType"] != "Activity":
        fail(f"{path}.objectType", f"must be 'Activity', got {_describe(obj['objectType'])}")
    validate_iri(obj["id"], f"{path}.id")
    if "definition" in obj:
        _validate_definition(obj["definition"], f"{path}.definition")


def _validate_definition(value: object, path: str) -> None:
    """Definitions feed the canonical Activity metadata the LRS serves, so they must be well-formed too."""
    obj = require_object(value, path)
    check_keys(obj, path, _DEFINITION_KEYS)
    for key in ("name", "description"):
        if key in obj:
            validate_language_map(obj[key], f"{path}.{key}")
    for key in ("type", "moreInfo"):
        if key in obj:
            validate_iri(obj[key], f"{path}.{key}")
    if "extensions" in obj:
        validate_extensions(obj["extensions"], f"{path}.extensions")
    _validate_interaction(obj, path)


def _validate_interaction(definition: Mapping[str, Any], path: str) -> None:
    """Interaction properties only make sense with a valid interactionType, which then picks the lists."""
    interaction_keys = [key for key in ("correctResponsesPattern", *_COMPONENT_LISTS) if key in definition]
    if "interactionType" not in definition:
        if interaction_keys:
            fail(f"{path}.interactionType", f"required when {interaction_keys[0]} is present")
        return
    kind = require_string(definition["interactionType"], f"{path}.interactionType")
    if kind not in _COMPONENT_LISTS_BY_TYPE:
        fail(
            f"{path}.interactionType",
            f"must be one of {', '.join(_COMPONENT_LISTS_BY_TYPE)}, got {show(kind)}",
        )
    if "correctResponsesPattern" in definition:
        patterns = require_array(definition["correctResponsesPattern"], f"{path}.correctResponsesPattern")
        for index, pattern in enumerate(patterns):
            require_string(pattern, f"{path}.correctResponsesPattern[{index}]")
    for key in _COMPONENT_LISTS:
        if key in definition:
            if key not in _COMPONENT_LISTS_BY_TYPE[kind]:
                fail(f"{path}.{key}", f"not allowed for interactionType {kind!r}")
            _validate_components(definition[key], f"{path}.{key}")


def _validate_components(value: object, path: str) -> None:
    """Interaction components are told apart by id, so ids must be distinct within a list."""
    seen: dict[str, int] = {}
    for index, item in enumerate(require_array(value, path)):
        item_path = f"{path}[{index}]"
        obj = require_object(item, item_path)
        check_keys(obj, item_path, ("id", "description"), ("id",))
        component_id = require_string(obj["id"], f"{item_path}.id")
        if "description" in obj:
            validate_language_map(obj["description"], f"{item_path}.description")
        first = seen.setdefault(component_id, index)
        if first != index:
            fail(f"{item_path}.id", f"duplicates {path}[{first}].id ({show(component_id)})")


# ---------------------------------------------------------------------------
# Result
# ---------------------------------------------------------------------------


def _validate_result(value: object, path: str) -> None:
    """Typed strictly: the spec names strings-for-booleans and strings-for-numbers as must-reject cases."""
    obj = require_object(value, path)
    check_keys(obj, path, _RESULT_KEYS)
    if "score" in obj:
        _validate_score(obj["score"], f"{path}.score")
    for key in ("success", "completion"):
        if key in obj and not isinstance(obj[key], bool):
            fail(f"{path}.{key}", f"must be a boolean, got {json_type(obj[key])}")
    if "response" in obj:
        require_string(obj["response"], f"{path}.response")
    if "duration" in obj:
        _reraise_at(f"{path}.duration", validate_duration, require_string(obj["duration"], f"{path}.duration"))
    if "extensions" in obj:
        validate_extensions(obj["extensions"], f"{path}.extensions")


def _validate_score(value: object, path: str) -> None:
    """scaled lies in [-1, 1]; min < max (the spec says "less than"); raw lies within [min, max]."""
    obj = require_object(value, path)
    check_keys(obj, path, _SCORE_KEYS)
    numbers = {key: _require_number(obj[key], f"{path}.{key}") for key in _SCORE_KEYS if key in obj}
    if "scaled" in numbers and not -1 <= numbers["scaled"] <= 1:
        fail(f"{path}.scaled", f"must be between -1 and 1 inclusive, got {numbers['scaled']}")
    if "min" in numbers and "max" in numbers and numbers["min"] >= numbers["max"]:
        fail(f"{path}.min", f"must be less than max ({numbers['min']} >= {numbers['max']})")
    if "raw" in numbers and "min" in numbers and numbers["raw"] < numbers["min"]:
        fail(f"{path}.raw", f"must not be less than min ({numbers['raw']} < {numbers['min']})")
    if "raw" in numbers and "max" in numbers and numbers["raw"] > numbers["max"]:
        fail(f"{path}.raw", f"must not be greater than max ({numbers['raw']} > {numbers['max']})")


def _require_number(value: object, path: str) -> float:
    """JSON numbers only: strings holding numbers are rejected, as the spec insists."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        fail(path, f"must be a number, got {json_type(value)}")
    if value != value or value in (float("inf"), float("-inf")):
        fail(path, "must be a finite number")
    return float(value)


# ---------------------------------------------------------------------------
# Context
# ---------------------------------------------------------------------------


def _validate_context(value: object, path: str, scope: _Scope, object_kind: str) -> None:
    """Needs the object's kind because some context properties only make sense for Activities."""
    obj = require_object(value, path)
    check_keys(obj, path, _CONTEXT_KEYS_V2 if scope.v2 else _CONTEXT_KEYS)
    if "registration" in obj:
        validate_uuid(obj["registration"], f"{path}.registration")
    if "instructor" in obj:
        validate_actor(obj["instructor"], f"{path}.instructor")
    if "team" in obj:
        validate_group(obj["team"], f"{path}.team")
    if "contextActivities" in obj:
        _validate_context_activities(obj["contextActivities"], f"{path}.contextActivities")
    _validate_context_strings(obj, path, object_kind)
    if "statement" in obj:
        validate_statement_ref(obj["statement"], f"{path}.statement")
    if "extensions" in obj:
        validate_extensions(obj["extensions"], f"{path}.extensions")
    if "contextAgents" in obj:
        _validate_context_members(obj["contextAgents"], f"{path}.contextAgents", "contextAgent")
    if "contextGroups" in obj:
        _validate_context_members(obj["contextGroups"], f"{path}.contextGroups", "contextGroup")


def _validate_context_strings(obj: Mapping[str, Any], path: str, object_kind: str) -> None:
    """revision and platform describe an Activity, so the spec allows them only when the object is one."""
    for key in ("revision", "platform"):
        if key in obj:
            require_string(obj[key], f"{path}.{key}")
            if object_kind != "Activity":
                fail(
                    f"{path}.{key}",
                    f"only allowed when the statement's object is an Activity, not {object_kind}",
                )
    if "language" in obj:
        validate_language_tag(obj["language"], f"{path}.language")


def _validate_context_activities(value: object, path: str) -> None:
    """Each value may be one Activity (a 0.95 leftover the spec still allows) or an array of them."""
    obj = require_object(value, path)
    check_keys(obj, path, _CONTEXT_ACTIVITY_KEYS)
    for key, activities in obj.items():
        if isinstance(activities, list):
            for index, activity in enumerate(activities):
                validate_activity(activity, f"{path}.{key}[{index}]")
        elif isinstance(activities, dict):
            validate_activity(activities, f"{path}.{key}")
        else:
            fail(f"{path}.{key}", f"must be an Activity or an array of Activities, got {json_type(activities)}")


def _validate_context_members(value: object, path: str, kind: str) -> None:
    """xAPI 2.0 contextAgents/contextGroups: typed wrappers around an Agent or Group plus relevant types."""
    member_key = "agent" if kind == "contextAgent" else "group"
    validate_member: Callable[[object, str], None] = validate_agent if kind == "contextAgent" else validate_group
    for index, item in enumerate(require_array(value, path)):
        item_path = f"{path}[{index}]"
        obj = require_object(item, item_path)
        check_keys(obj, item_path, ("objectType", member_key, "relevantTypes"), ("objectType", member_key))
        if obj["objectType"] != kind:
            fail(f"{item_path}.objectType", f"must be {kind!r}, got {_describe(obj['objectType'])}")
        validate_member(obj[member_key], f"{item_path}.{member_key}")
        if "relevantTypes" in obj:
            types = require_array(obj["relevantTypes"], f"{item_path}.relevantTypes")
            if not types:
                fail(f"{item_path}.relevantTypes", "must list at least one Activity type IRI when present")
            for type_index, iri in enumerate(types):
                validate_iri(iri, f"{item_path}.relevantTypes[{type_index}]")


# ---------------------------------------------------------------------------
# Attachments
# ---------------------------------------------------------------------------


def _validate_attachments(value: object, path: str) -> None:
    """Only the metadata lives here; payloads arrive as multipart parts and are matched by sha2 elsewhere."""
    for index, item in enumerate(require_array(value, path)):
        _validate_attachment(item, f"{path}[{index}]")


def _validate_attachment(value: object, path: str) -> None:
    """Attachment metadata; whether the payload itself arrived is the multipart layer's concern."""
    obj = require_object(value, path)
    check_keys(obj, path, _ATTACHMENT_KEYS, _ATTACHMENT_REQUIRED)
    validate_iri(obj["usageType"], f"{path}.usageType")
    validate_language_map(obj["display"], f"{path}.display")
    if "description" in obj:
        validate_language_map(obj["description"], f"{path}.description")
    if not _MEDIA_TYPE.fullmatch(require_string(obj["contentType"], f"{path}.contentType")):
        fail(f"{path}.contentType", f"{show(obj['contentType'])} is not an Internet Media Type")
    length = obj["length"]
    if isinstance(length, bool) or not isinstance(length, int) or length < 0:
        fail(f"{path}.length", f"must be a non-negative integer, got {json_type(length)} {show(str(length))}")
    if not _SHA2.fullmatch(require_string(obj["sha2"], f"{path}.sha2")):
        fail(f"{path}.sha2", "must be the hex SHA-2 (224, 256, 384 or 512 bit) of the attachment")
    if "fileUrl" in obj:
        validate_iri(obj["fileUrl"], f"{path}.fileUrl")


# ---------------------------------------------------------------------------
# Shared value types
# ---------------------------------------------------------------------------


def validate_uuid(value: object, path: str) -> None:
    """Standard string form (8-4-4-4-12 hex); the spec only recommends a variant, so none is enforced."""
    text = require_string(value, path)
    if not _UUID.fullmatch(text):
        fail(path, f"{show(text)} is not a UUID in standard string form")


def validate_extensions(value: object, path: str) -> None:
    """Keys must be IRIs; values are deliberately unchecked (the spec forbids rejecting on them)."""
    for key in require_object(value, path):
        validate_iri(key, key_path(path, key))


def validate_language_map(value: object, path: str) -> None:
    """Keys are RFC 5646 tags and values plain strings; a null value is invalid, not "untranslated"."""
    for tag, text in require_object(value, path).items():
        entry_path = key_path(path, tag)
        validate_language_tag(tag, entry_path)
        require_string(text, entry_path)


def validate_language_tag(value: object, path: str) -> None:
    """RFC 5646 well-formedness: the spec requires at least the subtag length sequence to be checked."""
    tag = require_string(value, path)
    if not is_language_tag(tag):
        fail(path, f"{show(tag)} is not an RFC 5646 language tag (e.g. 'en', 'en-US', 'zh-Hant')")


def is_language_tag(tag: str) -> bool:
    """Well-formed per RFC 5646 2.1/2.2.9: grammar plus no repeated variant or extension singleton."""
    if tag.lower() in _GRANDFATHERED or _PRIVATE_USE_TAG.fullmatch(tag):
        return True
    match = _LANGTAG.fullmatch(tag)
    if match is None:
        return False
    variants = match["variants"].lower().split("-")[1:]
    singletons = [part for part in match["extensions"].lower().split("-") if len(part) == 1]
    return len(set(variants)) == len(variants) and len(set(singletons)) == len(singletons)


def _validate_timestamp(value: object, path: str) -> None:
    """timestamp and stored share one parser so the store can rely on both being parseable later."""
    _reraise_at(path, parse_timestamp, require_string(value, path))


def _reraise_at(path: str, check: Callable[[str], object], text: str) -> None:
    """Run a path-agnostic parser and prefix its complaint with where the value sits in the statement."""
    try:
        check(text)
    except BadRequest as exc:
        raise BadRequest(f"{path}: {exc.message}") from None


def _describe(value: object) -> str:
    """Quote strings but only name other types, so messages never dump large client values."""
    return show(value) if isinstance(value, str) else json_type(value)
