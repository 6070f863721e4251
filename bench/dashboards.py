"""Dashboard benchmark: p95 of every dashboard page over real HTTP (gunicorn, 2 workers) on a metrics database.

Use the databases `bench/metrics.py --scale 1` and `--scale 10` built (the issue's x10 region) after their full
recompute, one `--scale N=URL` each; every page (the summary of what needs attention included) is timed per
scale. The script adds a manager (with 30 line reports, so the staff list has rows) and an admin, then times each
page sequentially.
Target: every dashboard page <= 200 ms p95. Beside the absolute figures it prints each page's p95 divided by that of
/xapi/about on the same server in the same run (the machine's yardstick; these machines are noisy).

    python bench/dashboards.py --scale 1=sqlite:////tmp/metrics1.db --scale 10=sqlite:////tmp/metrics10.db \\
        [--requests 60]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import re
import statistics
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent)]

import pyotp  # noqa: E402
from sqlalchemy import func, select, text, update  # noqa: E402

from app import create_app  # noqa: E402
from bench.server import durability, running_server  # noqa: E402
from learning.accounts import mfa  # noqa: E402
from learning.accounts.models import Role, User  # noqa: E402
from learning.accounts.services import create_user  # noqa: E402
from learning.db import db, upgrade_database  # noqa: E402
from learning.environments.models import Environment, Programme, StaffMember  # noqa: E402
from learning.metrics.models import MetricValue  # noqa: E402
from learning.metrics.services import recompute_all  # noqa: E402

PASSWORD = "bench-password-1234"  # noqa: S105 — a throwaway account in a benchmark database
TOTP_SECRET = "BENCHBENCHBENCHBENCHBENCHBENCH22"  # noqa: S105 — the same kind of account's authenticator key
TARGET_MS = 200.0


def prepare(database_url: str) -> tuple[str, str, list[int]]:
    """Make sure values exist; add a manager with line reports and an admin; return their e-mails and env ids."""
    upgrade_database(database_url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    with app.app_context():
        if not db.session.scalar(select(func.count()).select_from(MetricValue)):
            print("no metric values yet: full recompute …", flush=True)
            recompute_all()
        if db.engine.dialect.name == "postgresql":  # bench/metrics.py writes ids with COPY; move the sequence on
            db.session.execute(
                text("SELECT setval(pg_get_serial_sequence('user_account', 'id'), (SELECT MAX(id) FROM user_account))")
            )
        organisation = db.session.scalar(select(Programme.organisation_id).order_by(Programme.id).limit(1))
        emails = ("bench-manager@example.test", "bench-admin@example.test")
        for email, role in zip(emails, (Role.MANAGER, Role.ADMIN), strict=True):
            if db.session.scalar(select(User).where(User.email == email)) is None:
                org = organisation if role is Role.MANAGER else None
                user = create_user(email, PASSWORD, role, organisation_id=org)
                mfa.set_secret(user, TOTP_SECRET, ["bench"])  # staff give a code after the password
        db.session.flush()
        manager = db.session.scalar(select(User.id).where(User.email == emails[0]))
        reports = select(StaffMember.id).where(StaffMember.organisation_id == organisation).limit(30)
        db.session.execute(update(StaffMember).where(StaffMember.id.in_(reports)).values(line_manager_user_id=manager))
        environments = list(db.session.scalars(select(Environment.id).order_by(Environment.id)))
        db.session.commit()
    return emails[0], emails[1], environments


def opener_for(url: str, email: str) -> urllib.request.OpenerDirector:
    """Log in like a browser (CSRF token from the form, session cookie kept) and return the opener."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(f"{url}/login").read().decode()
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert token, "no CSRF token on the log-in page"
    form = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": token.group(1)}).encode()
    page = opener.open(f"{url}/login", data=form).read().decode()
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert token, "no CSRF token on the code page"
    code = urllib.parse.urlencode({"code": pyotp.TOTP(TOTP_SECRET).now(), "csrf_token": token.group(1)}).encode()
    opener.open(f"{url}/login/code", data=code).read()
    return opener


def p95_ms(opener: urllib.request.OpenerDirector, url: str, requests: int) -> tuple[float, float]:
    """Return (median, p95) in ms of sequential GETs after three warm-up requests."""
    for _ in range(3):
        opener.open(url).read()
    times = []
    for _ in range(requests):
        began = time.perf_counter()
        response = opener.open(url)
        response.read()
        times.append((time.perf_counter() - began) * 1000)
        assert response.status == 200, f"{url}: HTTP {response.status}"
    times.sort()
    return statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)]


def measure(database: str, requests: int) -> float:
    """Time every dashboard page on one database; print the table and return the worst page p95 in ms."""
    manager, admin, environments = prepare(database)
    insecure = {"LMS_SESSION_COOKIE_SECURE": "false"}  # plain HTTP on loopback; the cookie jar drops Secure cookies
    with running_server(database, extra_env=insecure) as server:
        as_manager, as_admin = opener_for(server.url, manager), opener_for(server.url, admin)
        _, yardstick = p95_ms(as_manager, f"{server.url}/xapi/about", requests)
        pages = [(as_manager, "/dashboards/"), (as_manager, "/dashboards/region")]
        pages += [(as_admin, f"/dashboards/environments/{e}") for e in environments]
        pages += [(as_manager, f"/dashboards/environments/{environments[0]}"),  # with the staff list
                  (as_manager, "/dashboards/metrics/TRN_COVERAGE")]  # fmt: skip
        print(f"database {database.split(':')[0]}, {durability(database)}")
        print(f"yardstick /xapi/about p95 {yardstick:.1f} ms; {requests} requests per page")
        print(f"{'page':58} {'median':>8} {'p95':>8} {'ratio':>7}")
        worst = 0.0
        for opener, path in pages:
            median, p95 = p95_ms(opener, server.url + path, requests)
            worst = max(worst, p95)
            print(f"{path:58} {median:7.1f}  {p95:7.1f}  {p95 / yardstick:6.1f}x", flush=True)
        median, p95 = p95_ms(as_manager, f"{server.url}/dashboards/environments/{environments[0]}/values.csv", requests)
        print(f"{'/dashboards/environments/N/values.csv':58} {median:7.1f}  {p95:7.1f}  (export, not a page)")
        for path in (
            f"/dashboards/environments/{environments[0]}/report.pdf",
            "/dashboards/region/report.pdf",
            "/dashboards/region/charts/environments.png",
        ):
            median, p95 = p95_ms(as_admin, server.url + path, 5)
            print(f"{path:58} {median:7.1f}  {p95:7.1f}  (export, not a page)", flush=True)
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="one database (its scale unnamed)")
    parser.add_argument("--scale", action="append", default=[], metavar="N=URL",
                        help="a database bench/metrics.py built at scale N; give it for 1 and 10")  # fmt: skip
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    runs = [tuple(item.split("=", 1)) for item in args.scale] + ([("?", args.database)] if args.database else [])
    if not runs:
        parser.error("give --scale 1=URL --scale 10=URL (or --database URL)")
    worst = {}
    for scale, database in runs:
        print(f"\n== scale {scale}")
        worst[scale] = measure(database, args.requests)
    print()
    for scale, p95 in worst.items():
        verdict = "met" if p95 <= TARGET_MS else "NOT met"
        print(f"scale {scale}: worst dashboard page p95 {p95:.1f} ms (target <= {TARGET_MS:.0f} ms): {verdict}")


if __name__ == "__main__":
    main()
