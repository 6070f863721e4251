"""Query benchmark of the built-in LRS: p95 latency of GET /statements filters over HTTP with many statements
stored (default 1,000,000), each figure beside the latency of GET /xapi/about (a bare endpoint) in the same run.

    python bench/query.py --count 1000000                 # SQLite in a temp dir (loading takes a few minutes)
    python bench/query.py --database postgresql+psycopg://…
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

from generate import BASE, generate  # noqa: E402
from server import Server, durability, organisation_credential, running_server  # noqa: E402
from sqlalchemy import select, update  # noqa: E402

from lrs.service.statements import store_statements  # noqa: E402
from lrs.store.engine import make_engine, upgrade_database  # noqa: E402
from lrs.store.tables import statement  # noqa: E402
from lrs.xapi.timestamps import format_timestamp  # noqa: E402

AUTHORITY = {"objectType": "Agent", "account": {"homePage": BASE, "name": "bench"}}
RUNS = 60


def load(database_url: str, count: int) -> dict[str, str]:
    """Store `count` generated statements through the LRS service; return sample values to query for."""
    upgrade_database(database_url)
    engine = make_engine(database_url)
    sample: dict[str, str] = {}
    batch: list[dict] = []
    started = time.perf_counter()
    for i, stmt in enumerate(generate(count, seed=11), 1):
        if i == count // 2:
            sample = {
                "agent": json.dumps(stmt["actor"] if stmt["actor"]["objectType"] == "Agent" else stmt["object"]),
                "registration": stmt["context"]["registration"],
                "activity": f"{BASE}/xapi/module/module-03",
            }
        batch.append(stmt)
        if len(batch) == 1000:
            store_statements(engine, batch, authority=AUTHORITY)
            batch = []
        if i % 100_000 == 0:
            print(f"  loaded {i:,} ({i / (time.perf_counter() - started):,.0f}/s)", flush=True)
    if batch:
        store_statements(engine, batch, authority=AUTHORITY)
    with engine.begin() as conn:
        # An LRS in service has stored its statements over months, not during the minutes of this load: spread
        # `stored` like the generated timestamps (a year), so time windows are as selective as in practice.
        conn.execute(update(statement).values(stored=statement.c.timestamp))
    if engine.dialect.name == "postgresql":  # what autovacuum does on a live server after such a change
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    with engine.connect() as conn:  # a since/until window over the middle fifth of what was stored
        marks = select(statement.c.stored).where(statement.c.seq.in_([count * 2 // 5, count * 3 // 5]))
        stored = list(conn.execute(marks).scalars())
    sample["since"], sample["until"] = (format_timestamp(moment) for moment in sorted(stored))
    engine.dispose()
    return sample


def timed_get(
    connection: http.client.HTTPConnection, server: Server, path: str, headers: dict[str, str] | None = None
) -> tuple[float, dict]:
    started = time.perf_counter()
    connection.request("GET", path, headers=headers or server.headers)
    response = connection.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise RuntimeError(f"{path}: {response.status} {body[:300]!r}")
    return elapsed, json.loads(body)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def queries(sample: dict[str, str]) -> dict[str, str]:
    verb = "http://adlnet.gov/expapi/verbs/"
    agent, reg, activity = quote(sample["agent"]), sample["registration"], quote(sample["activity"])
    since = quote(sample["since"])
    curriculum = quote(f"{BASE}/xapi/curriculum/hf")
    return {
        "no filter": "",
        "agent": f"agent={agent}",
        "verb": f"verb={verb}experienced",
        "rare verb": f"verb={verb}failed",
        "activity": f"activity={activity}",
        "registration": f"registration={reg}",
        "since": f"since={since}",
        "since+until": f"since={since}&until={quote(sample['until'])}",
        "agent+verb": f"agent={agent}&verb={verb}answered",
        "activity+verb+since": f"activity={activity}&verb={verb}completed&since={since}",
        "related_agents": f"agent={agent}&related_agents=true",
        "related_activities (all)": f"activity={curriculum}&related_activities=true",
        "ascending": f"verb={verb}passed&ascending=true",
    }


TENANT_QUERIES = ("no filter", "agent", "verb", "rare verb", "activity", "since+until")
"""Asked again with a credential confined to one organisation (a sixth of the learners): its tenant link drives."""


def run(database_url: str, count: int, *, reuse: bool = False) -> None:
    sample_file = Path(tempfile.gettempdir()) / (database_url.rsplit("/", 1)[-1] + ".sample.json")
    if reuse and sample_file.exists():
        sample = json.loads(sample_file.read_text())
    else:
        print(f"loading {count:,} statements …", flush=True)
        sample = load(database_url, count)
        if reuse:
            sample_file.write_text(json.dumps(sample))
    with running_server(database_url) as server:
        parts = urlsplit(server.url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        base = [timed_get(connection, server, "/xapi/about")[0] for _ in range(RUNS)]
        print(f"database {database_url.split(':')[0]}, {durability(database_url)}")
        print(f"{count:,} statements; p95 over {RUNS} runs, limit=100")
        print(f"  {'GET /xapi/about (bare endpoint)':32} p95 {p95(base):6.1f} ms")
        for name, params in queries(sample).items():
            _measure(connection, server, name, params, server.headers)
        home = json.loads(sample["agent"])["account"]["homePage"]  # the sampled learner's organisation
        tenant = organisation_credential(server, "Bench organisation", home.rsplit("/", 1)[1])
        print("  with a credential confined to one organisation:")
        for name, params in queries(sample).items():
            if name in TENANT_QUERIES:
                _measure(connection, server, f"{name} (organisation)", params, tenant)
        connection.close()


def _measure(
    connection: http.client.HTTPConnection, server: Server, name: str, params: str, headers: dict[str, str]
) -> None:
    path = f"/xapi/statements?{params}&limit=100" if params else "/xapi/statements?limit=100"
    times, more = [], ""
    for _ in range(RUNS):
        elapsed, result = timed_get(connection, server, path, headers)
        times.append(elapsed)
        more = result["more"]
    line = f"  {name:32} p95 {p95(times):6.1f} ms  ({len(result['statements'])} returned)"
    if more:
        pages = [timed_get(connection, server, more, headers)[0] for _ in range(RUNS)]
        line += f"   next page p95 {p95(pages):6.1f} ms"
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="SQLAlchemy URL (default: SQLite in a temp dir)")
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the loaded database and reuse it next time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(args.database or f"sqlite:///{tmp}/bench.db", args.count, reuse=args.reuse)


if __name__ == "__main__":
    main()
