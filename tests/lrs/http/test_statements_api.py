"""The xAPI Statements resource over the real HTTP app and database."""

from __future__ import annotations

import json
import uuid
from urllib.parse import quote

import pytest
from sqlalchemy import func, select
from xapi_helpers import ACTIVITY, agent, make_statement, post, query

from lrs.store.tables import statement as statement_table


def stored_count(app) -> int:
    with app.extensions["lrs"].engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(statement_table)).scalar_one()


def test_post_single_statement_returns_its_id_and_sets_lrs_fields(client, lrs_auth):
    response = post(client, lrs_auth, make_statement())
    assert response.status_code == 200
    (statement_id,) = response.json
    stored = client.get(f"/xapi/statements?statementId={statement_id}", headers=lrs_auth).json
    assert stored["id"] == statement_id
    assert stored["stored"].endswith("Z")
    assert stored["timestamp"] == stored["stored"]
    assert stored["authority"]["account"]["name"] == lrs_auth_key(lrs_auth)
    assert stored["version"] == "1.0.0"


def lrs_auth_key(headers) -> str:
    import base64

    return base64.b64decode(headers["Authorization"].split()[1]).decode().split(":")[0]


def test_post_batch_keeps_order_of_ids(client, lrs_auth):
    ids = [str(uuid.uuid4()) for _ in range(3)]
    response = post(client, lrs_auth, [make_statement(id=i) for i in ids])
    assert response.status_code == 200
    assert response.json == ids


def test_put_stores_under_statement_id(client, lrs_auth):
    statement_id = str(uuid.uuid4())
    response = client.put(
        f"/xapi/statements?statementId={statement_id}",
        data=json.dumps(make_statement()),
        headers=lrs_auth,
        content_type="application/json",
    )
    assert response.status_code == 204
    assert client.get(f"/xapi/statements?statementId={statement_id}", headers=lrs_auth).status_code == 200


def test_same_id_same_content_is_accepted_once(app, client, lrs_auth):
    statement = make_statement(id=str(uuid.uuid4()))
    assert post(client, lrs_auth, statement).status_code == 200
    assert post(client, lrs_auth, statement).status_code == 200
    assert stored_count(app) == 1


def test_same_id_other_content_is_a_conflict_and_changes_nothing(app, client, lrs_auth):
    statement_id = str(uuid.uuid4())
    post(client, lrs_auth, make_statement(id=statement_id))
    other = make_statement(id=statement_id, verb={"id": "http://adlnet.gov/expapi/verbs/completed"})
    response = post(client, lrs_auth, other)
    assert response.status_code == 409
    assert "immutable" in response.json["error"]["message"]
    stored = client.get(f"/xapi/statements?statementId={statement_id}", headers=lrs_auth).json
    assert stored["verb"]["id"].endswith("experienced")


def test_invalid_statement_in_batch_stores_nothing(app, client, lrs_auth):
    batch = [make_statement(), make_statement(verb={"display": {"en-US": "no id"}})]
    response = post(client, lrs_auth, batch)
    assert response.status_code == 400
    assert "verb" in response.json["error"]["message"]
    assert stored_count(app) == 0


@pytest.mark.parametrize(
    ("body", "content_type", "status", "words"),
    [
        ("{not json", "application/json", 400, "not valid JSON"),
        ("[" * 5000 + "]" * 5000, "application/json", 400, "nested too deeply"),
        (json.dumps(make_statement()), "text/plain", 400, "application/json or multipart/mixed"),
        (b"\xff\xfe", "application/json", 400, "UTF-8"),
    ],
    ids=["malformed", "deeply-nested", "wrong-content-type", "not-utf8"],
)
def test_bad_bodies_get_a_clear_4xx_and_store_nothing(app, client, lrs_auth, body, content_type, status, words):
    post(client, lrs_auth, make_statement())
    response = client.post("/xapi/statements", data=body, headers=lrs_auth, content_type=content_type)
    assert response.status_code == status
    assert words in response.json["error"]["message"]
    assert stored_count(app) == 1


def test_oversized_body_is_refused_with_413(app, client, lrs_auth):
    app.config["LRS_MAX_BODY_BYTES"] = 10_000
    huge = make_statement(result={"response": "x" * 20_000})
    response = post(client, lrs_auth, huge)
    assert response.status_code == 413
    assert "larger" in response.json["error"]["message"]
    assert stored_count(app) == 0


def test_missing_credentials_get_401_with_challenge(client):
    response = client.get("/xapi/statements", headers={"X-Experience-API-Version": "1.0.3"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_unknown_credential_gets_401(client):
    headers = {"Authorization": "Basic bm9ib2R5Om5vdGhpbmc=", "X-Experience-API-Version": "1.0.3"}
    response = client.get("/xapi/statements", headers=headers)
    assert response.status_code == 401
    assert "unknown or revoked" in response.json["error"]["message"]


def test_revoked_credential_gets_401(client, runner, lrs_auth):
    runner.invoke(args=["lrs", "revoke-credential", lrs_auth_key(lrs_auth)])
    assert client.get("/xapi/statements", headers=lrs_auth).status_code == 401


def test_missing_version_header_is_400(client, lrs_auth):
    headers = {"Authorization": lrs_auth["Authorization"]}
    response = client.get("/xapi/statements", headers=headers)
    assert response.status_code == 400
    assert "X-Experience-API-Version" in response.json["error"]["message"]


def test_responses_carry_version_and_consistent_through(client, lrs_auth):
    response = client.get("/xapi/statements", headers=lrs_auth)
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    assert response.headers["X-Experience-API-Consistent-Through"].endswith("Z")


def test_about_needs_no_credentials(client):
    response = client.get("/xapi/about")
    assert response.status_code == 200
    assert "1.0.3" in response.json["version"]


def test_unknown_query_parameter_is_400(client, lrs_auth):
    response = client.get("/xapi/statements?colour=blue", headers=lrs_auth)
    assert response.status_code == 400
    assert "colour" in response.json["error"]["message"]


def test_unknown_statement_id_is_404(client, lrs_auth):
    response = client.get(f"/xapi/statements?statementId={uuid.uuid4()}", headers=lrs_auth)
    assert response.status_code == 404


@pytest.fixture
def varied(client, lrs_auth):
    """Six statements over two learners, two verbs, two activities and two registrations."""
    registrations = [str(uuid.uuid4()), str(uuid.uuid4())]
    batch = []
    for i in range(6):
        batch.append(
            make_statement(
                actor=agent(f"learner-{i % 2}"),
                verb={"id": "http://adlnet.gov/expapi/verbs/" + ("completed" if i % 3 == 0 else "experienced")},
                object={"id": f"{ACTIVITY}/{i % 2}"},
                context={
                    "registration": registrations[i % 2],
                    "contextActivities": {"parent": [{"id": f"{ACTIVITY}/parent"}]},
                },
            )
        )
    ids = post(client, lrs_auth, batch).json
    return ids, registrations


def test_filter_by_agent(client, lrs_auth, varied):
    ids, _ = varied
    found = query(client, lrs_auth, "agent=" + json.dumps(agent("learner-1")))["statements"]
    assert sorted(s["id"] for s in found) == sorted(ids[1::2])


def test_filter_by_verb_and_activity(client, lrs_auth, varied):
    ids, _ = varied
    params = f"verb=http://adlnet.gov/expapi/verbs/completed&activity={ACTIVITY}/0"
    found = query(client, lrs_auth, params)["statements"]
    assert [s["id"] for s in found] == [ids[0]]


def test_related_activities_match_context_parents(client, lrs_auth, varied):
    assert query(client, lrs_auth, f"activity={ACTIVITY}/parent")["statements"] == []
    related = query(client, lrs_auth, f"activity={ACTIVITY}/parent&related_activities=true")["statements"]
    assert len(related) == 6


def test_filter_by_registration(client, lrs_auth, varied):
    ids, registrations = varied
    found = query(client, lrs_auth, f"registration={registrations[0]}")["statements"]
    assert sorted(s["id"] for s in found) == sorted(ids[0::2])


def test_since_and_until_bound_the_stored_time(client, lrs_auth, varied):
    newest = query(client, lrs_auth, "limit=1")["statements"][0]
    assert query(client, lrs_auth, f"since={newest['stored']}")["statements"] == []
    assert len(query(client, lrs_auth, f"until={newest['stored']}")["statements"]) == 6
    # tincan sends timestamps with a space instead of 'T'
    assert len(query(client, lrs_auth, "since=" + quote("2000-01-01 00:00:00+00:00"))["statements"]) == 6


def test_more_pages_through_everything_once_while_statements_arrive(client, lrs_auth, varied):
    ids, _ = varied
    page = query(client, lrs_auth, "limit=4")
    seen = [s["id"] for s in page["statements"]]
    post(client, lrs_auth, make_statement())  # arrives between pages
    page = client.get(page["more"], headers=lrs_auth).json
    seen += [s["id"] for s in page["statements"]]
    assert page["more"] == ""
    assert sorted(seen) == sorted(ids)


def test_ascending_returns_oldest_first(client, lrs_auth, varied):
    ids, _ = varied
    found = query(client, lrs_auth, "ascending=true")["statements"]
    assert [s["id"] for s in found] == ids


def test_voided_statement_is_hidden_but_fetchable_by_voided_id(client, lrs_auth, varied):
    ids, _ = varied
    voiding = make_statement(
        verb={"id": "http://adlnet.gov/expapi/verbs/voided"}, object={"objectType": "StatementRef", "id": ids[0]}
    )
    assert post(client, lrs_auth, voiding).status_code == 200
    assert client.get(f"/xapi/statements?statementId={ids[0]}", headers=lrs_auth).status_code == 404
    assert client.get(f"/xapi/statements?voidedStatementId={ids[0]}", headers=lrs_auth).status_code == 200
    remaining = {s["id"] for s in query(client, lrs_auth, "limit=100")["statements"]}
    assert ids[0] not in remaining


def test_bad_filter_values_are_400(client, lrs_auth):
    for params in ("limit=-1", "registration=nope", "since=yesterday", "agent={bad", "ascending=maybe"):
        response = client.get(f"/xapi/statements?{params}", headers=lrs_auth)
        assert response.status_code == 400, params
        assert response.json["error"]["message"]


@pytest.mark.parametrize(
    ("method", "path", "status"), [("GET", "/xapi/nothing", 404), ("DELETE", "/xapi/statements", 405)]
)
def test_unknown_api_routes_get_json_errors(client, lrs_auth, method, path, status):
    response = client.open(path, method=method, headers=lrs_auth)
    assert response.status_code == status
    assert response.json["error"]["status"] == status


def test_single_statement_has_last_modified_equal_to_stored(client, lrs_auth):
    statement_id = post(client, lrs_auth, make_statement()).json[0]
    response = client.get(f"/xapi/statements?statementId={statement_id}", headers=lrs_auth)
    stored = response.json["stored"]
    assert response.last_modified is not None
    assert response.last_modified.strftime("%Y-%m-%dT%H:%M:%S") == stored[:19]


@pytest.mark.parametrize("spoken", ["1.0.3", "2.0.0"])
def test_missing_version_header_is_answered_in_the_version_the_client_spoke(client, lrs_auth, spoken):
    client.get("/xapi/statements", headers={**lrs_auth, "X-Experience-API-Version": spoken})
    response = client.get("/xapi/statements", headers={"Authorization": lrs_auth["Authorization"]})
    assert response.status_code == 400
    assert response.headers["X-Experience-API-Version"] == spoken
