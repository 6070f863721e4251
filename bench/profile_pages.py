"""Where a learner page's time goes: SQL statements per request and a cProfile of each page, in-process.

bench/learner_pages.py says how fast the pages are under load; this says why. It serves the same pages to the same
logged-in patient through Flask's test client (no gunicorn, no network), counts the SQL statements each request
sends and prints the functions that cost most. Also /help, the cheapest logged-in page, and
`floor`: a logged-in view that returns "x" (session cookie and user load, no template): the floor of any page.

    python bench/profile_pages.py [--database URL] [--requests 200] [--top 25] [--page NAME] [--sql]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).resolve().parent.parent)]

MODULE = "elke-dag-wegen-hartfalen"
PASSWORD = "bench-password-1234"  # noqa: S105 — a throwaway account in a benchmark database
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def _setup(database: str) -> tuple[Any, Any, dict[str, Callable[[], Any]]]:
    """Build the app on a migrated database with the modules, log a patient in, open the module; return the app,
    the client and the pages (name -> a function that requests it once)."""
    from flask_login import login_required

    import lrs
    from app import ROOT, create_app
    from learning.accounts.models import Organisation, Role
    from learning.accounts.services import create_user
    from learning.content.publishing import Approver
    from learning.content.services import load_content
    from learning.db import db
    from learning.db import upgrade_database as upgrade_lms

    upgrade_lms(database)
    lrs.upgrade_database(database)
    config = {"SQLALCHEMY_DATABASE_URI": database, "LRS_DATABASE_URI": database, "SECRET_KEY": "bench",
              "SESSION_COOKIE_SECURE": False, "SPEECH_ON_LOAD": False}  # fmt: skip
    app = create_app(config)

    @login_required
    def floor() -> str:
        """A logged-in view that renders nothing: the cost of the session cookie and the user load alone."""
        return "x"

    app.add_url_rule("/_bench/floor", "bench_floor", floor)
    with app.app_context():
        load_content(Path(ROOT / "modules_content"), Approver(None, "bench", clinical=False))
        organisation = Organisation(name="Profile ziekenhuis", kind="hospital")
        db.session.add(organisation)
        db.session.flush()
        create_user("profile@example.test", PASSWORD, Role.PATIENT, organisation_id=organisation.id)
        db.session.commit()
    client = app.test_client()
    token = TOKEN.search(client.get("/login").get_data(as_text=True))
    assert token
    form = {"email": "profile@example.test", "password": PASSWORD, "csrf_token": token.group(1)}
    assert client.post("/login", data=form).status_code == 302
    token = TOKEN.search(client.get(f"/modules/{MODULE}/").get_data(as_text=True))
    assert token
    csrf = token.group(1)
    assert client.post(f"/modules/{MODULE}/start", data={"csrf_token": csrf}).status_code == 302
    step, item, value = 0, "", ""
    for number in range(1, 20):
        page = client.get(f"/modules/{MODULE}/step/{number}").get_data(as_text=True)
        found = re.search(r'id="item-([a-z0-9-]+)"', page)
        choice = re.search(r'name="choice" value="([^"]+)"', page)
        if found and choice and "likert" not in page[found.start() : found.start() + 2000]:
            step, item, value = number, found.group(1), choice.group(1)
            break
    assert step, "the module has no quiz"
    htmx = {"HX-Request": "true"}
    pages: dict[str, Callable[[], Any]] = {
        "floor": lambda: client.get("/_bench/floor"),
        "help": lambda: client.get("/help"),
        "catalogue": lambda: client.get("/"),
        "step": lambda: client.get(f"/modules/{MODULE}/step/{step}", headers=htmx),
        "answer": lambda: client.post(
            f"/modules/{MODULE}/item/{item}", data={"csrf_token": csrf, "choice": value}, headers=htmx
        ),
        "progress": lambda: client.get("/progress"),
    }
    return app, client, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="default: a fresh SQLite file")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--page", action="append", help="only these pages (floor, help, catalogue, step, answer, progress)"
    )
    parser.add_argument("--sql", action="store_true", help="print each page's SQL statements once")
    parser.add_argument("--sql-full", action="store_true", help="with --sql: whole statements")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--no-profile", action="store_true", help="only the SQL counts and timings")
    args = parser.parse_args()
    database = args.database or f"sqlite:///{tempfile.mkdtemp()}/profile.db"
    app, _client, pages = _setup(database)

    from learning import direct_reads
    from learning.db import db

    statements: list[str] = []
    with app.app_context():
        engines = {db.engine, app.extensions["lrs"].engine}
    for engine in engines:  # context-free: the account's read keeps its direct path (learning/direct_reads.py)
        direct_reads.listen_context_free(
            engine, "before_cursor_execute", lambda *a: statements.append(" ".join(str(a[2]).split()))
        )
    for name, request in pages.items():
        if args.page and name not in args.page:
            continue
        for _ in range(20):  # warm caches, as a long-running worker has them
            assert request().status_code == 200, name
        statements.clear()
        assert request().status_code == 200
        once = list(statements)
        # The machine is shared: CPU time of this process is less disturbed than the clock, and the best of five
        # rounds is the least disturbed round. (CPU time leaves out waiting on disk: a commit's fsync.)
        walls, cpus, count = [], [], max(1, args.requests // 5)
        for _ in range(5):
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(count):
                request()
            walls.append((time.perf_counter() - wall) / count * 1000)
            cpus.append((time.process_time() - cpu) / count * 1000)
        print(
            f"== {name}: {len(once)} SQL statements, {min(cpus):.2f} ms CPU, {min(walls):.2f} ms wall per request"
            f" in-process (best of 5 rounds, no profiler)"
        )
        if args.sql:
            for sql in once:
                print("   ", sql if args.sql_full else sql[:200])
        if args.no_profile:
            continue
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            request()
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
        print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))


if __name__ == "__main__":
    main()
