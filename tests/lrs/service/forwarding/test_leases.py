"""Several workers deliver at once without sending a statement twice or out of order: targets are leased."""

from __future__ import annotations

import os
import socket
import subprocess
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


def owner_on_this_host(pid: int) -> str:
    return f"{socket.gethostname()[:30]}:{pid}:0123456789ab"


def ended_process() -> int:
    gone = subprocess.Popen(["true"])  # a process that has ended: its id names nobody now
    gone.wait()
    return gone.pid


def test_the_lease_of_a_killed_process_on_this_host_is_taken_at_once(app, forwarding, target_lrs):
    """Before, a worker killed mid-delivery held its target for the whole lease (a minute) after a restart."""
    target_lrs.start()
    ids = post(app.test_client(), forwarding.headers, make_statement()).json
    lease(app, owner_on_this_host(ended_process()), utcnow() + timedelta(minutes=1))
    assert app.extensions["lrs"].forwarder.flush().delivered == 1
    assert target_lrs.stored_ids() == ids


def test_the_lease_of_a_live_process_on_this_host_or_of_another_host_is_left_to_it(app, forwarding, target_lrs):
    target_lrs.start()
    post(app.test_client(), forwarding.headers, make_statement())
    for owner in (owner_on_this_host(os.getppid()), f"another-host:{ended_process()}:0123456789ab"):
        lease(app, owner, utcnow() + timedelta(minutes=1))
        assert app.extensions["lrs"].forwarder.flush().delivered == 0
    assert target_lrs.recorder.posts == 0
