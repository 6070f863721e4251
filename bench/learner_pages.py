"""Learner page benchmark: requests/s and p95 of the learner's pages, as ratios to a bare Flask endpoint.

Both servers run under gunicorn with the same settings (2 workers, 1 thread) on loopback and are loaded with wrk
(16 connections, 2 threads). The bare endpoint is a Flask app that answers "hello" and touches nothing else, so its
requests/s is what the machine and gunicorn give any Flask page; a learner page's ratio to it is what our code
costs. Measured in the same run, one after the other, because these machines are noisy: the bare endpoint before
each page and after the last, each page's ratio to the mean of the two beside it; the whole sequence runs three
times (--rounds) and each page shows the medians of its rounds, with every round's ratio and p95 beside them.

Pages, as a logged-in patient with a module open: the catalogue (/), a step as the htmx fragment (which bookmarks
the step and, the first time, records `experienced`), an answer POST (htmx; the first answer records `answered`,
later ones only give feedback) and /progress. Goal (issue 9): each >= 25 % of the bare endpoint's requests/s and
p95 <= 25 ms.

    python bench/learner_pages.py [--database URL ...] [--seconds 5] [--rounds 3]

Both databases in one run (a throwaway PostgreSQL server with durable settings; `--both` adds a fresh SQLite file
and the server's VTC_TEST_DATABASE_URL, each run beside its own bare-endpoint yardstick):

    VTC_PG_DURABLE=1 scripts/with-postgres.sh python bench/learner_pages.py --both

bench/profile_pages.py says where the time of each page goes (SQL per request, a profile).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from statistics import median

sys.path[:0] = [str(Path(__file__).resolve().parent.parent)]

from bench.server import BIN, ROOT, durability, free_port  # noqa: E402

PASSWORD = "bench-password-1234"  # noqa: S105 — a throwaway account in a benchmark database
EMAIL = "bench-patient@example.test"
GOAL_RATIO, GOAL_P95_MS = 0.25, 25.0
MODULE = "elke-dag-wegen-hartfalen"
# Every request of the benchmark names the same browser, as a real one does. Flask-Login's session protection ties
# a session to the browser that logged in: before, the log-in (urllib) and the load (wrk, which sends no
# User-Agent) differed, so every measured request marked the session "not fresh" and had its cookie re-signed and
# sent again, work no learner's browser causes (docs/performance.md, fourth round).
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) vtc-bench"
WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %f %f %d %d\\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(95) / 1000, summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout))
end
"""


@dataclass(frozen=True)
class Load:
    """What wrk measured for one page."""

    requests_per_second: float
    p95_ms: float
    requests: int
    errors: int


@dataclass(frozen=True)
class Round:
    """One page's load in one round, beside the bare endpoint's loads before and after it."""

    ratio: float  # the page's requests/s over the mean of the two bare loads
    load: Load
    cpu_ms: float  # the workers' CPU per request
    bare_cpu_ms: float  # the bare endpoint's, mean of the two


def _flask(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "app", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def prepare(database_url: str, env: dict[str, str]) -> None:
    """Migrate, load the modules and add one patient of an organisation (the learner the pages are served to)."""
    from sqlalchemy import select

    from app import create_app
    from learning.accounts.models import Organisation, Role, User
    from learning.accounts.services import create_user
    from learning.content.publishing import Approver
    from learning.content.services import load_content
    from learning.db import db

    _flask(env, "db", "upgrade")
    _flask(env, "content", "load")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    with app.app_context():
        # learners see only approved versions: approve what `content load` stored (no clinician: the banner shows)
        load_content(ROOT / "modules_content", Approver(None, "bench", clinical=False))
        if db.session.scalar(select(User).where(User.email == EMAIL)) is None:
            organisation = Organisation(name="Bench ziekenhuis", kind="hospital", pseudonym="bench-org")
            db.session.add(organisation)
            db.session.flush()
            create_user(EMAIL, PASSWORD, Role.PATIENT, organisation_id=organisation.id)
        db.session.commit()


def _gunicorn(target: str, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """gunicorn without its control socket: the two servers here would both take gunicorn 27's default one
    (~/.gunicorn/gunicorn.ctl, or in $XDG_RUNTIME_DIR) and one logs an error; nothing here uses that interface."""
    command = [str(BIN / "gunicorn"), "--workers", "2", "--threads", "1", "--bind", f"127.0.0.1:{port}",
               "--log-level", "warning", "--no-control-socket", target]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env)


def _wait(url: str) -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(url, timeout=1).read()  # noqa: S310 (loopback)
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer")


def log_in(url: str) -> tuple[str, str]:
    """Log in as the patient, open the module; return (Cookie header, CSRF token)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    page = opener.open(f"{url}/login").read().decode()
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert token, "no CSRF token on the log-in page"
    form = {"email": EMAIL, "password": PASSWORD, "csrf_token": token.group(1)}
    opener.open(f"{url}/login", data=urllib.parse.urlencode(form).encode()).read()
    detail = opener.open(f"{url}/modules/{MODULE}/").read().decode()
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', detail)
    assert token, "not logged in: no form on the module page"
    opener.open(f"{url}/modules/{MODULE}/start", data=urllib.parse.urlencode({"csrf_token": token.group(1)}).encode())
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, token.group(1)


def first_item(url: str, cookie: str) -> tuple[int, str, str]:
    """Return (step number, item id, a right form value) of the module's first quiz, read from its steps."""
    for number in range(1, 20):
        request = urllib.request.Request(  # noqa: S310 (loopback)
            f"{url}/modules/{MODULE}/step/{number}", headers={"Cookie": cookie, "User-Agent": USER_AGENT}
        )
        page = urllib.request.urlopen(request).read().decode()  # noqa: S310 (loopback)
        found = re.search(r'id="item-([a-z0-9-]+)"', page)
        value = re.search(r'name="choice" value="([^"]+)"', page)
        if found and value and "likert" not in page[found.start() : found.start() + 2000]:
            return number, found.group(1), value.group(1)
    raise RuntimeError("the module has no quiz")


def page_weight(url: str, path: str, cookie: str) -> tuple[int, int, list[str]]:
    """Return (raw bytes, gzip bytes, files) of a page's first load: the HTML and every script, style sheet,
    picture, icon and manifest it links (what a phone fetches on a cold cache)."""
    import gzip

    def fetch(address: str) -> bytes:
        request = urllib.request.Request(address, headers={"Cookie": cookie, "User-Agent": USER_AGENT})  # noqa: S310
        return bytes(urllib.request.urlopen(request).read())  # noqa: S310

    html = fetch(url + path)
    text = html.decode()
    linked = re.findall(r'(?:src|href)="(/(?:static|modules)/[^"#?]+)', text)
    files, raw, packed = [path], len(html), len(gzip.compress(html, 6))
    for address in sorted(set(linked)):
        if address.endswith("/") or "/step/" in address:
            continue  # links to other pages, not parts of this one
        body = fetch(url + address)
        files.append(address)
        raw += len(body)
        packed += len(gzip.compress(body, 6))
    return raw, packed, files


def worker_cpu_seconds(master: subprocess.Popen[bytes]) -> float:
    """User + system CPU seconds used so far by a gunicorn master's workers (Linux /proc).

    On a shared machine requests/s swings with the other load; the CPU a worker spends per request does much less,
    so it is printed beside the ratio: the bare endpoint's CPU per request divided by a page's is the ratio the
    page would have on a machine to itself (wrk and the database server excluded).
    """
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split():
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def wrk(url: str, seconds: int, *, headers: dict[str, str], method: str = "GET", body: str = "") -> Load:
    """Run wrk with 16 connections and return requests/s, p95 and counts (non-2xx/3xx count as errors).

    One request first must answer 200 without a new session cookie: a redirect (to the log-in page) or a cookie
    re-signed on every request would be measured as if it were the page."""
    headers = {"User-Agent": USER_AGENT, **headers}
    _assert_steady(url, headers, method, body)
    lua = WRK_REPORT
    if method != "GET":
        lua = f'wrk.method = "{method}"\nwrk.body = "{body}"\n' + lua
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    args = ["wrk", "-t2", "-c16", f"-d{seconds}s", "-s", script.name]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    output = subprocess.run([*args, url], check=True, capture_output=True, text=True).stdout
    os.unlink(script.name)
    line = next(x for x in output.splitlines() if x.startswith("RESULT "))
    rps, p95, count, errors = line.split()[1:]
    return Load(float(rps), float(p95), int(count), int(errors))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _assert_steady(url: str, headers: dict[str, str], method: str, body: str) -> None:
    data = body.encode() if method != "GET" else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310 (loopback)
    try:
        answer = urllib.request.build_opener(_NoRedirect).open(request)
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{method} {url} answered {error.code}, not 200: nothing to measure") from error
    if answer.status != 200 or answer.headers.get_all("Set-Cookie"):
        raise SystemExit(f"{method} {url}: {answer.status} with Set-Cookie {answer.headers.get_all('Set-Cookie')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", action="append", default=[], help="default: a fresh SQLite file; repeatable")
    parser.add_argument("--both", action="store_true", help="a fresh SQLite file and $VTC_TEST_DATABASE_URL")
    parser.add_argument("--seconds", type=int, default=5, help="of each load (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="of the whole sequence (default 3); medians are shown")
    args = parser.parse_args()
    databases = list(args.database)
    if args.both:
        if not os.environ.get("VTC_TEST_DATABASE_URL"):
            parser.error("--both needs VTC_TEST_DATABASE_URL: run it under scripts/with-postgres.sh")
        databases = [f"sqlite:///{tempfile.mkdtemp()}/learner-bench.db", os.environ["VTC_TEST_DATABASE_URL"]]
    for database in databases or [f"sqlite:///{tempfile.mkdtemp()}/learner-bench.db"]:
        run(database, args.seconds, args.rounds)


def run(database: str, seconds: int, rounds: int) -> None:
    """Serve the app on this database and the bare endpoint, load each page with wrk and print the ratios."""
    env = {**os.environ, "LMS_SQLALCHEMY_DATABASE_URI": database, "LMS_SECRET_KEY": "bench",
           "LMS_SESSION_COOKIE_SECURE": "false"}  # fmt: skip
    prepare(database, env)
    bare_port, app_port = free_port(), free_port()
    bare = _gunicorn("bench.hello_app:app", env, bare_port)
    served = _gunicorn("app:create_app()", env, app_port)
    try:
        bare_url, url = f"http://127.0.0.1:{bare_port}", f"http://127.0.0.1:{app_port}"
        _wait(f"{bare_url}/hello")
        _wait(f"{url}/xapi/about")
        cookie, token = log_in(url)
        step, item, value = first_item(url, cookie)

        def answer(cookie: str, token: str) -> Load:
            form = urllib.parse.urlencode({"csrf_token": token, "choice": value})
            headers = {"Cookie": cookie, "HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded"}
            return wrk(f"{url}/modules/{MODULE}/item/{item}", seconds, headers=headers, method="POST", body=form)

        pages: list[tuple[str, Callable[[str, str], Load]]] = [
            ("catalogue /", lambda cookie, _token: wrk(f"{url}/", seconds, headers={"Cookie": cookie})),
            (f"step {step} (htmx fragment)", lambda cookie, _token: wrk(
                f"{url}/modules/{MODULE}/step/{step}", seconds, headers={"Cookie": cookie, "HX-Request": "true"})),
            ("answer POST (htmx)", answer),
            ("/progress", lambda cookie, _token: wrk(f"{url}/progress", seconds, headers={"Cookie": cookie})),
            ("/help (floor: any logged-in page)", lambda cookie, _token: wrk(f"{url}/help", seconds,
                                                                             headers={"Cookie": cookie})),
        ]  # fmt: skip
        raw, packed, files = page_weight(url, f"/modules/{MODULE}/step/1", cookie)
        print(f"first load of step 1: {len(files)} files, {raw / 1024:.0f} KB, {packed / 1024:.0f} KB gzip-compressed"
              f" (goal <= 100 KB compressed)")  # fmt: skip

        def bare_load() -> tuple[Load, float]:
            before = worker_cpu_seconds(bare)
            load = wrk(f"{bare_url}/hello", seconds, headers={})
            return load, (worker_cpu_seconds(bare) - before) * 1000 / max(1, load.requests)

        # The bare endpoint is measured before every page and after the last, and each page's ratio is to the mean
        # of the two yardsticks beside it, not to one taken a minute earlier: the machine drifts meanwhile. The whole
        # sequence runs `rounds` times; each page's figures are the medians of its rounds, with the range beside.
        print(f"database {database.split(':')[0]}, {durability(database)}")
        yardsticks = [bare_load()]
        measured: dict[str, list[Round]] = {name: [] for name, _ in pages}
        for _round in range(rounds):
            for name, measure in pages:
                # A fresh log-in before each page: the session cookie is re-signed once it is older than
                # SESSION_REFRESH_INTERVAL (60 s), and wrk, unlike a browser, would keep sending the old one, so
                # every request from then on would carry a new cookie (the check before each load stops the run).
                cookie, token = log_in(url)
                before = worker_cpu_seconds(served)
                load = measure(cookie, token)
                cpu = (worker_cpu_seconds(served) - before) * 1000 / max(1, load.requests)
                yardsticks.append(bare_load())
                (bare_before, cpu_before), (bare_after, cpu_after) = yardsticks[-2:]
                bare_rps = (bare_before.requests_per_second + bare_after.requests_per_second) / 2
                bare_cpu = (cpu_before + cpu_after) / 2
                measured[name].append(Round(load.requests_per_second / bare_rps, load, cpu, bare_cpu))
        loads = [load for load, _cpu in yardsticks]
        print(f"bare Flask /hello, {len(loads)} times: {min(x.requests_per_second for x in loads):.0f}-"
              f"{max(x.requests_per_second for x in loads):.0f} req/s, p95 {max(x.p95_ms for x in loads):.1f} ms at"
              f" most, {median(c for _l, c in yardsticks):.2f} ms worker CPU per request")  # fmt: skip
        print(f"median of {rounds} rounds:")
        print(f"{'page':34} {'req/s':>8} {'ratio':>7} {'p95 ms':>7} {'errors':>7} {'CPU ms':>7} {'CPU ratio':>9}"
              f"  goal     ratios, p95 of each round")  # fmt: skip
        for name, rounds_of_page in measured.items():
            ratio = median(r.ratio for r in rounds_of_page)
            p95 = median(r.load.p95_ms for r in rounds_of_page)
            errors = sum(r.load.errors for r in rounds_of_page)
            cpu = median(r.cpu_ms for r in rounds_of_page)
            cpu_ratio = median(r.bare_cpu_ms / r.cpu_ms for r in rounds_of_page if r.cpu_ms)
            met = ratio >= GOAL_RATIO and p95 <= GOAL_P95_MS and errors == 0
            goal = "" if name.startswith("/help") else ("met" if met else "NOT met")
            each = " · ".join(f"{r.ratio:.2f}, {r.load.p95_ms:.0f}" for r in rounds_of_page)
            print(f"{name:34} {median(r.load.requests_per_second for r in rounds_of_page):8.0f} {ratio:7.2f}"
                  f" {p95:7.1f} {errors:7d} {cpu:7.2f} {cpu_ratio:9.2f}  {goal:7}  {each}")  # fmt: skip
    finally:
        for process in (bare, served):
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
