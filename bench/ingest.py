"""Ingest benchmark of the built-in LRS: batches of 100 realistic statements over HTTP to gunicorn (2 workers),
compared in the same run with inserting the same rows straight through the same database driver.

    python bench/ingest.py                                  # SQLite in a temp dir
    python bench/ingest.py --database postgresql+psycopg://vtc@127.0.0.1:5432/bench

Prints statements/s, the ratio to the raw insert rate, single-statement POST p50/p95, and the error count of
four concurrent writers. Figures are from one run on a noisy machine: compare the ratios, not absolute times.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

from generate import generate  # noqa: E402
from server import Server, durability, running_server  # noqa: E402
from sqlalchemy import delete, func, select  # noqa: E402

from lrs.service.statements import _Origin, _prepare  # noqa: E402
from lrs.store.engine import make_engine  # noqa: E402
from lrs.store.statements import _agent_links_of, _closest  # noqa: E402
from lrs.store.tables import statement, statement_activity, statement_agent  # noqa: E402
from lrs.xapi.formats import normalise_statement  # noqa: E402

BATCH = 100
AUTHORITY = {"objectType": "Agent", "account": {"homePage": "https://vtc.example.org", "name": "bench"}}


def _bodies(count: int, seed: int) -> list[bytes]:
    statements = list(generate(count, seed=seed))
    return [json.dumps(statements[i : i + BATCH]).encode() for i in range(0, count, BATCH)]


def _post_all(server: Server, bodies: list[bytes], errors: list[str]) -> None:
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {**server.headers, "Content-Type": "application/json"}
    for body in bodies:
        connection.request("POST", "/xapi/statements", body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        if response.status != 200:
            errors.append(f"{response.status}: {data[:200]!r}")
    connection.close()


def http_rate(server: Server, bodies: list[bytes], clients: int) -> tuple[float, list[str]]:
    """Return statements/s with `clients` concurrent connections, and the errors seen."""
    errors: list[str] = []
    shares = [bodies[i::clients] for i in range(clients)]
    threads = [threading.Thread(target=_post_all, args=(server, share, errors)) for share in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return len(bodies) * BATCH / elapsed, errors


def single_latency(server: Server, count: int, seed: int) -> list[float]:
    """Return the milliseconds of `count` single-statement POSTs, one after another."""
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {**server.headers, "Content-Type": "application/json"}
    timings = []
    for stmt in generate(count, seed=seed):
        body = json.dumps(stmt).encode()
        started = time.perf_counter()
        connection.request("POST", "/xapi/statements", body=body, headers=headers)
        connection.getresponse().read()
        timings.append((time.perf_counter() - started) * 1000)
    connection.close()
    return timings


COLUMNS = ("seq", "id", "stored", "timestamp", "verb_id", "object_activity_id", "registration", "voided",
           "ref_target", "payload")  # fmt: skip


def _raw_rows(rows: list, first_seq: int, sqlite: bool) -> tuple[list[tuple], list[tuple], list[tuple]]:
    when = (lambda d: d.isoformat(" ")) if sqlite else (lambda d: d)  # SQLAlchemy's SQLite storage format
    statements, agents, activities = [], [], []
    for offset, r in enumerate(rows):
        seq = first_seq + offset
        statements.append((seq, r.id, when(r.stored), when(r.timestamp), r.verb_id, r.object_activity_id,
                           r.registration, False, r.ref_target, r.payload))  # fmt: skip
        agents += [(seq, ifi, rel) for ifi, rel in _agent_links_of(r).items()]
        activities += [(seq, activity, rel) for activity, rel in _closest(r.activities).items()]
    return statements, agents, activities


def raw_rate(database_url: str, count: int, seed: int) -> float:
    """Insert the rows the LRS would store for `count` statements with the bare DB-API driver (executemany,
    one commit per batch of 100): the physical limit of the storage for exactly this data."""
    now = datetime.now(UTC)
    origin = _Origin(AUTHORITY, "1.0.3", "bench")  # stored by a credential, as over HTTP
    rows = [_prepare(normalise_statement(s), origin, now) for s in generate(count, seed=seed)]
    engine = make_engine(database_url)  # the LRS's own engine settings (WAL, synchronous=NORMAL on SQLite)
    sqlite = engine.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"
    statement_sql = f"INSERT INTO lrs_statement ({', '.join(COLUMNS)}) VALUES ({', '.join([mark] * len(COLUMNS))})"
    agent_sql = f"INSERT INTO lrs_statement_agent (statement_seq, ifi, relation) VALUES ({mark}, {mark}, {mark})"
    activity_sql = (
        f"INSERT INTO lrs_statement_activity (statement_seq, activity_id, relation) VALUES ({mark}, {mark}, {mark})"
    )
    with engine.connect() as conn:
        first = (conn.execute(select(func.max(statement.c.seq))).scalar() or 0) + 1_000_000
    connection = engine.raw_connection()
    started = time.perf_counter()
    cursor = connection.cursor()
    for i in range(0, len(rows), BATCH):
        statements, agents, activities = _raw_rows(rows[i : i + BATCH], first + i, sqlite)
        cursor.executemany(statement_sql, statements)
        cursor.executemany(agent_sql, agents)
        cursor.executemany(activity_sql, activities)
        connection.commit()
    elapsed = time.perf_counter() - started
    cursor.close()
    connection.close()
    with engine.begin() as conn:  # leave the LRS tables as the HTTP run left them
        conn.execute(delete(statement_agent).where(statement_agent.c.statement_seq >= first))
        conn.execute(delete(statement_activity).where(statement_activity.c.statement_seq >= first))
        conn.execute(delete(statement).where(statement.c.seq >= first))
    engine.dispose()
    return count / elapsed


def percentile(values: list[float], pct: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(pct) - 1]


def run(database_url: str, count: int, report: Callable[[str], None]) -> None:
    with running_server(database_url) as server:
        bodies = _bodies(count, seed=1)
        _post_all(server, bodies[:5], [])  # warm-up: connections, imports, caches
        rate, errors = http_rate(server, bodies[5:], clients=4)
        raw = raw_rate(database_url, count, seed=2)
        latencies = single_latency(server, 300, seed=3)
        writers_rate, writer_errors = http_rate(server, _bodies(4 * 20 * BATCH, seed=4), clients=4)
    report(f"database: {database_url.split(':')[0]}, {durability(database_url)}")
    report(f"HTTP ingest, batches of {BATCH}, 4 clients: {rate:,.0f} statements/s (errors: {len(errors)})")
    report(f"raw executemany of the same rows, same driver: {raw:,.0f} rows/s")
    report(f"ratio HTTP / raw: {rate / raw:.2f}  (target >= 0.25)")
    report(f"single-statement POST: p50 {percentile(latencies, 50):.1f} ms, p95 {percentile(latencies, 95):.1f} ms")
    report(f"four concurrent writers: {writers_rate:,.0f} statements/s, errors {len(writer_errors)}")
    for error in (errors + writer_errors)[:5]:
        report(f"  error: {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="SQLAlchemy URL (default: SQLite in a temp dir)")
    parser.add_argument("--count", type=int, default=30_000, help="statements for the batch run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{tmp}/bench.db"
        run(url, args.count, print)


if __name__ == "__main__":
    main()
