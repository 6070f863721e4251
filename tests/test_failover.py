"""PostgreSQL high availability: the primary is lost mid-ingestion and pg_auto_failover promotes the synchronous
standby; the app finds the new primary by itself through a libpq multi-host URL (target_session_attrs=read-write).

For real: a monitor, a primary and a synchronous standby (tests/pg_cluster.py), the app served over HTTP on a
loopback port, clients posting statements from threads as fast as the app takes them. The primary's postmaster is
killed with its keeper (kill -9 of its process group: the machine is gone). Clients must get 503 with Retry-After
while there is no primary, never a 500; every statement that got a 200 must be there afterwards, none twice.

Runs in the PostgreSQL half of the suite; there a missing pg_auto_failover is a failure in CI.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time

import pytest
from pg_cluster import PG_AUTOCTL, PGBIN, AutoFailoverGroup, Ingestion
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

import lrs
from learning.db import upgrade_database as upgrade_lms

CLIENTS = 3
AFTER_FAILOVER = 30  # statements acknowledged after the fail-over before the clients stop
DEADLINE = 60.0  # generous: only a hang ends here


@pytest.fixture
def failover_group(database_url):
    if PGBIN is None or PG_AUTOCTL is None:
        message = "pg_auto_failover is not installed (postgresql-15-auto-failover, scripts/system-packages.sh)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    group = AutoFailoverGroup()
    try:
        group.start()
        yield group
    finally:
        group.stop()


@pytest.mark.postgresql_only
def test_losing_the_primary_mid_ingestion_is_503_then_the_new_primary_takes_over_losing_nothing(
    failover_group, make_app, tmp_path
):
    group = failover_group
    upgrade_lms(group.url)
    lrs.upgrade_database(group.url)
    app = make_app(SQLALCHEMY_DATABASE_URI=group.url, LRS_DATABASE_URI=group.url, TESTING=False,
                   LRS_FORWARD_BACKGROUND=False)  # fmt: skip
    key_secret = app.test_cli_runner().invoke(args=["lrs", "create-credential", "t", "--regional"]).output
    headers = {"Authorization": "Basic " + base64.b64encode(key_secret.strip().splitlines()[-1].encode()).decode(),
               "X-Experience-API-Version": "1.0.3"}  # fmt: skip
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, name="failover-server", daemon=True)
    serving.start()
    load = Ingestion(f"http://127.0.0.1:{server.server_port}", headers)
    clients = [threading.Thread(target=load.client, name=f"xapi-client-{n}") for n in range(CLIENTS)]
    try:
        for thread in clients:
            thread.start()
        deadline = time.monotonic() + DEADLINE
        while len(load.acknowledged) < 20:  # ingestion is under way
            assert time.monotonic() < deadline, load.answers
            time.sleep(0.05)
        primary = group.primary()
        with load.lock:
            load.lost_at = time.monotonic()
        group.lose(primary)
        while load.first_after is None:
            assert time.monotonic() < deadline, f"no new primary took over: {load.answers}\n{group.states()}"
            time.sleep(0.1)
        resumed_with = len(load.acknowledged)
        while len(load.acknowledged) < resumed_with + AFTER_FAILOVER:  # and it goes on
            assert time.monotonic() < deadline, load.answers
            time.sleep(0.05)
    finally:
        load.stop.set()
        for thread in clients:
            thread.join(timeout=60)
        server.shutdown()
        serving.join(timeout=10)
    states = group.states()

    engine = create_engine(group.url)
    with engine.connect() as conn:
        stored = [str(row[0]) for row in conn.execute(text("SELECT id FROM lrs_statement"))]
    engine.dispose()
    acknowledged = set(load.acknowledged)
    lost = acknowledged - set(stored)
    doubled = len(stored) - len(set(stored))
    took = (load.first_after or 0) - load.lost_at
    print(f"fail-over: primary {primary} lost; first statement acknowledged by the new primary after {took:.1f} s; "
          f"answers {dict(sorted(load.answers.items()))}; acknowledged {len(acknowledged)}, stored {len(stored)}, "
          f"lost {len(lost)}, doubled {doubled}; monitor: {states}")  # fmt: skip
    assert set(load.answers) <= {(phase, status) for phase in ("before", "during", "after") for status in (200, 503)}
    assert load.answers[("during", 503)] > 0  # the clients did see the fail-over
    assert load.without_retry_after == 0
    assert not lost
    assert doubled == 0
    assert set(stored) <= load.sent  # nothing stored that no client sent
    standby = next(name for name in states if name != primary)
    assert states[primary][1] != "primary", states  # the monitor has taken the lost node's role away
    assert states[standby] == ("wait_primary", "wait_primary"), states  # a primary waiting for a new standby

    # the nightly backup reads the same multi-host URL (pg_dump wants its hosts written another way) and finds the
    # new primary: before, pg_dump took "127.0.0.1:PORT" for one host name and failed
    backup = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup")])
    assert backup.exit_code == 0, backup.output
    (database,) = json.loads((tmp_path / "backup" / "manifest.json").read_text())["databases"]
    assert database["tables"]["lrs_statement"] == len(stored)
