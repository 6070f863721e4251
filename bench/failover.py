"""PostgreSQL fail-over, again and again, under load: what clients get, how long each fail-over takes, and whether
anything acknowledged is lost or stored twice.

The longer run of tests/test_failover.py, on the same group (tests/pg_cluster.py: a pg_auto_failover monitor, a
primary and a synchronous standby on loopback ports, durable settings, the monitor's timeouts shortened to 1-2 s).
The app runs under gunicorn (2 workers) with the libpq multi-host URL; --clients threads POST single statements
with their own ids without pause and send one again until it gets a 200 (as an xAPI client does after a 503). Each
round: --between statements are acknowledged, then the primary's machine is lost (kill -9 of its keeper and
postmaster), the standby is promoted, and the lost node comes back and follows the new primary (pg_rewind), so the
next round can fail over again.

Prints the answers by status, each fail-over's time (from the kill to the first 200 of a request sent after it)
with min/median/max, and the statements acknowledged / stored / lost / doubled; exits 1 on any 500, any answer
other than 200 or 503 with Retry-After, or any loss.

    .venv/bin/python bench/failover.py [--failovers 3 --clients 4 --between 100]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from pg_cluster import AutoFailoverGroup, Ingestion  # the test's group: the same layout, started the same way

from bench.server import durability, running_server

DEADLINE = 120.0  # per wait; only a hang ends here


def wait_for(load: Ingestion, count: int) -> None:
    deadline = time.monotonic() + DEADLINE
    while len(load.acknowledged) < count:
        if time.monotonic() > deadline:
            sys.exit(f"not {count} statements acknowledged within {DEADLINE} s: {dict(load.by_status())}")
        time.sleep(0.05)


def fail_over(group: AutoFailoverGroup, load: Ingestion) -> tuple[str, float]:
    """Lose the primary, wait for the first write to the new one, then bring the lost node back as standby."""
    primary = group.primary()
    with load.lock:
        load.lost_at, load.first_after = time.monotonic(), None
    group.lose(primary)
    deadline = time.monotonic() + DEADLINE
    while load.first_after is None:
        if time.monotonic() > deadline:
            sys.exit(f"no new primary took over within {DEADLINE} s: {group.states()}")
        time.sleep(0.05)
    took = load.first_after - load.lost_at
    group.rejoin(primary)
    return primary, took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failovers", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--between", type=int, default=100, help="statements acknowledged before each fail-over")
    args = parser.parse_args()
    group = AutoFailoverGroup()
    try:
        group.start()
        extra = {"LMS_LRS_FORWARD_BACKGROUND": "false", "LMS_LIVE_SYNC_SECONDS": "0"}
        with running_server(group.url, extra_env=extra) as server:
            print(f"database: {durability(group.url)}, synchronous standby: {group.states()}")
            load = Ingestion(server.url, server.headers)
            threads = [threading.Thread(target=load.client, name=f"client-{n}") for n in range(args.clients)]
            for thread in threads:
                thread.start()
            times = []
            try:
                for round_ in range(1, args.failovers + 1):
                    wait_for(load, len(load.acknowledged) + args.between)
                    lost, took = fail_over(group, load)
                    times.append(took)
                    print(f"fail-over {round_}: primary {lost} lost; first 200 from the new primary after {took:.1f} s;"
                          f" {lost} follows it again; answers so far {dict(load.by_status())}", flush=True)  # fmt: skip
                wait_for(load, len(load.acknowledged) + args.between)
            finally:
                load.stop.set()
                for thread in threads:
                    thread.join(timeout=60)
            return report(load, group.url, times)
    finally:
        group.stop()


def report(load: Ingestion, database_url: str, times: list[float]) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as conn:
        stored = [str(row[0]) for row in conn.execute(text("SELECT id FROM lrs_statement"))]
    engine.dispose()
    acknowledged = set(load.acknowledged)
    lost = len(acknowledged - set(stored))
    doubled = len(stored) - len(set(stored))
    unsent = len(set(stored) - load.sent)
    answers = load.by_status()
    print(f"answers: {dict(sorted(answers.items()))}; 503 without Retry-After: {load.without_retry_after}")
    print(f"fail-overs: {len(times)}; time to the first 200 from the new primary: min {min(times):.1f} s, "
          f"median {statistics.median(times):.1f} s, max {max(times):.1f} s")  # fmt: skip
    print(f"statements acknowledged {len(acknowledged)}, stored {len(stored)}, lost {lost}, doubled {doubled}, "
          f"stored but never sent {unsent}")  # fmt: skip
    wrong = sum(count for status, count in answers.items() if status not in (200, 503))
    print(f"500 answers: {answers[500]}; answers other than 200 or 503: {wrong}")
    return 1 if wrong or lost or doubled or unsent or load.without_retry_after else 0


if __name__ == "__main__":
    sys.exit(main())
