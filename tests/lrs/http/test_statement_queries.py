"""Conformance details of GET statements: StatementRef targets, formats, normalised context activities."""

from __future__ import annotations

import json
import uuid

from xapi_helpers import agent, make_statement, post, query

VERB = "http://adlnet.gov/expapi/test/voided/target/x"
GROUP = {"objectType": "Group", "mbox": "mailto:group@example.org", "name": "Team"}


def test_xapi_00162_statements_targeting_a_voided_statement_are_still_returned(client, lrs_auth):
    voided, voiding, referring = (str(uuid.uuid4()) for _ in range(3))
    post(client, lrs_auth, make_statement(id=voided, verb={"id": VERB}))
    post(
        client,
        lrs_auth,
        make_statement(
            id=voiding,
            verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
            object={"objectType": "StatementRef", "id": voided},
        ),
    )
    post(
        client,
        lrs_auth,
        make_statement(id=referring, verb={"id": VERB}, object={"objectType": "StatementRef", "id": voided}),
    )
    ids = {s["id"] for s in query(client, lrs_auth, f"verb={VERB}")["statements"]}
    assert ids == {voiding, referring}


def test_statement_ref_match_respects_the_time_window_of_the_referrer(client, lrs_auth):
    target = str(uuid.uuid4())
    post(client, lrs_auth, make_statement(id=target, verb={"id": VERB}))
    newest = query(client, lrs_auth, "limit=1")["statements"][0]["stored"]
    referring = post(client, lrs_auth, make_statement(object={"objectType": "StatementRef", "id": target})).json[0]
    ids = [s["id"] for s in query(client, lrs_auth, f"verb={VERB}&since={newest}")["statements"]]
    assert ids == [referring]


def test_xapi_00096_single_context_activity_is_returned_as_array(client, lrs_auth):
    context = {
        "contextActivities": {"parent": {"id": "https://vtc.test/parent"}, "grouping": [{"id": "https://vtc.test/g"}]}
    }
    statement_id = post(client, lrs_auth, make_statement(context=context)).json[0]
    stored = query(client, lrs_auth, f"statementId={statement_id}")
    assert stored["context"]["contextActivities"]["parent"] == [{"id": "https://vtc.test/parent"}]
    assert stored["context"]["contextActivities"]["grouping"] == [{"id": "https://vtc.test/g"}]


def test_resent_statement_with_single_context_activity_is_not_a_conflict(client, lrs_auth):
    statement = make_statement(
        id=str(uuid.uuid4()), context={"contextActivities": {"other": {"id": "https://x.test/o"}}}
    )
    assert post(client, lrs_auth, statement).status_code == 200
    assert post(client, lrs_auth, statement).status_code == 200


def rich_statement():
    return make_statement(
        actor={"objectType": "Agent", "name": "Ann", "mbox": "mailto:ann@example.org"},
        verb={"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"en-GB": "attended", "en-US": "attended!"}},
        object={
            "objectType": "SubStatement",
            "actor": GROUP,
            "verb": {"id": "http://adlnet.gov/expapi/verbs/led", "display": {"en-GB": "led", "nl-NL": "leidde"}},
            "object": {
                "objectType": "Activity",
                "id": "https://vtc.test/activity/1",
                "definition": {"name": {"en-GB": "Meeting", "en-US": "Meeting!"}, "type": "https://vtc.test/type"},
            },
        },
    )


def test_xapi_00171_format_ids_keeps_only_identifiers(client, lrs_auth):
    statement_id = post(client, lrs_auth, rich_statement()).json[0]
    stored = query(client, lrs_auth, f"statementId={statement_id}&format=ids")
    assert stored["actor"] == {"objectType": "Agent", "mbox": "mailto:ann@example.org"}
    assert stored["verb"] == {"id": "http://adlnet.gov/expapi/verbs/attended"}
    assert stored["object"]["actor"] == {"objectType": "Group", "mbox": "mailto:group@example.org"}
    assert stored["object"]["object"] == {"id": "https://vtc.test/activity/1"}


def test_xapi_00169_format_canonical_keeps_one_language_by_accept_language(client, lrs_auth):
    post(client, lrs_auth, rich_statement())
    headers = {**lrs_auth, "Accept-Language": "en-GB, nl;q=0.5"}
    stored = client.get("/xapi/statements?format=canonical", headers=headers).json["statements"][0]
    assert stored["verb"]["display"] == {"en-GB": "attended"}
    assert stored["object"]["verb"]["display"] == {"en-GB": "led"}
    assert stored["object"]["object"]["definition"]["name"] == {"en-GB": "Meeting"}
    assert stored["actor"]["name"] == "Ann"


def test_format_exact_returns_what_was_sent(client, lrs_auth):
    sent = rich_statement()
    statement_id = post(client, lrs_auth, sent).json[0]
    stored = query(client, lrs_auth, f"statementId={statement_id}")
    for key in ("actor", "verb", "object"):
        assert stored[key] == json.loads(json.dumps(sent[key]))


def test_agent_filter_matches_group_by_its_ifi(client, lrs_auth):
    statement_id = post(client, lrs_auth, make_statement(actor=GROUP)).json[0]
    post(client, lrs_auth, make_statement(actor=agent("someone-else")))
    found = query(client, lrs_auth, "agent=" + json.dumps({"objectType": "Group", "mbox": "mailto:group@example.org"}))
    assert [s["id"] for s in found["statements"]] == [statement_id]


def test_voiding_statement_in_the_same_batch_as_its_target_voids_it(client, lrs_auth):
    target = str(uuid.uuid4())
    voiding = make_statement(
        verb={"id": "http://adlnet.gov/expapi/verbs/voided"}, object={"objectType": "StatementRef", "id": target}
    )
    assert post(client, lrs_auth, [make_statement(id=target), voiding]).status_code == 200
    assert client.get(f"/xapi/statements?statementId={target}", headers=lrs_auth).status_code == 404
    assert client.get(f"/xapi/statements?voidedStatementId={target}", headers=lrs_auth).status_code == 200
