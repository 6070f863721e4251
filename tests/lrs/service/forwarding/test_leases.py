"""Several workers deliver at once without sending a statement twice or out of order: targets are leased."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from xapi_helpers import make_statement, post

from lrs.service.forwarding import deliver_due
from lrs.store.tables import forward_target


def lease(app, owner: str | None, until: datetime | None) -> None:
    with app.extensions["lrs"].engine.begin() as conn:
        conn.execute(update(forward_target).values(lease_owner=owner, lease_until=until))


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def test_concurrent_runs_send_each_statement_once_in_order(app, forwarding, target_lrs):
    target_lrs.start()
    ids = []
    for _ in range(5):
        ids += post(app.test_client(), forwarding.headers, [make_statement() for _ in range(50)]).json
    ext = app.extensions["lrs"]
    start = threading.Barrier(4)
    delivered: list[int] = []

    def run(owner: str) -> None:
        start.wait()
        delivered.append(deliver_due(ext.engine, ext.forwarder.settings, owner).delivered)

    runs = [threading.Thread(target=run, args=(f"worker-{n}",)) for n in range(4)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join(timeout=60)
    assert sum(delivered) == 250
    assert target_lrs.recorder.accepted == ids


def test_a_target_leased_by_a_live_run_is_left_to_it(app, forwarding, target_lrs):
    target_lrs.start()
    post(app.test_client(), forwarding.headers, make_statement())
    lease(app, "another-worker", utcnow() + timedelta(minutes=1))
    assert app.extensions["lrs"].forwarder.flush().delivered == 0
    assert target_lrs.recorder.posts == 0


def test_the_lease_of_a_run_that_died_runs_out_and_another_takes_over(app, forwarding, target_lrs):
    target_lrs.start()
    ids = post(app.test_client(), forwarding.headers, make_statement()).json
    lease(app, "crashed-worker", utcnow() - timedelta(seconds=1))
    assert app.extensions["lrs"].forwarder.flush().delivered == 1
    assert target_lrs.stored_ids() == ids
