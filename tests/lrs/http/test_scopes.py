"""Credential scopes over the real app and DB: each scope opens exactly its resources and methods, the rest is 403."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest
from xapi_helpers import ACTIVITY, agent, make_statement

LEARNER = json.dumps(agent("learner-1"))
STATE = {"activityId": ACTIVITY, "agent": LEARNER}
ACTIVITY_PROFILE = {"activityId": ACTIVITY}
AGENT_PROFILE = {"agent": LEARNER}
DOCUMENTS = {
    "activities/state": (STATE, "stateId"),
    "activities/profile": (ACTIVITY_PROFILE, "profileId"),
    "agents/profile": (AGENT_PROFILE, "profileId"),
}


def _document_requests(resource: str) -> list[tuple[str, str, dict[str, str], Any]]:
    """Create, merge, list, HEAD and delete one document: every method of a document resource, each valid."""
    where, id_param = DOCUMENTS[resource]
    one = {**where, id_param: "doc-1"}
    return [
        ("PUT", resource, one, {"a": 1}),
        ("POST", resource, one, {"b": 2}),
        ("GET", resource, where, None),
        ("HEAD", resource, where, None),
        ("DELETE", resource, one, None),
    ]


REQUESTS: list[tuple[str, str, dict[str, str], Any]] = [
    ("POST", "statements", {}, make_statement()),
    ("PUT", "statements", {"statementId": "new"}, make_statement()),
    ("GET", "statements", {}, None),
    ("HEAD", "statements", {}, None),
    *_document_requests("activities/state"),
    *_document_requests("activities/profile"),
    *_document_requests("agents/profile"),
    ("GET", "activities", {"activityId": ACTIVITY}, None),
    ("GET", "agents", {"agent": LEARNER}, None),
    ("GET", "about", {}, None),
]
ALL = {f"{method} {resource}" for method, resource, _query, _body in REQUESTS}
READS = {name for name in ALL if name.startswith(("GET", "HEAD"))}
ABOUT = {"GET about"}  # public: clients ask it which versions to speak before they authenticate


def _on(resource: str) -> set[str]:
    return {name for name in ALL if name.endswith(f" {resource}")}


ALLOWED = {
    "all": ALL,
    "all/read": READS,
    "statements/write": {"POST statements", "PUT statements"} | ABOUT,
    "statements/read": {"GET statements", "HEAD statements"} | ABOUT,
    "statements/read/mine": {"GET statements", "HEAD statements"} | ABOUT,
    "state": _on("activities/state") | ABOUT,
    "profile": _on("activities/profile") | _on("agents/profile") | ABOUT,
}


def send(client, auth: dict[str, str], method: str, resource: str, query: dict[str, str], body: Any):
    if query.get("statementId") == "new":
        query = {"statementId": str(uuid.uuid4())}
    headers = {**auth, "If-None-Match": "*"} if method == "PUT" and resource != "statements" else auth
    data = json.dumps(body) if body is not None else None
    return client.open(
        f"/xapi/{resource}", method=method, query_string=query, data=data, headers=headers,
        content_type="application/json" if data else None,
    )  # fmt: skip


@pytest.mark.parametrize("scope", sorted(ALLOWED))
def test_each_scope_allows_exactly_its_resources_and_methods(client, make_lrs_auth, scope):
    auth = make_lrs_auth(scope)
    allowed, refused = set(), set()
    for method, resource, query, body in REQUESTS:
        response = send(client, auth, method, resource, query, body)
        assert response.status_code in {200, 204, 403}, (method, resource, response.status_code, response.data)
        (refused if response.status_code == 403 else allowed).add(f"{method} {resource}")
    assert allowed == ALLOWED[scope]
    assert refused == ALL - ALLOWED[scope]


def test_several_scopes_add_up(client, make_lrs_auth):
    auth = make_lrs_auth("statements/write", "state")
    assert send(client, auth, "POST", "statements", {}, make_statement()).status_code == 200
    assert send(client, auth, "PUT", "activities/state", {**STATE, "stateId": "s"}, {"a": 1}).status_code == 204
    assert send(client, auth, "GET", "statements", {}, None).status_code == 403


def test_refusal_is_a_403_xapi_error_naming_the_scope_needed(client, make_lrs_auth):
    response = send(client, make_lrs_auth("state"), "GET", "statements", {}, None)
    assert response.status_code == 403
    assert response.mimetype == "application/json"
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    message = response.json["error"]["message"]
    assert response.json["error"]["status"] == 403
    assert "'statements/read'" in message
    assert "'statements/read/mine'" in message
    assert "'all'" in message


def test_write_refusal_names_the_write_scope(client, make_lrs_auth):
    response = send(
        client, make_lrs_auth("all/read"), "DELETE", "agents/profile", {**AGENT_PROFILE, "profileId": "p"}, None
    )
    assert response.status_code == 403
    assert "'profile' or 'all'" in response.json["error"]["message"]


def test_refused_writes_store_nothing(client, make_lrs_auth, lrs_auth):
    statement_id = str(uuid.uuid4())
    assert (
        send(
            client, make_lrs_auth("statements/read"), "POST", "statements", {}, make_statement(id=statement_id)
        ).status_code
        == 403
    )
    assert client.get(f"/xapi/statements?statementId={statement_id}", headers=lrs_auth).status_code == 404


def test_wrong_secret_is_still_401_not_403(client, make_lrs_auth):
    auth = make_lrs_auth("state")
    auth["Authorization"] = auth["Authorization"][:-4] + "AAA="
    assert send(client, auth, "GET", "statements", {}, None).status_code == 401


def test_alternate_syntax_is_held_to_the_scope_of_the_method_it_stands_for(client, make_lrs_auth):
    auth = make_lrs_auth("statements/read")
    fields = {**auth, "statementId": str(uuid.uuid4()), "content": json.dumps(make_statement())}
    response = client.post(
        "/xapi/statements?method=PUT", data=urlencode(fields), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 403
    assert "'statements/write'" in response.json["error"]["message"]
    reading = client.post(
        "/xapi/statements?method=GET", data=urlencode(auth), content_type="application/x-www-form-urlencoded"
    )
    assert reading.status_code == 200


def test_cors_preflight_needs_no_scope(client):
    response = client.options("/xapi/activities/state", headers={"Origin": "https://authoring.example"})
    assert response.status_code < 400
