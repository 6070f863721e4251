"""Queueing: in the storing transaction, only for the credential that forwards, never for the LMS's own."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from xapi_helpers import make_statement, post

import lrs
from lrs.store.tables import forward_queue, statement


def count(app, table) -> int:
    with app.extensions["lrs"].engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_each_stored_statement_is_queued_in_the_same_transaction(app, forwarding):
    batch = [make_statement(id=str(uuid.uuid4())) for _ in range(3)]
    assert post(app.test_client(), forwarding.headers, batch).status_code == 200
    assert count(app, forward_queue) == count(app, statement) == 3


def test_a_refused_batch_queues_nothing(app, forwarding):
    taken = str(uuid.uuid4())
    assert post(app.test_client(), forwarding.headers, make_statement(id=taken)).status_code == 200
    conflicting = [make_statement(id=str(uuid.uuid4())), make_statement(id=taken, verb={"id": "https://vtc.test/v"})]
    assert post(app.test_client(), forwarding.headers, conflicting).status_code == 409
    assert count(app, forward_queue) == count(app, statement) == 1


def test_a_statement_sent_again_is_not_queued_again(app, forwarding):
    again = make_statement(id=str(uuid.uuid4()))
    for _ in range(2):
        assert post(app.test_client(), forwarding.headers, again).status_code == 200
    assert count(app, forward_queue) == 1


def test_put_statements_are_queued_too(app, forwarding):
    statement_id = str(uuid.uuid4())
    response = app.test_client().put(
        f"/xapi/statements?statementId={statement_id}", json=make_statement(), headers=forwarding.headers
    )
    assert response.status_code == 204
    assert count(app, forward_queue) == 1


def test_statements_of_other_credentials_are_not_queued(app, forwarding, make_client):
    other = make_client("another tool")
    assert post(app.test_client(), other.headers, make_statement()).status_code == 200
    assert count(app, statement) == 1
    assert count(app, forward_queue) == 0


def test_statements_of_the_in_process_lms_sink_are_not_queued(app, forwarding):
    """The LMS stores through local_store() without a credential: its statements stay here."""
    lms_authority = {"objectType": "Agent", "account": {"homePage": "https://vtc.test", "name": "vtc-lms"}}
    lrs.local_store(app, lms_authority)([make_statement()])
    assert count(app, statement) == 1
    assert count(app, forward_queue) == 0
