"""Random JSON through the real HTTP app: the LRS answers 200 or a 4xx with a message, never a 500."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=30,
)
STATEMENT_KEYS = ["id", "actor", "verb", "object", "result", "context", "timestamp", "attachments", "authority"]
statement_like = st.dictionaries(st.sampled_from(STATEMENT_KEYS), json_values, max_size=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(json_values, statement_like, st.lists(statement_like, max_size=3)))
def test_random_json_never_breaks_the_lrs(client, lrs_auth, body):
    response = client.post("/xapi/statements", data=json.dumps(body), headers=lrs_auth, content_type="application/json")
    assert response.status_code in {200, 400, 409}, response.get_data(as_text=True)
    if response.status_code != 200:
        assert response.json["error"]["message"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.dictionaries(st.sampled_from(["agent", "verb", "activity", "registration", "since", "until",
                                                "limit", "ascending", "format", "related_agents", "statementId",
                                                "more"]), st.text(max_size=40), max_size=4))  # fmt: skip
def test_random_query_parameters_never_break_the_lrs(client, lrs_auth, params):
    response = client.get("/xapi/statements", query_string=params, headers=lrs_auth)
    assert response.status_code in {200, 400, 404}, response.get_data(as_text=True)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    method=st.one_of(st.sampled_from(["GET", "PUT", "POST", "DELETE", "HEAD"]), st.text(max_size=8)),
    resource=st.sampled_from(["statements", "activities/state", "activities/profile", "agents/profile", "about"]),
    form=st.dictionaries(
        st.one_of(st.sampled_from(["content", "Content-Type", "Authorization", "X-Experience-API-Version",
                                   "statementId", "activityId", "agent", "stateId", "If-Match"]), st.text(max_size=8)),
        st.one_of(st.text(max_size=40), json_values.map(json.dumps)), max_size=6),
)  # fmt: skip
def test_random_alternate_syntax_requests_never_break_the_lrs(client, lrs_auth, method, resource, form):
    form = {"Authorization": lrs_auth["Authorization"], "X-Experience-API-Version": "1.0.3", **form}
    response = client.post(f"/xapi/{resource}", query_string={"method": method}, data=form)
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
