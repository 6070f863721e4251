"""The 1.0.x Alternate Request Syntax and CORS, for xAPI clients running in a browser."""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlencode

import pytest
from xapi_helpers import make_statement, query

FORM = "application/x-www-form-urlencoded"


def alternate(client, method: str, fields: dict, *, query_string: str | None = None, verb: str = "post"):
    qs = query_string if query_string is not None else f"method={method}"
    return client.open(f"/xapi/statements?{qs}", method=verb.upper(), data=urlencode(fields), content_type=FORM)


def test_xapi_00148_post_can_carry_a_get(client, lrs_auth):
    response = alternate(client, "GET", {**lrs_auth, "limit": "1"})
    assert response.status_code == 200
    assert set(response.json) == {"statements", "more"}


def test_xapi_00336_put_issued_as_post_stores_the_content(client, lrs_auth):
    statement_id = str(uuid.uuid4())
    fields = {**lrs_auth, "statementId": statement_id, "content": json.dumps(make_statement())}
    assert alternate(client, "PUT", fields).status_code == 204
    assert query(client, lrs_auth, f"statementId={statement_id}")["id"] == statement_id


def test_form_headers_count_as_headers(client, lrs_auth):
    fields = {**lrs_auth, "X-Experience-API-Version": "0.8", "statementId": str(uuid.uuid4()), "content": "{}"}
    response = alternate(client, "PUT", fields)
    assert response.status_code == 400
    assert "version" in response.json["error"]["message"].lower()


@pytest.mark.parametrize(
    ("fields", "kwargs", "words"),
    [
        ({"statementId": "x"}, {"query_string": "method=PUT&statementId=x"}, "form field"),
        ({"content": "{}"}, {"verb": "put", "query_string": "method=POST"}, "POST"),
        ({}, {}, "'content' form field"),
        ({"content": "{}"}, {"query_string": "method=TRACE"}, "not one this LRS supports"),
    ],
    ids=["extra-query-parameter", "not-a-post", "no-content", "unknown-method"],
)
def test_misused_alternate_syntax_is_400(client, lrs_auth, fields, kwargs, words):
    response = alternate(client, "PUT", {**lrs_auth, **fields}, **kwargs)
    assert response.status_code == 400
    assert words in response.json["error"]["message"]


def test_body_that_is_not_a_form_is_400(client, lrs_auth):
    body = json.dumps({"statementId": str(uuid.uuid4()), "content": json.dumps(make_statement())})
    response = client.post("/xapi/statements?method=PUT", data=body, headers=lrs_auth, content_type=FORM)
    assert response.status_code == 400


def test_version_2_does_not_take_the_alternate_syntax(client, lrs_auth):
    fields = {**lrs_auth, "X-Experience-API-Version": "2.0.0", "limit": "1"}
    assert alternate(client, "GET", fields).status_code == 400


def test_cors_preflight_allows_xapi_headers(client):
    response = client.options(
        "/xapi/statements",
        headers={"Origin": "https://authoring.example", "Access-Control-Request-Method": "PUT"},
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://authoring.example"
    assert "X-Experience-API-Version" in response.headers["Access-Control-Allow-Headers"]
    assert "PUT" in response.headers["Access-Control-Allow-Methods"]


def test_cors_exposes_headers_on_real_requests(client, lrs_auth):
    response = client.get("/xapi/statements", headers={**lrs_auth, "Origin": "https://authoring.example"})
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]


def test_cors_origins_can_be_restricted(app, client, lrs_auth):
    app.config["LRS_CORS_ORIGINS"] = "https://trusted.example"
    response = client.get("/xapi/statements", headers={**lrs_auth, "Origin": "https://other.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_put_statements_refuses_unknown_parameters(client, lrs_auth):
    response = client.put(
        f"/xapi/statements?statementId={uuid.uuid4()}&colour=red",
        data=json.dumps(make_statement()),
        headers=lrs_auth,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "colour" in response.json["error"]["message"]
