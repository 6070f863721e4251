"""PostgreSQL stopped under load: what clients get while it is down and after it is back, and whether anything
acknowledged is lost or stored twice.

A durable PostgreSQL server of this script's own (fsync and synchronous_commit on), the app under gunicorn
(2 workers), 4 xAPI clients POSTing single statements and one logged-in learner reading her progress page, without
pause. After --before seconds the server is stopped (`pg_ctl -m immediate`: as a crash), started again after --down
seconds, and the load goes on for --after seconds. Prints the answers per phase, the time from the restart to the
first success, and the acknowledged / stored / lost / doubled statements; exits 1 on any 500, any answer of
another kind than the API's JSON or the LMS's page, or any loss.

    .venv/bin/python bench/outage.py [--before 5 --down 10 --after 10]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.server import durability, free_port, running_server

PASSWORD = "outage-password-1"  # noqa: S105 — a throwaway account on a throwaway server
PGBIN = max(Path("/usr/lib/postgresql").glob("*/bin"), default=None, key=lambda p: int(p.parent.name))


def as_postgres(*command: str) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)


class Postgres:
    """A durable throwaway server that can be stopped like a crash and started again."""

    def __init__(self) -> None:
        if PGBIN is None:
            sys.exit("PostgreSQL is not installed")
        self.root = Path(tempfile.mkdtemp(prefix="vtc-outage-"))
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.port = free_port()
        self.data = str(self.root / "data")
        as_postgres(str(PGBIN / "initdb"), "-D", self.data, "-U", "vtc", "--auth=trust", "-E", "UTF8",
                    "--locale=C.UTF-8")  # fmt: skip
        self.start()
        as_postgres(str(PGBIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "vtc", "vtc")
        self.url = f"postgresql+psycopg://vtc@127.0.0.1:{self.port}/vtc?connect_timeout=3"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on"
        as_postgres(str(PGBIN / "pg_ctl"), "-D", self.data, "-l", str(self.root / "log"), "-w", "-o", options, "start")

    def stop(self) -> None:
        as_postgres(str(PGBIN / "pg_ctl"), "-D", self.data, "-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        subprocess.run([*(["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []), str(PGBIN / "pg_ctl"),
                        "-D", self.data, "-m", "immediate", "stop"], capture_output=True, check=False)  # fmt: skip
        shutil.rmtree(self.root, ignore_errors=True)


def make_learner(database_url: str) -> str:
    os.environ["LMS_SQLALCHEMY_DATABASE_URI"] = database_url
    from app import create_app
    from learning.accounts.models import Organisation, Role
    from learning.accounts.services import create_user
    from learning.db import db

    app = create_app({"SECRET_KEY": "bench", "LRS_FORWARD_BACKGROUND": False})
    with app.app_context():
        organisation = Organisation(name="Ziekenhuis", kind="hospital")
        db.session.add(organisation)
        user = create_user("learner@example.test", PASSWORD, Role.PATIENT, organisation=organisation)
        db.session.commit()
        email = user.email
        db.engine.dispose()
    app.extensions["lrs"].engine.dispose()
    return email


def loopback(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> urllib.request.Request:
    """A request to the server this script started on 127.0.0.1."""
    return urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310 — http://127.0.0.1 only


def request(opener: urllib.request.OpenerDirector, req: urllib.request.Request) -> tuple[int, str, bytes]:
    try:
        with opener.open(req, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_content_type(), error.read()
    except OSError:
        return 0, "", b""  # no answer at all (counted apart; never expected)


class Load:
    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.url, self.headers = url, headers
        self.phase = "before"
        self.answers: Counter[tuple[str, str, int, str]] = Counter()
        self.acknowledged: list[str] = []
        self.restarted_at: float | None = None
        self.first_success: dict[str, float] = {}
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def note(self, kind: str, status: int, content_type: str) -> None:
        with self.lock:
            self.answers[(self.phase, kind, status, content_type)] += 1
            if self.restarted_at is not None and status == 200 and kind not in self.first_success:
                self.first_success[kind] = time.monotonic() - self.restarted_at

    def xapi_client(self) -> None:
        opener = urllib.request.build_opener()
        while not self.stop.is_set():
            statement = {"id": str(uuid.uuid4()), "actor": {"mbox": "mailto:a@example.test"},
                         "verb": {"id": "http://x.test/v"}, "object": {"id": "http://x.test/o"}}  # fmt: skip
            req = loopback(
                f"{self.url}/xapi/statements",
                json.dumps(statement).encode(),
                {**self.headers, "Content-Type": "application/json"},
            )
            status, content_type, _ = request(opener, req)
            self.note("xapi POST", status, content_type)
            if status == 200:
                with self.lock:
                    self.acknowledged.append(statement["id"])

    def learner(self, email: str) -> None:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = opener.open(f"{self.url}/login").read().decode()
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
        assert token
        form = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": token.group(1)}).encode()
        opener.open(loopback(f"{self.url}/login", form), timeout=10).read()
        while not self.stop.is_set():
            status, content_type, _ = request(opener, loopback(f"{self.url}/progress"))
            self.note("LMS page", status, content_type)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=float, default=5)
    parser.add_argument("--down", type=float, default=10)
    parser.add_argument("--after", type=float, default=10)
    args = parser.parse_args()
    postgres = Postgres()
    try:
        extra = {"LMS_SESSION_COOKIE_SECURE": "false", "LMS_LRS_FORWARD_BACKGROUND": "false"}
        with running_server(postgres.url, extra_env=extra) as server:
            print(f"database: {durability(postgres.url)}")
            load = Load(server.url, server.headers)
            threads = [threading.Thread(target=load.xapi_client) for _ in range(4)]
            threads.append(threading.Thread(target=load.learner, args=(make_learner(postgres.url),)))
            for thread in threads:
                thread.start()
            time.sleep(args.before)
            load.phase = "down"
            postgres.stop()
            time.sleep(args.down)
            postgres.start()
            load.phase, load.restarted_at = "after", time.monotonic()
            time.sleep(args.after)
            load.stop.set()
            for thread in threads:
                thread.join(timeout=30)
            return report(load, postgres.url)
    finally:
        postgres.remove()


def report(load: Load, database_url: str) -> int:
    from sqlalchemy import create_engine, text

    for (phase, kind, status, content_type), count in sorted(load.answers.items()):
        print(f"{phase:7} {kind:10} {status:3} {content_type:24} {count:7}")
    for kind, seconds in sorted(load.first_success.items()):
        print(f"first success after the restart, {kind}: {seconds:.2f} s")
    engine = create_engine(database_url)
    with engine.connect() as conn:
        stored = [row[0] for row in conn.execute(text("SELECT id FROM lrs_statement"))]
    engine.dispose()
    acknowledged = set(load.acknowledged)
    lost = len(acknowledged - set(stored))
    doubled = len(stored) - len(set(stored))
    print(f"statements acknowledged {len(acknowledged)}, stored {len(stored)}, lost {lost}, doubled {doubled}")
    wrong = [key for key in load.answers if key[2] >= 500 and key[2] not in (503, 507)]
    wrong += [key for key in load.answers if key[1] == "xapi POST" and key[2] != 200 and key[3] != "application/json"]
    wrong += [key for key in load.answers if key[1] == "LMS page" and key[3] != "text/html"]
    no_answer = sum(count for key, count in load.answers.items() if key[2] == 0)
    print(f"answers that are not 2xx/503/507 of the right kind: {len(wrong)}; requests without any answer: {no_answer}")
    return 1 if wrong or lost or doubled or no_answer else 0


if __name__ == "__main__":
    sys.exit(main())
