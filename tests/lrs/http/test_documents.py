"""The document resources (State, Activity Profile, Agent Profile), Activities and Agents over the real app and DB.

Tests named test_xapi_NNNNN prove the conformance requirement with that id (ADL's lrs-conformance-test-suite);
parametrised tests carry the ids in their parameter ids.
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xapi_helpers import ACTIVITY, agent

from lrs.store.documents import upsert_activity_definitions

STATE = "/xapi/activities/state"
ACTIVITY_PROFILE = "/xapi/activities/profile"
AGENT_PROFILE = "/xapi/agents/profile"
RESOURCES = [STATE, ACTIVITY_PROFILE, AGENT_PROFILE]
PROFILES = [ACTIVITY_PROFILE, AGENT_PROFILE]
LEARNER = agent("learner-1")
REGISTRATION = "6f1c4b5e-2d7a-4c1e-9b3f-8a2d5c7e9f01"
CREATE_ONLY = {"If-None-Match": "*"}


def params(path: str, doc_id: str | None = "doc-1", **overrides: Any) -> dict[str, str]:
    """The query parameters that address one document (or, with doc_id=None, a listing) of a resource."""
    base: dict[str, str] = {
        STATE: {"activityId": ACTIVITY, "agent": json.dumps(LEARNER)},
        ACTIVITY_PROFILE: {"activityId": ACTIVITY},
        AGENT_PROFILE: {"agent": json.dumps(LEARNER)},
    }[path]
    if doc_id is not None:
        base["stateId" if path == STATE else "profileId"] = doc_id
    return {k: v for k, v in {**base, **overrides}.items() if v is not None}


def send(client, auth, method: str, path: str, query: dict[str, str], body: Any = None, **kwargs: Any):
    """Send one request; a dict or list body goes as JSON, str/bytes as given with the content_type passed."""
    if isinstance(body, dict | list):
        kwargs.setdefault("content_type", "application/json")
        body = json.dumps(body)
    headers = {**auth, **kwargs.pop("headers", {})}
    return client.open(path, method=method, query_string=query, data=body, headers=headers, **kwargs)


def create(client, auth, path: str, body: Any, content_type: str | None = None, **query: Any):
    """Create a document the way a careful client does: If-None-Match: * works on every resource and version."""
    kwargs = {"content_type": content_type} if content_type else {}
    response = send(client, auth, "PUT", path, params(path, **query), body, headers=CREATE_ONLY, **kwargs)
    assert response.status_code == 204, response.get_data(as_text=True)
    return response


def fetch(client, auth, path: str, **query: Any):
    return send(client, auth, "GET", path, params(path, **query))


@pytest.fixture
def v2_auth(lrs_auth: dict[str, str]) -> dict[str, str]:
    return {**lrs_auth, "X-Experience-API-Version": "2.0.0"}


# ---------------------------------------------------------------------------
# Storing and reading single documents
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", RESOURCES)
def test_xapi_00190_put_then_get_returns_bytes_and_content_type_verbatim(client, lrs_auth, path):
    content = bytes(range(256))
    create(client, lrs_auth, path, content, content_type="application/x-custom")
    response = fetch(client, lrs_auth, path)
    assert response.status_code == 200
    assert response.data == content
    assert response.headers["Content-Type"] == "application/x-custom"


@pytest.mark.parametrize("path", RESOURCES)
def test_xapi_00322_get_sends_quoted_sha1_etag_and_last_modified(client, lrs_auth, path):
    create(client, lrs_auth, path, {"x": 1})
    response = fetch(client, lrs_auth, path)
    assert response.headers["ETag"] == f'"{hashlib.sha1(response.data).hexdigest()}"'  # noqa: S324 - spec's rule
    modified = parsedate_to_datetime(response.headers["Last-Modified"])
    assert abs((datetime.now(UTC) - modified).total_seconds()) < 60


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_write_answers_with_the_etag_a_get_would_give(client, lrs_auth, method):
    written = send(client, lrs_auth, method, STATE, params(STATE), {"x": 1})
    assert written.status_code == 204
    assert written.headers["ETag"] == fetch(client, lrs_auth, STATE).headers["ETag"]


@pytest.mark.parametrize("path", RESOURCES, ids=["XAPI-00233", "XAPI-00310", "XAPI-00280"])
def test_post_of_a_new_document_stores_it_like_put(client, lrs_auth, path):
    assert send(client, lrs_auth, "POST", path, params(path), {"car": "Honda"}).status_code == 204
    assert fetch(client, lrs_auth, path).json == {"car": "Honda"}


@pytest.mark.parametrize("path", RESOURCES, ids=["XAPI-00234", "XAPI-00308", "XAPI-00279"])
def test_post_merges_top_level_properties_of_json_objects(client, lrs_auth, path):
    create(client, lrs_auth, path, {"car": "Honda", "colour": "red"})
    assert send(client, lrs_auth, "POST", path, params(path), {"type": "Civic", "colour": "blue"}).status_code == 204
    response = fetch(client, lrs_auth, path)
    assert response.json == {"car": "Honda", "type": "Civic", "colour": "blue"}
    assert response.mimetype == "application/json"


def test_xapi_00184_merge_overwrites_duplicate_values(client, lrs_auth):
    create(client, lrs_auth, STATE, {"car": "MKX"})
    send(client, lrs_auth, "POST", STATE, params(STATE), {"car": "MKZ"})
    assert fetch(client, lrs_auth, STATE).json == {"car": "MKZ"}


def test_xapi_00183_merge_replaces_nested_objects_whole(client, lrs_auth):
    create(client, lrs_auth, STATE, {"car": {"make": "Ford", "model": "Escape"}, "driver": "Dale"})
    send(client, lrs_auth, "POST", STATE, params(STATE), {"car": {"make": "Dodge"}})
    assert fetch(client, lrs_auth, STATE).json == {"car": {"make": "Dodge"}, "driver": "Dale"}


@pytest.mark.parametrize(
    ("stored", "stored_type", "posted", "posted_type"),
    [
        pytest.param({"a": 1}, None, "abcdefg", "not/json", id="XAPI-00229-00232-posted-not-json"),
        pytest.param("/ asdf /", "application/octet-stream", {"a": 2}, None, id="XAPI-00229-stored-not-json"),
        pytest.param({"a": 1}, None, '{"a": 2}{', "application/json", id="XAPI-00229-00281-posted-invalid-json"),
        pytest.param({"a": 1}, None, "[1, 2]", "application/json", id="posted-json-array"),
        pytest.param("[1]", "application/json", {"a": 2}, None, id="stored-json-array"),
        pytest.param({"a": 1}, None, '{"a": NaN}', "application/json", id="posted-non-json-number"),
    ],
)
@pytest.mark.parametrize("path", RESOURCES)
def test_post_that_cannot_merge_is_400_and_changes_nothing(
    client, lrs_auth, path, stored, stored_type, posted, posted_type
):
    create(client, lrs_auth, path, stored, content_type=stored_type)
    before = fetch(client, lrs_auth, path).data
    response = send(
        client, lrs_auth, "POST", path, params(path), posted, **({"content_type": posted_type} if posted_type else {})
    )
    assert response.status_code == 400
    assert response.json["error"]["message"]
    assert fetch(client, lrs_auth, path).data == before


def test_post_of_a_new_json_document_must_be_an_object(client, lrs_auth):
    response = send(client, lrs_auth, "POST", STATE, params(STATE), "[1]", content_type="application/json")
    assert response.status_code == 400
    assert fetch(client, lrs_auth, STATE).status_code == 404


@pytest.mark.parametrize(
    "path", RESOURCES, ids=["XAPI-00187-00191-00216", "XAPI-00285-00291", "XAPI-00271"]
)  # fmt: skip
def test_delete_removes_one_document(client, lrs_auth, path):
    create(client, lrs_auth, path, {"x": 1})
    create(client, lrs_auth, path, {"y": 1}, doc_id="other")
    assert send(client, lrs_auth, "DELETE", path, params(path)).status_code == 204
    assert fetch(client, lrs_auth, path).status_code == 404
    assert fetch(client, lrs_auth, path, doc_id="other").status_code == 200


@pytest.mark.parametrize("path", RESOURCES)
def test_delete_of_a_missing_document_is_204(client, lrs_auth, path):
    assert send(client, lrs_auth, "DELETE", path, params(path)).status_code == 204


@pytest.mark.parametrize("path", RESOURCES)
def test_get_of_a_missing_document_is_404_with_a_message(client, lrs_auth, path):
    response = fetch(client, lrs_auth, path)
    assert response.status_code == 404
    assert "doc-1" in response.json["error"]["message"]


def test_document_ids_are_case_sensitive_and_may_be_any_text(client, lrs_auth):
    create(client, lrs_auth, STATE, {"v": "lower"}, doc_id="Résumé/1 ?&")
    assert fetch(client, lrs_auth, STATE, doc_id="Résumé/1 ?&").json == {"v": "lower"}
    assert fetch(client, lrs_auth, STATE, doc_id="résumé/1 ?&").status_code == 404


def test_agent_is_matched_by_identity_not_by_name(client, lrs_auth):
    create(client, lrs_auth, AGENT_PROFILE, {"x": 1}, agent=json.dumps({"mbox": "mailto:Ann@Example.org"}))
    renamed = json.dumps({"objectType": "Agent", "name": "Ann", "mbox": "mailto:Ann@example.ORG"})
    assert fetch(client, lrs_auth, AGENT_PROFILE, agent=renamed).json == {"x": 1}


# ---------------------------------------------------------------------------
# Id listings and multiple-document DELETE
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", RESOURCES, ids=["XAPI-00193", "XAPI-00289", "XAPI-00270"])
def test_get_without_id_lists_the_ids_of_the_context(client, lrs_auth, path):
    create(client, lrs_auth, path, {"x": 1}, doc_id="a")
    create(client, lrs_auth, path, b"binary", doc_id="b", content_type="application/octet-stream")
    response = send(client, lrs_auth, "GET", path, params(path, doc_id=None))
    assert response.status_code == 200
    assert sorted(response.json) == ["a", "b"]
    assert response.headers["ETag"] == f'"{hashlib.sha1(response.data).hexdigest()}"'  # noqa: S324


@pytest.mark.parametrize(
    "path", RESOURCES, ids=["XAPI-00195-00221", "XAPI-00294-00303", "XAPI-00275-00268"]
)  # fmt: skip
def test_since_lists_only_documents_updated_after_it(client, lrs_auth, path):
    create(client, lrs_auth, path, {"x": 1}, doc_id="old")
    time.sleep(0.01)
    since = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    time.sleep(0.01)
    create(client, lrs_auth, path, {"x": 2}, doc_id="new")
    response = send(client, lrs_auth, "GET", path, params(path, doc_id=None, since=since))
    assert response.json == ["new"]
    newest = fetch(client, lrs_auth, path, doc_id="new").headers["Last-Modified"]
    assert response.headers["Last-Modified"] == newest


def test_empty_listing_is_an_empty_array_without_last_modified(client, lrs_auth):
    response = send(client, lrs_auth, "GET", STATE, params(STATE, doc_id=None))
    assert response.json == []
    assert "Last-Modified" not in response.headers


def test_xapi_00194_state_delete_without_state_id_deletes_only_that_context(client, lrs_auth):
    create(client, lrs_auth, STATE, {"x": 1}, doc_id="a")
    create(client, lrs_auth, STATE, {"x": 1}, doc_id="b")
    create(client, lrs_auth, STATE, {"x": 1}, doc_id="a", registration=REGISTRATION)
    create(client, lrs_auth, STATE, {"x": 1}, doc_id="a", agent=json.dumps(agent("someone-else")))
    assert send(client, lrs_auth, "DELETE", STATE, params(STATE, doc_id=None)).status_code == 204
    assert send(client, lrs_auth, "GET", STATE, params(STATE, doc_id=None)).json == []
    assert fetch(client, lrs_auth, STATE, doc_id="a", registration=REGISTRATION).status_code == 200
    assert fetch(client, lrs_auth, STATE, doc_id="a", agent=json.dumps(agent("someone-else"))).status_code == 200


def test_xapi_00218_00227_00220_00219_registration_keeps_state_apart(client, lrs_auth):
    with_registration = params(STATE, registration=REGISTRATION)
    assert send(client, lrs_auth, "PUT", STATE, params(STATE), {"without": 1}).status_code == 204
    assert send(client, lrs_auth, "PUT", STATE, with_registration, {"with": 1}).status_code == 204
    assert send(client, lrs_auth, "POST", STATE, with_registration, {"more": 1}).status_code == 204
    assert send(client, lrs_auth, "GET", STATE, with_registration).json == {"with": 1, "more": 1}
    assert send(client, lrs_auth, "DELETE", STATE, with_registration).status_code == 204
    assert send(client, lrs_auth, "GET", STATE, with_registration).status_code == 404
    assert fetch(client, lrs_auth, STATE).json == {"without": 1}


def test_registration_matches_whatever_the_hex_case(client, lrs_auth):
    create(client, lrs_auth, STATE, {"x": 1}, registration=REGISTRATION.upper())
    assert fetch(client, lrs_auth, STATE, registration=REGISTRATION).json == {"x": 1}


def test_state_accepts_an_identified_group_as_agent(client, lrs_auth):
    group = json.dumps({"objectType": "Group", "mbox": "mailto:team@example.org"})
    create(client, lrs_auth, STATE, {"x": 1}, agent=group)
    assert fetch(client, lrs_auth, STATE, agent=group).json == {"x": 1}


# ---------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------

MISSING = [
    pytest.param(STATE, "PUT", "activityId", id="XAPI-00210"),
    pytest.param(STATE, "POST", "activityId", id="XAPI-00209"),
    pytest.param(STATE, "GET", "activityId", id="XAPI-00208"),
    pytest.param(STATE, "DELETE", "activityId", id="XAPI-00207"),
    pytest.param(STATE, "PUT", "agent", id="XAPI-00215"),
    pytest.param(STATE, "POST", "agent", id="XAPI-00214"),
    pytest.param(STATE, "GET", "agent", id="XAPI-00213"),
    pytest.param(STATE, "DELETE", "agent", id="XAPI-00212"),
    pytest.param(STATE, "PUT", "stateId", id="XAPI-00206"),
    pytest.param(STATE, "POST", "stateId", id="XAPI-00211"),
    pytest.param(ACTIVITY_PROFILE, "PUT", "activityId", id="XAPI-00299"),
    pytest.param(ACTIVITY_PROFILE, "POST", "activityId", id="XAPI-00298"),
    pytest.param(ACTIVITY_PROFILE, "DELETE", "activityId", id="XAPI-00297"),
    pytest.param(ACTIVITY_PROFILE, "GET", "activityId", id="XAPI-00296"),
    pytest.param(ACTIVITY_PROFILE, "PUT", "profileId", id="XAPI-00302"),
    pytest.param(ACTIVITY_PROFILE, "POST", "profileId", id="XAPI-00301"),
    pytest.param(ACTIVITY_PROFILE, "DELETE", "profileId", id="XAPI-00300"),
    pytest.param(AGENT_PROFILE, "PUT", "agent", id="XAPI-00264"),
    pytest.param(AGENT_PROFILE, "POST", "agent", id="XAPI-00263"),
    pytest.param(AGENT_PROFILE, "DELETE", "agent", id="XAPI-00262"),
    pytest.param(AGENT_PROFILE, "GET", "agent", id="XAPI-00261"),
    pytest.param(AGENT_PROFILE, "PUT", "profileId", id="XAPI-00267"),
    pytest.param(AGENT_PROFILE, "POST", "profileId", id="XAPI-00266"),
    pytest.param(AGENT_PROFILE, "DELETE", "profileId", id="XAPI-00265"),
]


@pytest.mark.parametrize(("path", "method", "name"), MISSING)
def test_missing_required_parameter_is_400_naming_it(client, lrs_auth, path, method, name):
    query = {k: v for k, v in params(path).items() if k != name}
    response = send(client, lrs_auth, method, path, query, {"x": 1}, headers=CREATE_ONLY)
    assert response.status_code == 400
    assert name in response.json["error"]["message"]


@pytest.mark.parametrize("name", ["stateId", "activityId", "agent"])
def test_empty_required_parameter_is_400(client, lrs_auth, name):
    response = send(client, lrs_auth, "PUT", STATE, params(STATE, **{name: ""}), {"x": 1})
    assert response.status_code == 400


MALFORMED = [
    pytest.param(STATE, "PUT", {"agent": "not JSON"}, id="XAPI-00199"),
    pytest.param(STATE, "POST", {"agent": "true"}, id="XAPI-00198"),
    pytest.param(STATE, "GET", {"agent": "true"}, id="XAPI-00197"),
    pytest.param(STATE, "DELETE", {"agent": "true"}, id="XAPI-00196"),
    pytest.param(STATE, "POST", {"agent": '{"objectType""Agent"}'}, id="XAPI-00235-broken-agent-json"),
    pytest.param(STATE, "PUT", {"registration": "true"}, id="XAPI-00203"),
    pytest.param(STATE, "POST", {"registration": "true"}, id="XAPI-00202"),
    pytest.param(STATE, "GET", {"registration": "true"}, id="XAPI-00201"),
    pytest.param(STATE, "DELETE", {"registration": "true"}, id="XAPI-00200"),
    pytest.param(STATE, "GET", {"stateId": None, "since": "not a timestamp"}, id="XAPI-00204"),
    pytest.param(STATE, "PUT", {"activityId": "not an IRI"}, id="activityId-not-an-IRI"),
    pytest.param(STATE, "PUT", {"stateId": "a\x00b"}, id="NUL-in-id"),
    pytest.param(STATE, "PUT", {"agent": json.dumps({"objectType": "Group", "member": [LEARNER]})}, id="anon-group"),
    pytest.param(AGENT_PROFILE, "PUT", {"agent": "true"}, id="XAPI-00257"),
    pytest.param(AGENT_PROFILE, "POST", {"agent": "true"}, id="XAPI-00256"),
    pytest.param(AGENT_PROFILE, "DELETE", {"agent": "true"}, id="XAPI-00255"),
    pytest.param(AGENT_PROFILE, "GET", {"agent": "true"}, id="XAPI-00258"),
    pytest.param(AGENT_PROFILE, "POST", {"agent": '{"account"{}}'}, id="XAPI-00284-broken-agent-json"),
    pytest.param(AGENT_PROFILE, "GET", {"profileId": None, "since": "true"}, id="XAPI-00260"),
    pytest.param(
        AGENT_PROFILE, "PUT", {"agent": json.dumps({"objectType": "Group", "mbox": "mailto:t@x.org"})}, id="group"
    ),
    pytest.param(ACTIVITY_PROFILE, "GET", {"profileId": None, "since": "2024-13-01T00:00:00Z"}, id="since-month-13"),
]


@pytest.mark.parametrize(("path", "method", "overrides"), MALFORMED)
def test_malformed_parameter_is_400_with_a_message(client, lrs_auth, path, method, overrides):
    response = send(client, lrs_auth, method, path, params(path, **overrides), {"x": 1}, headers=CREATE_ONLY)
    assert response.status_code == 400
    assert response.json["error"]["message"]


@pytest.mark.parametrize(
    ("path", "method", "extra"),
    [
        (STATE, "PUT", {"since": "2024-01-01T00:00:00Z"}),
        (STATE, "DELETE", {"since": "2024-01-01T00:00:00Z"}),
        (STATE, "GET", {"stateid": "case-matters"}),
        (ACTIVITY_PROFILE, "GET", {"agent": json.dumps(LEARNER)}),
        (AGENT_PROFILE, "PUT", {"registration": REGISTRATION}),
        (ACTIVITY_PROFILE, "POST", {"stateId": "x"}),
    ],
)
def test_unknown_parameter_is_400_naming_it(client, lrs_auth, path, method, extra):
    response = send(client, lrs_auth, method, path, params(path, **extra), {"x": 1}, headers=CREATE_ONLY)
    assert response.status_code == 400
    assert next(iter(extra)) in response.json["error"]["message"]


def test_repeated_parameter_is_400(client, lrs_auth):
    query = f"activityId={ACTIVITY}&agent={json.dumps(LEARNER)}&stateId=a&stateId=b"
    response = client.get(f"{STATE}?{query}", headers=lrs_auth)
    assert response.status_code == 400
    assert "stateId" in response.json["error"]["message"]


@pytest.mark.parametrize("path", [*RESOURCES, "/xapi/activities", "/xapi/agents"])
def test_document_resources_need_credentials(client, path):
    query = params(path) if path in RESOURCES else {}
    response = client.get(path, query_string=query, headers={"X-Experience-API-Version": "1.0.3"})
    assert response.status_code == 401


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    method=st.sampled_from(["GET", "PUT", "POST", "DELETE"]),
    path=st.sampled_from(RESOURCES),
    query=st.dictionaries(
        st.sampled_from(["activityId", "agent", "registration", "stateId", "profileId", "since"]),
        st.one_of(st.text(max_size=30), st.sampled_from([json.dumps(LEARNER), ACTIVITY, REGISTRATION])),
        max_size=5,
    ),
    body=st.binary(max_size=40),
    content_type=st.sampled_from(["application/json", "text/plain", ""]),
    if_match=st.sampled_from([None, "*", '"abc"', 'W/"x"', "garbage"]),
)
def test_random_requests_never_break_the_document_resources(
    client, lrs_auth, method, path, query, body, content_type, if_match
):
    headers = {"If-Match": if_match} if if_match else {}
    response = send(client, lrs_auth, method, path, query, body, content_type=content_type, headers=headers)
    assert response.status_code in {200, 204, 400, 404, 409, 412}, response.get_data(as_text=True)
    if response.status_code >= 400:
        assert response.json["error"]["message"]


def test_oversized_document_is_413(app, client, lrs_auth):
    app.config["LRS_MAX_BODY_BYTES"] = 1000
    response = send(client, lrs_auth, "PUT", STATE, params(STATE), b"x" * 1001, content_type="text/plain")
    assert response.status_code == 413
    assert fetch(client, lrs_auth, STATE).status_code == 404


# ---------------------------------------------------------------------------
# Concurrency (Communication 3.1 / xAPI 2.0 4.1.4)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", RESOURCES)
@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_xapi_00322_wrong_if_match_is_412_and_changes_nothing(client, lrs_auth, path, method):
    create(client, lrs_auth, path, {"x": 1})
    response = send(client, lrs_auth, method, path, params(path), {"x": 2}, headers={"If-Match": '"1234"'})
    assert response.status_code == 412
    assert fetch(client, lrs_auth, path).json == {"x": 1}


@pytest.mark.parametrize("path", RESOURCES)
@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_xapi_00322_matching_if_match_writes(client, lrs_auth, path, method):
    create(client, lrs_auth, path, {"x": 1})
    etag = fetch(client, lrs_auth, path).headers["ETag"]
    response = send(client, lrs_auth, method, path, params(path), {"x": 2}, headers={"If-Match": etag})
    assert response.status_code == 204
    assert fetch(client, lrs_auth, path).json == {"x": 2}


@pytest.mark.parametrize("path", RESOURCES)
def test_matching_if_match_deletes(client, lrs_auth, path):
    create(client, lrs_auth, path, {"x": 1})
    etag = fetch(client, lrs_auth, path).headers["ETag"]
    assert send(client, lrs_auth, "DELETE", path, params(path), headers={"If-Match": etag}).status_code == 204
    assert fetch(client, lrs_auth, path).status_code == 404


def test_if_match_on_a_missing_document_is_412(client, lrs_auth):
    response = send(client, lrs_auth, "PUT", STATE, params(STATE), {"x": 1}, headers={"If-Match": "*"})
    assert response.status_code == 412
    assert fetch(client, lrs_auth, STATE).status_code == 404


def test_weak_etag_never_satisfies_if_match(client, lrs_auth):
    create(client, lrs_auth, STATE, {"x": 1})
    weak = "W/" + fetch(client, lrs_auth, STATE).headers["ETag"]
    assert send(client, lrs_auth, "PUT", STATE, params(STATE), {"x": 2}, headers={"If-Match": weak}).status_code == 412


@pytest.mark.parametrize("path", RESOURCES)
def test_xapi_00322_if_none_match_star_only_creates(client, lrs_auth, path):
    create(client, lrs_auth, path, {"x": 1})
    response = send(client, lrs_auth, "PUT", path, params(path), {"x": 2}, headers=CREATE_ONLY)
    assert response.status_code == 412
    assert fetch(client, lrs_auth, path).json == {"x": 1}


def test_if_none_match_with_the_current_etag_is_412(client, lrs_auth):
    create(client, lrs_auth, STATE, {"x": 1})
    etag = fetch(client, lrs_auth, STATE).headers["ETag"]
    response = send(client, lrs_auth, "POST", STATE, params(STATE), {"y": 2}, headers={"If-None-Match": etag})
    assert response.status_code == 412


@pytest.mark.parametrize(("path", "version"), [(ACTIVITY_PROFILE, "1.0.3"), (AGENT_PROFILE, "2.0.0"), (STATE, "2.0.0")])
def test_xapi_00322_put_over_an_existing_document_without_headers_is_409(client, lrs_auth, path, version):
    create(client, lrs_auth, path, {"x": 1})
    auth = {**lrs_auth, "X-Experience-API-Version": version}
    response = send(client, auth, "PUT", path, params(path), {"x": 2})
    assert response.status_code == 409
    assert "If-Match" in response.json["error"]["message"]
    assert fetch(client, lrs_auth, path).json == {"x": 1}


def test_state_put_without_headers_overwrites_in_1_0(client, lrs_auth):
    create(client, lrs_auth, STATE, {"x": 1})
    assert send(client, lrs_auth, "PUT", STATE, params(STATE), {"x": 2}).status_code == 204
    assert fetch(client, lrs_auth, STATE).json == {"x": 2}


@pytest.mark.parametrize("path", PROFILES)
def test_xapi_00273_new_profile_put_without_headers_is_refused(client, lrs_auth, v2_auth, path):
    assert send(client, lrs_auth, "PUT", path, params(path), {"x": 1}).status_code == 400
    assert send(client, v2_auth, "PUT", path, params(path), {"x": 1}).status_code == 428
    assert fetch(client, lrs_auth, path).status_code == 404


def test_new_state_put_without_headers_is_fine_in_2_0(client, v2_auth):
    assert send(client, v2_auth, "PUT", STATE, params(STATE), {"x": 1}).status_code == 204


def test_post_and_delete_need_no_concurrency_headers(client, v2_auth):
    assert send(client, v2_auth, "POST", AGENT_PROFILE, params(AGENT_PROFILE), {"x": 1}).status_code == 204
    assert send(client, v2_auth, "POST", AGENT_PROFILE, params(AGENT_PROFILE), {"y": 1}).status_code == 204
    assert send(client, v2_auth, "DELETE", AGENT_PROFILE, params(AGENT_PROFILE)).status_code == 204


def test_concurrent_merges_lose_no_property(live_server, lrs_auth):
    """Eight clients POSTing to one document at once: compare-and-set retries keep every property."""
    url = f"{live_server.url}{STATE}?{urllib.parse.urlencode(params(STATE))}"

    def merge(key: str) -> int:
        body = json.dumps({key: True}).encode()
        headers = {**lrs_auth, "Content-Type": "application/json"}
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return int(response.status)

    keys = [f"k{i}" for i in range(32)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(merge, keys)) == {204}
    with urllib.request.urlopen(urllib.request.Request(url, headers=lrs_auth), timeout=30) as response:  # noqa: S310
        assert json.loads(response.read()) == dict.fromkeys(keys, True)


def test_too_long_content_type_is_400(client, lrs_auth):
    response = send(client, lrs_auth, "PUT", STATE, params(STATE), b"x", content_type="text/" + "x" * 300)
    assert response.status_code == 400
    assert "Content-Type" in response.json["error"]["message"]


# ---------------------------------------------------------------------------
# HEAD
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", RESOURCES)
def test_xapi_00125_head_is_get_without_the_body(client, lrs_auth, path):
    create(client, lrs_auth, path, {"x": 1})
    get, head = fetch(client, lrs_auth, path), send(client, lrs_auth, "HEAD", path, params(path))
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Last-Modified"] == get.headers["Last-Modified"]


@pytest.mark.parametrize(
    ("path", "query"),
    [("/xapi/activities", {"activityId": ACTIVITY}), ("/xapi/agents", {"agent": json.dumps(LEARNER)})],
)
def test_xapi_00126_head_works_on_activities_and_agents(client, lrs_auth, path, query):
    response = client.head(path, query_string=query, headers=lrs_auth)
    assert response.status_code == 200
    assert response.data == b""


# ---------------------------------------------------------------------------
# Activities resource
# ---------------------------------------------------------------------------


def test_xapi_00253_unknown_activity_is_still_an_activity_object(client, lrs_auth):
    iri = f"https://vtc.test/never-seen/{uuid.uuid4()}"
    response = client.get("/xapi/activities", query_string={"activityId": iri}, headers=lrs_auth)
    assert response.status_code == 200
    assert response.json == {"objectType": "Activity", "id": iri}


def test_xapi_00251_activity_comes_with_its_canonical_definition(app, client, lrs_auth):
    definition = {"name": {"en-US": "example meeting"}, "type": "http://adlnet.gov/expapi/activities/meeting"}
    with app.extensions["lrs"].engine.begin() as conn:
        upsert_activity_definitions(conn, [{"id": ACTIVITY, "definition": definition}])
    response = client.get("/xapi/activities", query_string={"activityId": ACTIVITY}, headers=lrs_auth)
    assert response.json == {"objectType": "Activity", "id": ACTIVITY, "definition": definition}


@pytest.mark.parametrize(
    "query",
    [
        pytest.param({}, id="XAPI-00250"),
        pytest.param({"activityId": "true"}, id="not-an-IRI"),
        pytest.param({"activityId": ACTIVITY, "agent": json.dumps(LEARNER)}, id="unknown-parameter"),
    ],
)
def test_activities_rejects_bad_parameters_with_400(client, lrs_auth, query):
    response = client.get("/xapi/activities", query_string=query, headers=lrs_auth)
    assert response.status_code == 400
    assert response.json["error"]["message"]


# ---------------------------------------------------------------------------
# Agents resource
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param(
            {"objectType": "Agent", "name": "Ann", "mbox": "mailto:ann@example.org"},
            {"objectType": "Person", "name": ["Ann"], "mbox": ["mailto:ann@example.org"]},
            id="XAPI-00237-00238-00239-00244",
        ),
        pytest.param(
            {"mbox_sha1sum": "a" * 40},
            {"objectType": "Person", "mbox_sha1sum": ["a" * 40]},
            id="XAPI-00240",
        ),
        pytest.param(
            {"openid": "https://openid.example.org/ann"},
            {"objectType": "Person", "openid": ["https://openid.example.org/ann"]},
            id="XAPI-00241",
        ),
        pytest.param(LEARNER, {"objectType": "Person", "account": [LEARNER["account"]]}, id="XAPI-00242"),
    ],
)
def test_xapi_00248_agents_returns_the_person_of_the_agent(client, lrs_auth, given, expected):
    response = client.get("/xapi/agents", query_string={"agent": json.dumps(given)}, headers=lrs_auth)
    assert response.status_code == 200
    assert response.json == expected


@pytest.mark.parametrize(
    "query",
    [
        pytest.param({}, id="XAPI-00243"),
        pytest.param({"agent": json.dumps({"objectType": "Agent", "name": "no IFI"})}, id="XAPI-00249"),
        pytest.param({"agent": json.dumps({"objectType": "Group", "mbox": "mailto:t@x.org"})}, id="group"),
        pytest.param({"agent": "{"}, id="not-json"),
        pytest.param({"agent": json.dumps(LEARNER), "activityId": ACTIVITY}, id="unknown-parameter"),
    ],
)
def test_agents_rejects_bad_parameters_with_400(client, lrs_auth, query):
    response = client.get("/xapi/agents", query_string=query, headers=lrs_auth)
    assert response.status_code == 400
    assert response.json["error"]["message"]
