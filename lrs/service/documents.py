"""Documents (State, Activity Profile, Agent Profile) plus the Activities and Agents resources: the protocol rules.

HTTP-free: the web layer hands over the query parameters, the raw body with its Content-Type and the parsed
If-Match / If-None-Match headers; everything the spec decides (which parameters, which preconditions, when POST
merges) is decided here. Writes are compare-and-set on the ETag read, retried a few times when another writer got
in between, so a precondition is always judged against the version that is actually replaced.
"""

from __future__ import annotations

import base64
import json
import random
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, NoReturn

from sqlalchemy import Engine

from lrs.store import documents as store
from lrs.store.documents import DocumentScope, StoredDocument
from lrs.xapi.agent import IFI_PROPERTIES, ifi_key, parse_agent_param, validate_iri
from lrs.xapi.errors import BadRequest, Conflict, NotFound, PreconditionFailed, PreconditionRequired
from lrs.xapi.jsonload import load_json
from lrs.xapi.statement import validate_uuid
from lrs.xapi.timestamps import parse_query_timestamp
from lrs.xapi.version import is_v2

ATTEMPTS = 20  # compare-and-set rounds: each lost round means another writer succeeded, so 20 writers fit
JSON_TYPE = "application/json"
MAX_CONTENT_TYPE = 255
_PATHS = {"state": "activities/state", "activity_profile": "activities/profile", "agent_profile": "agents/profile"}
_CONTEXT_PARAMS = {
    "state": ("activityId", "agent", "registration"),
    "activity_profile": ("activityId",),
    "agent_profile": ("agent",),
}


class Resource(Enum):
    """The three document resources; the value is the `kind` stored with each document."""

    STATE = "state"
    ACTIVITY_PROFILE = "activity_profile"
    AGENT_PROFILE = "agent_profile"

    @property
    def path(self) -> str:
        """The resource's path below the xAPI base, for messages."""
        return _PATHS[self.value]

    @property
    def id_param(self) -> str:
        """The parameter naming one document."""
        return "stateId" if self is Resource.STATE else "profileId"

    @property
    def context_params(self) -> tuple[str, ...]:
        """The parameters that say whose documents these are."""
        return _CONTEXT_PARAMS[self.value]


@dataclass(frozen=True)
class Target:
    """The documents a request addresses: one (doc_id) or, without doc_id, all ids of the scope."""

    resource: Resource
    scope: DocumentScope
    doc_id: str | None
    since: datetime | None = None  # naive UTC; only id listings use it


@dataclass(frozen=True)
class Preconditions:
    """If-Match and If-None-Match as sent, entity tags unquoted; None means absent, "*" means any version."""

    if_match: frozenset[str] | None = None
    if_none_match: frozenset[str] | None = None

    @property
    def given(self) -> bool:
        """Whether the client sent either header."""
        return self.if_match is not None or self.if_none_match is not None


@dataclass(frozen=True)
class Upload:
    """A document body as received: arbitrary bytes and the Content-Type they came with."""

    content: bytes
    content_type: str

    def __post_init__(self) -> None:
        if len(self.content_type) > MAX_CONTENT_TYPE:
            raise BadRequest(f"Content-Type is longer than {MAX_CONTENT_TYPE} characters")

    @property
    def is_json(self) -> bool:
        """Whether it is declared as JSON, the only kind POST can merge."""
        return _is_json_type(self.content_type)


@dataclass(frozen=True)
class IdListing:
    """The answer to GET without a document id."""

    ids: list[str]
    last_modified: datetime | None  # naive UTC of the newest listed document


def parse_target(resource: Resource, params: Mapping[str, str], *, method: str) -> Target:
    """Return the documents a request to `resource` addresses.

    :raises BadRequest: on an unknown, missing or malformed parameter.
    """
    allowed = {*resource.context_params, resource.id_param, *(("since",) if method == "GET" else ())}
    reject_unknown(params, allowed, f"{method} {resource.path}")
    params_of = set(resource.context_params)
    scope = DocumentScope(
        kind=resource.value,
        activity_id=_activity_id(params, resource.path) if "activityId" in params_of else "",
        agent_ifi=_agent_ifi(params, resource) if "agent" in params_of else "",
        registration=_registration(params) if "registration" in params else "",
    )
    needs_id = method in {"PUT", "POST"} or (method == "DELETE" and resource is not Resource.STATE)
    doc_id = _doc_id(params, resource, method, required=needs_id)
    since = _since(params["since"]) if "since" in params else None
    return Target(resource, scope, doc_id, since)


def reject_unknown(params: Mapping[str, str], allowed: Iterable[str], where: str) -> None:
    """Refuse parameters the spec does not define here: a typo must not silently address other documents."""
    allowed = set(allowed)
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise BadRequest(
            f"unknown query parameter(s) for {where}: {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})"
        )


def _required(params: Mapping[str, str], name: str, where: str, what: str) -> str:
    value = params.get(name)
    if not value:
        raise BadRequest(f"{where} needs the {name} parameter ({what})")
    if "\x00" in value:
        raise BadRequest(f"{name}: must not contain NUL characters")
    return value


def _activity_id(params: Mapping[str, str], where: str) -> str:
    return validate_iri(_required(params, "activityId", where, "the Activity's IRI"), "activityId")


def _agent(params: Mapping[str, str], where: str, *, allow_group: bool) -> dict[str, Any]:
    """Parse the agent parameter; Groups are allowed only where the spec allows an identified Group."""
    agent = parse_agent_param(_required(params, "agent", where, "an Agent as JSON"))
    if not allow_group and agent.get("objectType") == "Group":
        raise BadRequest(f"agent: {where} takes an Agent, not a Group (put a Group's identifier in an Agent)")
    return agent


def _agent_ifi(params: Mapping[str, str], resource: Resource) -> str:
    """Documents belong to an identity, so an anonymous Group (no IFI) cannot own any."""
    agent = _agent(params, resource.path, allow_group=resource is Resource.STATE)
    key = ifi_key(agent)
    if key is None:
        raise BadRequest("agent: an anonymous Group has no identity to keep documents for; give it an IFI")
    if "\x00" in key:
        raise BadRequest("agent: identifiers must not contain NUL characters")
    return key


def _registration(params: Mapping[str, str]) -> str:
    """Registrations compare as UUIDs, so the hex is lowercased."""
    validate_uuid(params["registration"], "registration")
    return params["registration"].lower()


def _doc_id(params: Mapping[str, str], resource: Resource, method: str, *, required: bool) -> str | None:
    name = resource.id_param
    if name not in params and not required:
        return None
    return _required(params, name, f"{method} {resource.path}", "the document's id")


def _since(text: str) -> datetime:
    try:
        return parse_query_timestamp(text).replace(tzinfo=None)
    except BadRequest as exc:
        raise BadRequest(f"since: {exc.message}") from None


def get_document(engine: Engine, target: Target) -> StoredDocument:
    """Return the one document a target names.

    :raises NotFound: when there is none.
    """
    with engine.connect() as conn:
        found = store.get_document(conn, target.scope, _one(target))
    if found is None:
        raise NotFound(f"no document with {target.resource.id_param} {target.doc_id!r} in this context")
    return found


def list_document_ids(engine: Engine, target: Target) -> IdListing:
    """Return the document ids of the target's scope, limited to those updated after `since` if given."""
    with engine.connect() as conn:
        ids, newest = store.list_document_ids(conn, target.scope, target.since)
    return IdListing(ids, newest)


def put_document(engine: Engine, target: Target, upload: Upload, pre: Preconditions, *, version: str) -> str:
    """Store or replace one document as sent; return its new ETag.

    :raises PreconditionFailed: when If-Match / If-None-Match do not hold.
    :raises Conflict: when it exists and the client sent neither header (except State in 1.0.x).
    :raises BadRequest | PreconditionRequired: on a new profile without either header (1.0.x | 2.0).
    """
    for attempt in range(ATTEMPTS):
        _back_off(attempt)
        with engine.connect() as conn:
            etag = store.get_etag(conn, target.scope, _one(target))
        check_preconditions(etag, pre)
        _require_concurrency_headers(target, etag, pre, version)
        if _commit(engine, target, etag, upload):
            return store.content_etag(upload.content)
    _kept_changing()


def post_document(engine: Engine, target: Target, upload: Upload, pre: Preconditions) -> str:
    """Merge a JSON object into the stored one, or store the document when there is none; return the new ETag.

    :raises BadRequest: when a document exists and either one is not a JSON object declared as application/json.
    :raises PreconditionFailed: when If-Match / If-None-Match do not hold.
    """
    for attempt in range(ATTEMPTS):
        _back_off(attempt)
        with engine.connect() as conn:
            current = store.get_document(conn, target.scope, _one(target))
        etag = None if current is None else current.etag
        check_preconditions(etag, pre)
        merged = merge_documents(current, upload)
        if _commit(engine, target, etag, merged):
            return store.content_etag(merged.content)
    _kept_changing()


def delete_documents(engine: Engine, target: Target, pre: Preconditions) -> None:
    """Delete one document, or (State without stateId) every document of the scope; deleting nothing is fine.

    :raises PreconditionFailed: when If-Match / If-None-Match do not hold for the one document.
    """
    if target.doc_id is None:
        with engine.begin() as conn:
            store.delete_documents(conn, target.scope)
        return
    for _ in range(ATTEMPTS):
        with engine.connect() as conn:
            etag = store.get_etag(conn, target.scope, target.doc_id)
        check_preconditions(etag, pre)
        if etag is None:
            return
        with engine.begin() as conn:
            if store.delete_document(conn, target.scope, target.doc_id, expected_etag=etag):
                return
    _kept_changing()


def check_preconditions(etag: str | None, pre: Preconditions) -> None:
    """Apply If-Match and If-None-Match (RFC 7232) to the current ETag, None meaning no document.

    :raises PreconditionFailed: when either does not hold; nothing may be changed then.
    """
    if pre.if_match is not None and not _matches(etag, pre.if_match):
        current = "the document does not exist" if etag is None else f'its current ETag is "{etag}"'
        raise PreconditionFailed(f"If-Match does not match: {current}; GET the document again before changing it")
    if pre.if_none_match is not None and _matches(etag, pre.if_none_match):
        raise PreconditionFailed("If-None-Match failed: the document already exists (GET it to see its ETag)")


def _matches(etag: str | None, tags: frozenset[str]) -> bool:
    return etag is not None and ("*" in tags or etag in tags)


def _require_concurrency_headers(target: Target, etag: str | None, pre: Preconditions, version: str) -> None:
    """PUT overwrites blindly unless the client proves it knows the current version (Communication 3.1).

    xAPI 1.0.x exempts the State resource; 2.0 and the conformance suite hold State to the same 409 rule.
    The 1.0.3 suite also demands that a profile PUT without either header is refused when nothing exists yet.
    """
    if pre.given or (target.resource is Resource.STATE and not is_v2(version)):
        return
    if etag is not None:
        raise Conflict(
            f"a document with this {target.resource.id_param} already exists: check its current state, then PUT "
            "again with If-Match set to its ETag (or POST to merge JSON)"
        )
    if target.resource is not Resource.STATE:
        message = f"PUT {target.resource.path} needs If-Match (its ETag) or If-None-Match: * (create only)"
        raise PreconditionRequired(message) if is_v2(version) else BadRequest(message)


def merge_documents(current: StoredDocument | None, upload: Upload) -> Upload:
    """Return what a POST stores: the upload itself when nothing exists, else the top-level merge of two objects.

    :raises BadRequest: when either side is not a JSON object declared as application/json.
    """
    if current is None:
        if upload.is_json:
            _json_object(upload.content, "the posted document")
        return upload
    if not (upload.is_json and _is_json_type(current.content_type)):
        raise BadRequest(
            "POST merges JSON documents only: the stored document is "
            f"{current.content_type!r} and the posted one {upload.content_type!r}; PUT replaces any document"
        )
    merged = {**_json_object(current.content, "the stored document"), **_json_object(upload.content, "the posted")}
    return Upload(json.dumps(merged, ensure_ascii=False, separators=(",", ":")).encode(), JSON_TYPE)


def _json_object(content: bytes, what: str) -> dict[str, Any]:
    try:
        value = load_json(content, what)
    except BadRequest as error:
        raise BadRequest(f"{what} is declared application/json but is not valid JSON ({error.message})") from None
    if not isinstance(value, dict):
        raise BadRequest(f"{what} must be a JSON object to be merged")
    return value


def _is_json_type(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == JSON_TYPE


def _one(target: Target) -> str:
    if target.doc_id is None:
        raise BadRequest(f"{target.resource.path} needs {target.resource.id_param} here")
    return target.doc_id


def _commit(engine: Engine, target: Target, etag: str | None, upload: Upload) -> bool:
    """Write if the document is still at `etag` (None: still absent); False means another writer came first."""
    doc_id = _one(target)
    with engine.begin() as conn:
        if etag is None:
            return store.insert_document(conn, target.scope, doc_id, upload.content, upload.content_type)
        return store.replace_document(
            conn, target.scope, doc_id, upload.content, upload.content_type, expected_etag=etag
        )


def _back_off(attempt: int) -> None:
    """Before a round that follows a lost one, wait a random moment that grows with each loss (at most 50 ms).

    Without it a writer that keeps losing retries in lock step with the winners: on a busy machine eight clients
    merging into one document starved one of them for all rounds (a 409 in CI on PostgreSQL)."""
    if attempt:
        time.sleep(random.uniform(0, min(0.05, 0.002 * 2**attempt)))  # noqa: S311 — jitter, not a secret


def _kept_changing() -> NoReturn:
    raise Conflict("the document kept changing while this request tried to write it; GET it and retry")


def get_activity(engine: Engine, params: Mapping[str, str]) -> dict[str, Any]:
    """Return the Activity with its canonical definition; an unknown Activity is still an Activity object."""
    reject_unknown(params, {"activityId"}, "GET activities")
    activity_id = _activity_id(params, "GET activities")
    with engine.connect() as conn:
        definition = store.get_activity_definition(conn, activity_id)
    activity: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
    if definition:
        activity["definition"] = definition
    return activity


def get_person(params: Mapping[str, str]) -> dict[str, Any]:
    """Return the Person object of an Agent; this LRS knows no more about a person than the Agent given."""
    reject_unknown(params, {"agent"}, "GET agents")
    agent = _agent(params, "GET agents", allow_group=False)
    person: dict[str, Any] = {"objectType": "Person"}
    for key in ("name", *IFI_PROPERTIES):
        if key in agent:
            person[key] = [agent[key]]
    return person


def activities_in(statements: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """List every Activity object of these statements in order: objects, sub-statement objects, context activities.

    Feed the result to lrs.store.documents.upsert_activity_definitions when storing statements.
    """
    found: list[Mapping[str, Any]] = []
    for statement in statements:
        _collect_activities(statement, found)
    return found


def _collect_activities(statement: Mapping[str, Any], found: list[Mapping[str, Any]]) -> None:
    obj = statement.get("object") or {}
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        found.append(obj)
    elif kind == "SubStatement":
        _collect_activities(obj, found)
    for group in ((statement.get("context") or {}).get("contextActivities") or {}).values():
        found.extend(group if isinstance(group, list) else [group])


def agent_documents(engine: Engine, agent: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every State and Agent Profile document of one agent, as GET on those resources would address and return
    them: the parameters, the Content-Type, the ETag, when it was stored, and the content (JSON parsed; other
    content as base64). For a person's copy of their own data; an agent without an identifier has none."""
    key = ifi_key(agent)
    if key is None:
        return []
    with engine.connect() as conn:
        found = store.documents_of_agent(conn, key)
    return [_exported(item, agent) for item in found]


def _exported(item: store.AgentDocument, agent: Mapping[str, Any]) -> dict[str, Any]:
    address: dict[str, Any] = {"resource": _PATHS[item.kind], "agent": dict(agent)}
    if item.kind == "state":
        address |= {"activityId": item.activity_id, "stateId": item.doc_id}
        if item.registration:
            address["registration"] = item.registration
    else:
        address["profileId"] = item.doc_id
    stored = item.stored
    content: dict[str, Any]
    try:
        content = {"content": json.loads(stored.content)} if stored.content_type.startswith(JSON_TYPE) else {}
    except ValueError:
        content = {}
    if not content:
        content = {"contentBase64": base64.b64encode(stored.content).decode()}
    updated = stored.updated.isoformat(timespec="microseconds") + "Z"
    return {**address, "contentType": stored.content_type, "etag": stored.etag, "updated": updated, **content}
