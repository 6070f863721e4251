"""Who may void what: a credential voids only the statements it stored itself, or any other credential's with the
explicit statements/void-any scope; the platform's own records (stored in-process, with no credential) nobody but
the platform. A refused voiding stores nothing and leaves its target as it was."""

from __future__ import annotations

import uuid

from xapi_helpers import make_statement, post

import lrs

RPM = ("statements/write", "statements/read/mine")
LMS_AUTHORITY = {"objectType": "Agent", "account": {"homePage": "https://vtc.example.org", "name": "vtc-lms"}}


def voiding(target: str) -> dict:
    return make_statement(
        id=str(uuid.uuid4()),
        verb={"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en-US": "voided"}},
        object={"objectType": "StatementRef", "id": target},
    )


def stored(client, auth) -> str:
    response = post(client, auth, make_statement())
    assert response.status_code == 200, response.json
    return response.json[0]


def is_voided(client, admin, statement_id: str) -> bool:
    response = client.get(f"/xapi/statements?voidedStatementId={statement_id}", headers=admin)
    return response.status_code == 200


def test_a_credential_may_not_void_another_credentials_statement(client, make_lrs_auth):
    owner, attacker, admin = make_lrs_auth(name="owner"), make_lrs_auth(*RPM, name="attacker"), make_lrs_auth()
    target = stored(client, owner)
    attempt = voiding(target)
    response = post(client, attacker, attempt)
    assert response.status_code == 403
    assert "may void only statements it stored itself" in response.json["error"]["message"]
    assert not is_voided(client, admin, target)
    assert client.get(f"/xapi/statements?statementId={target}", headers=admin).status_code == 200
    assert client.get(f"/xapi/statements?statementId={attempt['id']}", headers=admin).status_code == 404


def test_a_refused_voiding_refuses_its_whole_batch(client, make_lrs_auth):
    owner, attacker, admin = make_lrs_auth(name="owner"), make_lrs_auth(*RPM, name="attacker"), make_lrs_auth()
    target, companion = stored(client, owner), make_statement(id=str(uuid.uuid4()))
    assert post(client, attacker, [companion, voiding(target)]).status_code == 403
    assert client.get(f"/xapi/statements?statementId={companion['id']}", headers=admin).status_code == 404


def test_a_credential_voids_its_own_statement(client, make_lrs_auth):
    writer, admin = make_lrs_auth(*RPM, name="writer"), make_lrs_auth()
    target = stored(client, writer)
    assert post(client, writer, voiding(target)).status_code == 200
    assert is_voided(client, admin, target)


def test_void_any_voids_another_credentials_statement_but_is_not_part_of_all(client, make_lrs_auth):
    owner, admin = make_lrs_auth(name="owner"), make_lrs_auth()
    steward = make_lrs_auth("statements/write", "statements/void-any", name="data steward")
    first, second = stored(client, owner), stored(client, owner)
    assert post(client, admin, voiding(first)).status_code == 403  # "all" alone does not void others' records
    assert post(client, steward, voiding(second)).status_code == 200
    assert is_voided(client, admin, second)
    assert not is_voided(client, admin, first)


def test_nobody_but_the_platform_voids_the_platforms_own_records(app, client, make_lrs_auth):
    admin = make_lrs_auth()
    steward = make_lrs_auth("statements/write", "statements/void-any", name="data steward")
    record = make_statement(id=str(uuid.uuid4()))
    lms_store = lrs.local_store(app, LMS_AUTHORITY)
    lms_store([record])
    for credential in (admin, steward):
        response = post(client, credential, voiding(record["id"]))
        assert response.status_code == 403
        assert "only the platform may void it" in response.json["error"]["message"]
    assert not is_voided(client, admin, record["id"])
    lms_store([voiding(record["id"])])  # the platform itself may
    assert is_voided(client, admin, record["id"])
