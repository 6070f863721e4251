"""Delivery to a real external LRS over HTTP: in order, exactly once, nothing lost while it is down."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import uuid
from datetime import UTC, datetime

from sqlalchemy import select, update
from xapi_helpers import make_statement, post

from lrs.service.forwarding import deliver_due, forwarding_status, set_forwarding
from lrs.store.forward_queue import enqueue_statements
from lrs.store.tables import forward_queue, forward_target
from lrs.xapi.multipart import Attachment, build_multipart_response


def utcnow() -> datetime:
    """Now as the forwarding columns hold it: naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


def store(app, client, count: int, **headers) -> list[str]:
    """POST count statements in batches of 40 (so delivery needs several batches of 100) and return their ids."""
    ids = []
    for start in range(0, count, 40):
        batch = [make_statement(id=str(uuid.uuid4())) for _ in range(min(40, count - start))]
        response = post(app.test_client(), {**client.headers, **headers}, batch)
        assert response.status_code == 200, response.json
        ids += response.json
    return ids


def queue_rows(app) -> list:
    with app.extensions["lrs"].engine.connect() as conn:
        return conn.execute(select(forward_queue).order_by(forward_queue.c.statement_seq)).all()


def flush(app):
    return app.extensions["lrs"].forwarder.flush()


def test_stored_statements_arrive_at_the_target_in_order(app, forwarding, target_lrs):
    target_lrs.start()
    ids = store(app, forwarding, 5)
    report = flush(app)
    assert report.delivered == 5
    assert target_lrs.stored_ids() == ids
    assert target_lrs.recorder.accepted == ids
    assert queue_rows(app) == []


def test_statements_are_sent_verbatim_as_stored(app, forwarding, target_lrs):
    target_lrs.start()
    [statement_id] = store(app, forwarding, 1)
    flush(app)
    source = app.test_client().get(f"/xapi/statements?statementId={statement_id}", headers=forwarding.headers).json
    forwarded = target_lrs.get(statement_id).json
    assert forwarded["id"] == source["id"]
    assert forwarded["timestamp"] == source["timestamp"]  # the source's, not the target's time of arrival
    assert forwarded["actor"] == source["actor"]


def test_nothing_is_lost_while_the_target_is_down_and_all_arrive_once_in_order(app, forwarding, target_lrs):
    ids = store(app, forwarding, 250)
    report = flush(app)
    assert report.delivered == 0
    assert report.failed_targets == [forwarding.key]
    rows = queue_rows(app)
    assert len(rows) == 250
    assert "unreachable" in rows[0].last_error
    ids += store(app, forwarding, 30)  # the queue keeps growing while the target is down
    assert len(queue_rows(app)) == 280
    target_lrs.start()
    assert flush(app).delivered == 280
    assert target_lrs.recorder.accepted == ids  # exactly once each, in stored order
    assert target_lrs.stored_ids() == ids
    assert queue_rows(app) == []


def test_a_target_that_is_down_is_left_alone_until_its_back_off_ends(app, forwarding, target_lrs):
    store(app, forwarding, 3)
    flush(app)
    with app.extensions["lrs"].engine.connect() as conn:
        target = conn.execute(select(forward_target)).one()
    assert target.failures == 1
    assert target.retry_at > utcnow()
    target_lrs.start()
    ext = app.extensions["lrs"]
    assert deliver_due(ext.engine, ext.forwarder.settings, "background").delivered == 0  # still backing off
    assert len(queue_rows(app)) == 3


def test_a_5xx_answer_keeps_the_statements_and_backs_off(app, forwarding, target_lrs):
    target_lrs.start()
    target_lrs.recorder.answer_status = "503 Service Unavailable"
    ids = store(app, forwarding, 3)
    assert flush(app).delivered == 0
    assert queue_rows(app)[0].last_error.startswith("HTTP 503")
    assert queue_rows(app)[0].attempts == 0  # the statements are fine; the target was not
    target_lrs.recorder.answer_status = None
    assert flush(app).delivered == 3
    assert target_lrs.stored_ids() == ids


def test_a_target_that_refuses_our_key_keeps_the_queue_and_never_logs_the_secret(app, forwarding, target_lrs, caplog):
    target_lrs.start()
    ext = app.extensions["lrs"]
    set_forwarding(
        ext.engine, ext.forwarder.settings, forwarding.key, target_lrs.endpoint, target_lrs.key, "wrong-9f3k"
    )
    store(app, forwarding, 2)
    with caplog.at_level(logging.DEBUG):
        report = flush(app)
    assert (report.delivered, report.rejected, report.failed_targets) == (0, 0, [forwarding.key])
    [status] = forwarding_status(ext.engine)
    assert (status.queued, status.dead) == (2, 0)
    assert status.last_error.startswith("HTTP 401")
    assert "wrong-9f3k" not in caplog.text
    assert base64.b64encode(f"{target_lrs.key}:wrong-9f3k".encode()).decode() not in caplog.text


def test_resending_statements_the_target_already_has_is_harmless(app, forwarding, target_lrs):
    """An answer lost after the target stored a batch: the batch is sent again and the target keeps one copy."""
    target_lrs.start()
    ids = store(app, forwarding, 3)
    flush(app)
    with app.extensions["lrs"].engine.begin() as conn:
        enqueue_statements(conn, forwarding.key, ids, utcnow())
    assert flush(app).delivered == 3
    assert target_lrs.stored_ids() == ids
    assert queue_rows(app) == []


def test_a_409_for_an_id_the_target_holds_with_other_content_is_dead_lettered_at_once(app, forwarding, target_lrs):
    """The target holds one id with other content: that one is set aside with the reason, the rest still arrives.

    Before, the 409 counted as delivered: the statement was dropped from the queue though the target never had it.
    """
    target_lrs.start()
    taken = str(uuid.uuid4())
    theirs = make_statement(id=taken, verb={"id": "http://adlnet.gov/expapi/verbs/attempted"})
    assert post(target_lrs.app.test_client(), target_lrs.headers(), theirs).status_code == 200
    first = store(app, forwarding, 2)
    assert post(app.test_client(), forwarding.headers, make_statement(id=taken)).status_code == 200
    last = store(app, forwarding, 2)
    report = flush(app)
    assert (report.delivered, report.rejected, report.dead_lettered) == (4, 1, 1)
    [row] = queue_rows(app)
    assert row.dead_at is not None  # resending can never succeed: no attempts are spent on it
    assert "holds a different statement" in row.last_error
    assert target_lrs.recorder.accepted == [*first, *last]
    assert target_lrs.get(taken).json["verb"]["id"] == "http://adlnet.gov/expapi/verbs/attempted"  # theirs kept


def test_a_409_for_the_very_statement_sent_counts_as_delivered(app, forwarding, target_lrs):
    """A target that answers 409 for every id it holds: a resend whose answer was lost is read back and settled."""
    target_lrs.start()
    ids = store(app, forwarding, 2)
    assert flush(app).delivered == 2
    target_lrs.recorder.conflict_on_known = True
    with app.extensions["lrs"].engine.begin() as conn:
        enqueue_statements(conn, forwarding.key, ids, utcnow())
    fresh = store(app, forwarding, 1)
    report = flush(app)
    assert (report.delivered, report.rejected) == (3, 0)
    assert queue_rows(app) == []
    assert target_lrs.recorder.accepted == [*ids, *fresh]  # each stored once


def test_a_statement_the_target_rejects_is_dead_lettered_after_max_attempts(app, forwarding, target_lrs, runner):
    """A 2.0 statement sent as xAPI 1.0.3 gets a 400; it must not hold up the statements around it."""
    target_lrs.start()
    before = store(app, forwarding, 2)
    [newer] = store(app, forwarding, 1, **{"X-Experience-API-Version": "2.0.0"})
    after = store(app, forwarding, 2)
    assert newer not in target_lrs.stored_ids()
    first = flush(app)
    assert (first.delivered, first.rejected, first.dead_lettered) == (4, 1, 0)
    assert target_lrs.stored_ids() == [*before, *after]
    [row] = queue_rows(app)
    assert row.attempts == 1
    assert row.last_error.startswith("HTTP 400")
    flush(app)
    assert flush(app).dead_lettered == 1  # LRS_FORWARD_MAX_ATTEMPTS = 3 in these tests
    assert queue_rows(app)[0].dead_at is not None
    assert flush(app).rejected == 0  # dead-lettered statements are no longer sent
    status = runner.invoke(args=["lrs", "forwarding-status"]).output
    assert "queued: 0" in status
    assert "dead-lettered: 1" in status


def test_retry_dead_sends_dead_lettered_statements_again_once_the_cause_is_fixed(app, forwarding, target_lrs, runner):
    target_lrs.start()
    [newer] = store(app, forwarding, 1, **{"X-Experience-API-Version": "2.0.0"})
    for _ in range(3):
        flush(app)
    assert queue_rows(app)[0].dead_at is not None
    fix = ["lrs", "set-forwarding", forwarding.key, "--endpoint", target_lrs.endpoint, "--target-key",
           target_lrs.key, "--target-secret", target_lrs.secret, "--version", "2.0.0"]  # fmt: skip
    assert runner.invoke(args=fix).exit_code == 0
    result = runner.invoke(args=["lrs", "forward-retry-dead", forwarding.key])
    assert "1 dead-lettered statement(s) queued again" in result.output
    assert flush(app).delivered == 1
    assert target_lrs.stored_ids() == [newer]


def test_a_rejected_statement_waits_out_its_back_off_until_the_target_is_set_again(make_app, forwarding, target_lrs):
    patient = make_app(LRS_FORWARD_REJECT_SECONDS=3600)
    target_lrs.start()
    [newer] = store(patient, forwarding, 1, **{"X-Experience-API-Version": "2.0.0"})
    assert flush(patient).rejected == 1
    assert flush(patient).rejected == 0  # a flush does not burn its attempts
    ext = patient.extensions["lrs"]
    set_forwarding(
        ext.engine, ext.forwarder.settings, forwarding.key, target_lrs.endpoint, target_lrs.key, None, "2.0.0"
    )
    assert flush(patient).delivered == 1
    assert target_lrs.stored_ids() == [newer]


def test_attachment_data_is_forwarded_with_its_statement(app, forwarding, target_lrs):
    target_lrs.start()
    content = b"Certificate: heart failure module, passed."
    sha2 = hashlib.sha256(content).hexdigest()
    attachment = {"usageType": "http://id.tincanapi.com/attachment/certificate", "display": {"en-US": "certificate"},
                  "contentType": "text/plain", "length": len(content), "sha2": sha2}  # fmt: skip
    statement = make_statement(id=str(uuid.uuid4()), attachments=[attachment])
    body, content_type = build_multipart_response(json.dumps(statement), [Attachment(sha2, "text/plain", content)])
    response = app.test_client().post(
        "/xapi/statements", data=body, headers={**forwarding.headers, "Content-Type": content_type}
    )
    assert response.status_code == 200, response.json
    assert flush(app).delivered == 1
    fetched = target_lrs.app.test_client().get(
        f"/xapi/statements?statementId={statement['id']}&attachments=true", headers=target_lrs.headers()
    )
    assert content in fetched.data


def test_voiding_statements_are_forwarded_and_void_at_the_target(app, forwarding, target_lrs):
    target_lrs.start()
    [voided] = store(app, forwarding, 1)
    voiding = make_statement(
        verb={"id": "http://adlnet.gov/expapi/verbs/voided"}, object={"objectType": "StatementRef", "id": voided}
    )
    [voiding_id] = post(app.test_client(), forwarding.headers, voiding).json
    assert flush(app).delivered == 2
    assert target_lrs.get(voided).status_code == 404
    assert target_lrs.get(voided, voided=True).status_code == 200
    assert target_lrs.stored_ids() == [voiding_id]


def test_a_paused_target_queues_nothing_new_and_sends_nothing(app, forwarding, target_lrs):
    target_lrs.start()
    store(app, forwarding, 1)
    with app.extensions["lrs"].engine.begin() as conn:
        conn.execute(update(forward_target).values(active=False))
    store(app, forwarding, 1)
    assert len(queue_rows(app)) == 1
    assert flush(app).delivered == 0
    assert target_lrs.recorder.posts == 0


def test_a_409_that_cannot_be_read_back_is_a_rejection_with_the_reason(app, forwarding, target_lrs, runner):
    """A target key that may only write: the 409 cannot be compared, so it is neither delivered nor lost."""
    target_lrs.start()
    made = target_lrs.app.test_cli_runner().invoke(
        args=["lrs", "create-credential", "write only", "--regional", "--scope", "statements/write"]
    )
    key, secret = made.output.strip().splitlines()[-1].split(":", 1)
    fix = ["lrs", "set-forwarding", forwarding.key, "--endpoint", target_lrs.endpoint, "--target-key", key,
           "--target-secret", secret]  # fmt: skip
    assert runner.invoke(args=fix).exit_code == 0
    taken = str(uuid.uuid4())
    theirs = make_statement(id=taken, verb={"id": "http://adlnet.gov/expapi/verbs/attempted"})
    assert post(target_lrs.app.test_client(), target_lrs.headers(), theirs).status_code == 200
    assert post(app.test_client(), forwarding.headers, make_statement(id=taken)).status_code == 200
    report = flush(app)
    assert (report.delivered, report.rejected, report.dead_lettered) == (0, 1, 0)
    [row] = queue_rows(app)
    assert row.attempts == 1
    assert "reading it back to compare: HTTP 403" in row.last_error
