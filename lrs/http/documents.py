"""The document resources (State, Activity Profile, Agent Profile) and the Activities and Agents resources.

Registered on the xAPI blueprint, so version negotiation, authentication and JSON errors are the ones /statements
has. Views parse the request, call lrs.service.documents and serialise the answer; HEAD is GET without the body.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from flask import Response, current_app, g, request
from sqlalchemy import Engine
from werkzeug.http import parse_etags

from lrs.http.views import bp, other_tenants
from lrs.service import documents as service
from lrs.service.documents import Resource
from lrs.xapi.errors import BadRequest, Forbidden, PayloadTooLarge
from lrs.xapi.jsonload import load_json

PATHS = {
    Resource.STATE: "/activities/state",
    Resource.ACTIVITY_PROFILE: "/activities/profile",
    Resource.AGENT_PROFILE: "/agents/profile",
}
DEFAULT_CONTENT_TYPE = "application/octet-stream"  # what a body without a Content-Type is, per RFC 9110


def _engine() -> Engine:
    engine: Engine = current_app.extensions["lrs"].engine
    return engine


def _params() -> dict[str, str]:
    """Return the query parameters, refusing one given twice: which value was meant is anybody's guess."""
    repeated = sorted(name for name, values in request.args.lists() if len(values) > 1)
    if repeated:
        raise BadRequest(f"query parameter(s) given more than once: {', '.join(repeated)}")
    params = request.args.to_dict()
    _check_agent_tenant(params)
    return params


def _check_agent_tenant(params: dict[str, str]) -> None:
    """An organisation's credential reaches no document of another organisation's learner (State, agent
    profile): like that learner's statements, they are not its to read or change.

    :raises Forbidden: when the `agent` parameter is an account of another organisation's learner homePage.
    """
    if "agent" not in params or g.lrs_credential.tenant is None:
        return
    agent = load_json(params["agent"].encode(), "the agent parameter")
    account = agent.get("account") if isinstance(agent, dict) else None
    home = account.get("homePage") if isinstance(account, dict) else None
    if isinstance(home, str) and home in other_tenants():
        raise Forbidden(f"this credential belongs to one organisation; {home} is another organisation's learner")


def _tags(header: str, *, weak: bool) -> frozenset[str] | None:
    """Parse an If-Match (strong comparison) or If-None-Match (weak comparison) header; None when absent."""
    value = request.headers.get(header)
    if value is None:
        return None
    etags = parse_etags(value)
    return frozenset({"*"}) if etags.star_tag else frozenset(etags.as_set(include_weak=weak))


def _preconditions() -> service.Preconditions:
    if_match, if_none_match = _tags("If-Match", weak=False), _tags("If-None-Match", weak=True)
    return service.Preconditions(if_match=if_match, if_none_match=if_none_match)


def _upload() -> service.Upload:
    """Read the raw body within LRS_MAX_BODY_BYTES; documents are arbitrary bytes, so nothing is parsed here."""
    limit = current_app.config["LRS_MAX_BODY_BYTES"]
    too_large = PayloadTooLarge(f"the document is larger than this LRS accepts ({limit} bytes)")
    if request.content_length is not None and request.content_length > limit:
        raise too_large
    content = request.stream.read(limit + 1)
    if len(content) > limit:
        raise too_large
    return service.Upload(content, request.content_type or DEFAULT_CONTENT_TYPE)


def _json(value: Any, last_modified: datetime | None = None) -> Response:
    response = Response(json.dumps(value, ensure_ascii=False), mimetype="application/json")
    response.add_etag()  # SHA-1 of the body, the same rule as for documents
    if last_modified is not None:
        response.last_modified = last_modified.replace(tzinfo=UTC)
    return response


def _written(etag: str) -> Response:
    response = Response(status=204)
    response.set_etag(etag)
    return response


def get_documents(resource: Resource) -> Response:
    """Return one document, or without its id the array of ids (optionally only those changed since `since`)."""
    target = service.parse_target(resource, _params(), method="GET")
    if target.doc_id is None:
        listing = service.list_document_ids(_engine(), target)
        return _json(listing.ids, listing.last_modified)
    document = service.get_document(_engine(), target)
    response = Response(document.content, content_type=document.content_type)
    response.set_etag(document.etag)
    response.last_modified = document.updated.replace(tzinfo=UTC)
    return response


def put_document(resource: Resource) -> Response:
    """Store or replace one document, honouring If-Match / If-None-Match."""
    target = service.parse_target(resource, _params(), method="PUT")
    etag = service.put_document(_engine(), target, _upload(), _preconditions(), version=g.xapi_version)
    return _written(etag)


def post_document(resource: Resource) -> Response:
    """Merge a JSON object into one document, or store it when there is none."""
    target = service.parse_target(resource, _params(), method="POST")
    return _written(service.post_document(_engine(), target, _upload(), _preconditions()))


def delete_documents(resource: Resource) -> Response:
    """Delete one document, or for State without stateId all documents of the context."""
    target = service.parse_target(resource, _params(), method="DELETE")
    service.delete_documents(_engine(), target, _preconditions())
    return Response(status=204)


for _resource, _path in PATHS.items():
    _defaults = {"resource": _resource}
    bp.add_url_rule(_path, f"get_{_resource.value}", get_documents, methods=["GET"], defaults=_defaults)
    bp.add_url_rule(_path, f"put_{_resource.value}", put_document, methods=["PUT"], defaults=_defaults)
    bp.add_url_rule(_path, f"post_{_resource.value}", post_document, methods=["POST"], defaults=_defaults)
    bp.add_url_rule(_path, f"delete_{_resource.value}", delete_documents, methods=["DELETE"], defaults=_defaults)


@bp.get("/activities")
def get_activity() -> Response:
    """Return an Activity with the canonical definition this LRS has gathered from statements."""
    return _json(service.get_activity(_engine(), _params()))


@bp.get("/agents")
def get_person() -> Response:
    """Return the Person object for an Agent."""
    return _json(service.get_person(_params()))
