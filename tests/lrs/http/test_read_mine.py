"""statements/read/mine: a client reads back only the statements stored with its own credential, on every page."""

from __future__ import annotations

import base64
import json
import uuid
from urllib.parse import quote

import pytest
from xapi_helpers import agent, make_statement, post, query

MINE = ("statements/write", "statements/read/mine")
VERB = "https://vtc.test/verbs/measured"


@pytest.fixture
def mine(make_lrs_auth) -> dict[str, str]:
    """A client that writes statements and may read back only its own, like an RPM platform."""
    return make_lrs_auth(*MINE, name="RPM platform")


@pytest.fixture
def other(make_lrs_auth) -> dict[str, str]:
    """Another client with every scope, storing statements beside it."""
    return make_lrs_auth(name="authoring tool")


def key_of(auth: dict[str, str]) -> str:
    return base64.b64decode(auth["Authorization"].removeprefix("Basic ")).decode().split(":")[0]


def store(client, auth: dict[str, str], count: int = 1, **overrides) -> list[str]:
    ids = []
    for _ in range(count):
        response = post(client, auth, make_statement(**overrides))
        assert response.status_code == 200, response.json
        ids += response.json
    return ids


def all_pages(client, auth: dict[str, str], params: str) -> tuple[list[str], int]:
    """Follow `more` to the end; return every statement id and how many pages it took."""
    page = query(client, auth, params)
    ids, pages = [s["id"] for s in page["statements"]], 1
    while page["more"]:
        response = client.get(page["more"], headers=auth)
        assert response.status_code == 200, response.json
        page = response.json
        ids += [s["id"] for s in page["statements"]]
        pages += 1
    return ids, pages


def test_read_mine_returns_only_statements_this_credential_stored(client, mine, other):
    own = store(client, mine, 2)
    theirs = store(client, other, 2)
    assert {s["id"] for s in query(client, mine, "")["statements"]} == set(own)
    assert {s["id"] for s in query(client, other, "")["statements"]} == set(own + theirs)


def test_read_mine_keeps_its_restriction_across_more_pages(client, mine, other):
    own = []
    for _ in range(5):
        own += store(client, mine)
        store(client, other, 2)
    ids, pages = all_pages(client, mine, "limit=2")
    assert ids == list(reversed(own))
    assert pages == 3


def test_more_link_of_a_broader_credential_does_not_widen_read_mine(client, mine, other):
    store(client, other, 3)
    own = store(client, mine)
    page = query(client, other, "limit=1")
    assert [s["id"] for s in page["statements"]] == own
    response = client.get(page["more"], headers=mine)  # the rest: only the other client's statements
    assert response.status_code == 200
    assert response.json["statements"] == []


def test_read_mine_applies_on_top_of_the_query_filters(client, mine, other):
    learner = agent("learner-7")
    own = store(client, mine, actor=learner, verb={"id": VERB})
    store(client, mine, verb={"id": VERB})
    store(client, other, actor=learner, verb={"id": VERB})
    assert [
        s["id"] for s in query(client, mine, f"verb={VERB}&agent={quote(json.dumps(learner))}")["statements"]
    ] == own
    assert len(query(client, mine, f"verb={VERB}")["statements"]) == 2
    assert len(query(client, other, f"verb={VERB}")["statements"]) == 3


def test_read_mine_goes_by_who_stored_a_statement_not_who_it_names(client, mine, other):
    me_as_agent = {"objectType": "Agent", "account": {"homePage": "http://localhost/xapi", "name": key_of(mine)}}
    store(client, other, actor=me_as_agent, context={"instructor": me_as_agent})
    own = store(client, mine, actor=me_as_agent)
    assert [s["id"] for s in query(client, mine, "")["statements"]] == own


def test_read_mine_cannot_fetch_another_credentials_statement_by_id(client, mine, other):
    [own] = store(client, mine)
    [theirs] = store(client, other)
    assert query(client, mine, f"statementId={own}")["id"] == own
    response = client.get(f"/xapi/statements?statementId={theirs}", headers=mine)
    assert response.status_code == 404


def test_read_mine_cannot_fetch_another_credentials_voided_statement(client, mine, other):
    [theirs] = store(client, other)
    store(
        client,
        other,
        verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
        object={"objectType": "StatementRef", "id": theirs},
    )
    assert client.get(f"/xapi/statements?voidedStatementId={theirs}", headers=other).status_code == 200
    assert client.get(f"/xapi/statements?voidedStatementId={theirs}", headers=mine).status_code == 404


def test_read_mine_matches_statement_refs_only_to_its_own_targets(client, mine, other):
    [their_target] = store(client, other, verb={"id": VERB})
    [own_target] = store(client, mine, verb={"id": VERB})
    refers_to_theirs = store(client, mine, object={"objectType": "StatementRef", "id": their_target})
    refers_to_own = store(client, mine, object={"objectType": "StatementRef", "id": own_target})
    ids = {s["id"] for s in query(client, mine, f"verb={VERB}")["statements"]}
    assert ids == {own_target, *refers_to_own}
    assert refers_to_theirs[0] not in ids


def test_statements_put_by_id_count_as_mine(client, mine):
    statement_id = str(uuid.uuid4())
    response = client.put(
        f"/xapi/statements?statementId={statement_id}",
        json=make_statement(),
        headers=mine,
    )
    assert response.status_code == 204
    assert [s["id"] for s in query(client, mine, "")["statements"]] == [statement_id]


def test_authority_of_stored_statements_is_the_credential(client, mine):
    [statement_id] = store(client, mine)
    authority = query(client, mine, f"statementId={statement_id}")["authority"]
    assert authority["account"]["name"] == key_of(mine)
    assert authority["name"] == "RPM platform"
