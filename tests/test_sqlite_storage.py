"""SQLite when its disk is full or its file is read-only: a clear 507 / 503 with a message, never a 500, nothing
acknowledged lost, no corruption (PRAGMA integrity_check), and service as before once the cause is gone.

For real: the database lives on a small tmpfs of the test's own (mounted as root) that a filler file fills to the
last byte, and the read-only case runs the app as an unprivileged user on a file only root may write.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import PASSWORD, csrf_token
from xapi_helpers import make_statement

import lrs
from app import ROOT
from learning.accounts.models import Organisation, Role
from learning.accounts.services import create_user
from learning.db import db
from learning.db import upgrade_database as upgrade_lms

PADDING = "x" * 2000  # a statement of ~2 kB: the disk fills in tens of batches, not thousands


def unavailable(reason: str) -> None:
    """Skip where this machine cannot do it, loudly; in CI (root, CI=true) it is a failure, never a skip."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run this test: {reason}")
    pytest.skip(reason)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 MB tmpfs of the test's own, unmounted afterwards.

    Where mounting is not allowed (not root, or a container without CAP_SYS_ADMIN) this test is skipped, loudly,
    on a developer's machine (the file-size-limit test below runs everywhere); in CI it fails instead.
    """
    if os.geteuid() != 0:
        unavailable("mounting a small tmpfs needs root (the RLIMIT_FSIZE test covers a full disk here)")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        unavailable(f"cannot mount a tmpfs here ({done.stderr.decode().strip()}); the RLIMIT_FSIZE test runs")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, check=False)


def fill(disk: Path) -> Path:
    """Write a file until the disk has no byte left (ENOSPC); return it."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as file:
        try:
            while True:
                file.write(b"\0" * 4096)
        except OSError:  # ENOSPC: full
            pass
    return filler


def basic(app) -> dict[str, str]:
    key_secret = app.test_cli_runner().invoke(args=["lrs", "create-credential", "t", "--regional"]).output
    token = base64.b64encode(key_secret.strip().splitlines()[-1].encode()).decode()
    return {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}


def batch(size: int = 20) -> list[dict]:
    return [make_statement(id=str(uuid.uuid4()), context={"extensions": {"https://x.test/pad": PADDING}})
            for _ in range(size)]  # fmt: skip


def integrity(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute("PRAGMA integrity_check")]


def test_a_full_disk_is_507_with_a_message_loses_nothing_acknowledged_and_recovers(make_app, small_disk):
    database = small_disk / "vtc.db"
    url = f"sqlite:///{database}"
    upgrade_lms(url)
    lrs.upgrade_database(url)
    app = make_app(SQLALCHEMY_DATABASE_URI=url, LRS_DATABASE_URI=url, TESTING=False, LRS_FORWARD_BACKGROUND=False)
    headers = basic(app)
    with app.app_context():
        organisation = Organisation(name="Ziekenhuis", kind="hospital")
        db.session.add(organisation)
        create_user("p@example.test", PASSWORD, Role.PATIENT, organisation=organisation)
        db.session.commit()
    client = app.test_client()
    acknowledged: set[str] = set()
    for _ in range(3):  # some statements before the disk fills
        sent = batch()
        assert client.post("/xapi/statements", json=sent, headers=headers).status_code == 200
        acknowledged |= {s["id"] for s in sent}
    filler = fill(small_disk)

    statuses = []
    for _ in range(200):  # until the disk refuses (the WAL and the database file take the last free pages first)
        sent = batch()
        response = client.post("/xapi/statements", json=sent, headers=headers)
        statuses.append(response.status_code)
        if response.status_code != 200:
            break
        acknowledged |= {s["id"] for s in sent}
    assert statuses[-1] == 507, statuses
    assert set(statuses) <= {200, 507}
    assert response.is_json
    assert "storage is full" in response.json["error"]["message"]
    assert int(response.headers["Retry-After"]) > 0

    form = {"email": "p@example.test", "password": "not the password", "csrf_token": csrf_token(client, "/login")}
    page = client.post("/login", data=form, headers={"Accept-Language": "nl"})  # a failed log-in is written down
    assert page.status_code == 507, page.get_data(as_text=True)[:300]
    assert "Onze server is vol" in page.get_data(as_text=True)

    filler.unlink()  # an administrator makes room: the app goes on by itself
    sent = batch()
    assert client.post("/xapi/statements", json=sent, headers=headers).status_code == 200
    acknowledged |= {s["id"] for s in sent}
    stored = set()
    more = "/xapi/statements?limit=500"
    while more:
        page_of = client.get(more, headers=headers).json
        stored |= {s["id"] for s in page_of["statements"]}
        more = page_of["more"]
    assert stored == acknowledged  # nothing acknowledged lost, nothing refused stored
    app.extensions["lrs"].engine.dispose()
    with app.app_context():
        db.engine.dispose()
    assert integrity(database) == ["ok"]
    print(f"full disk: {len(acknowledged)} statements acknowledged, {len(stored)} stored, integrity ok")


FILE_LIMIT_RUN = """
import base64, json, resource, signal, sys, uuid
from pathlib import Path
from app import create_app
url, key_secret, database = sys.argv[1], sys.argv[2], Path(sys.argv[3])
app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LRS_DATABASE_URI": url, "SECRET_KEY": "test-secret-key",
                  "LRS_FORWARD_BACKGROUND": False, "SPEECH_ON_LOAD": False})
client = app.test_client()
headers = {"Authorization": "Basic " + base64.b64encode(key_secret.encode()).decode(),
           "X-Experience-API-Version": "1.0.3"}
def batch():
    return [{"id": str(uuid.uuid4()), "actor": {"mbox": "mailto:a@example.test"}, "verb": {"id": "http://x.test/v"},
             "object": {"id": "http://x.test/o"}, "context": {"extensions": {"https://x.test/pad": "x" * 2000}}}
            for _ in range(20)]
sent = batch()
assert client.post("/xapi/statements", json=sent, headers=headers).status_code == 200
acknowledged = [s["id"] for s in sent]
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing us
largest = max(p.stat().st_size for p in database.parent.glob(database.name + "*"))
resource.setrlimit(resource.RLIMIT_FSIZE, (largest + 200_000, largest + 200_000))
statuses, answer = [], None
for _ in range(200):
    sent = batch()
    response = client.post("/xapi/statements", json=sent, headers=headers)
    statuses.append(response.status_code)
    if response.status_code != 200:
        answer = [response.get_json(), response.headers.get("Retry-After")]
        break
    acknowledged += [s["id"] for s in sent]
app.extensions["lrs"].engine.dispose()
print(json.dumps({"statuses": statuses, "answer": answer, "acknowledged": acknowledged}))
"""


def test_a_file_size_limit_is_a_503_or_507_with_a_message_and_loses_nothing_acknowledged(make_app, tmp_path):
    database = tmp_path / "vtc.db"
    url = f"sqlite:///{database}"
    upgrade_lms(url)
    lrs.upgrade_database(url)
    app = make_app(SQLALCHEMY_DATABASE_URI=url, LRS_DATABASE_URI=url, TESTING=False, LRS_FORWARD_BACKGROUND=False)
    key_secret = base64.b64decode(basic(app)["Authorization"].split()[1]).decode()
    app.extensions["lrs"].engine.dispose()
    run = subprocess.run([sys.executable, "-c", FILE_LIMIT_RUN, url, key_secret, str(database)],
                         capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["statuses"][-1] in (503, 507), result["statuses"]  # SQLite reports EFBIG as an I/O error: 503
    assert set(result["statuses"]) <= {200, 503, 507}
    body, retry = result["answer"]
    assert "nothing was stored" in body["error"]["message"]
    assert int(retry) > 0
    with sqlite3.connect(database) as conn:
        stored = {row[0] for row in conn.execute("SELECT id FROM lrs_statement")}
    assert stored == set(result["acknowledged"])  # nothing acknowledged lost, nothing refused stored
    assert integrity(database) == ["ok"]


READ_ONLY_RUN = """
import base64, json, sys
from app import create_app
url, key_secret = sys.argv[1], sys.argv[2]
app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LRS_DATABASE_URI": url, "SECRET_KEY": "test-secret-key",
                  "LRS_FORWARD_BACKGROUND": False, "SPEECH_ON_LOAD": False})
client = app.test_client()
headers = {"Authorization": "Basic " + base64.b64encode(key_secret.encode()).decode(),
           "X-Experience-API-Version": "1.0.3"}
statement = {"actor": {"mbox": "mailto:a@example.test"}, "verb": {"id": "http://x.test/v"},
             "object": {"id": "http://x.test/o"}}
post = client.post("/xapi/statements", json=statement, headers=headers)
app.config["WTF_CSRF_ENABLED"] = False
login = client.post("/login", data={"email": "p@example.test", "password": "wrong"},
                    headers={"Accept-Language": "nl"})
print(json.dumps({"post": [post.status_code, post.get_data(as_text=True), post.headers.get("Retry-After")],
                  "login": [login.status_code, login.get_data(as_text=True), login.headers.get("Retry-After")]}))
"""


def without_write_override() -> list[str]:
    """The command prefix that runs a program with only the file permissions it is given: root loses the
    capabilities that let it write a read-only file (a user who is not root has none to lose)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        unavailable("setpriv (util-linux) is needed to run as root without CAP_DAC_OVERRIDE")
    drop = "-dac_override,-fowner"
    return ["setpriv", f"--inh-caps={drop}", f"--bounding-set={drop}", "--"]


def test_a_read_only_database_file_is_503_with_a_message_and_stays_whole(make_app, tmp_path):
    database = tmp_path / "vtc.db"
    url = f"sqlite:///{database}"
    upgrade_lms(url)
    lrs.upgrade_database(url)
    app = make_app(SQLALCHEMY_DATABASE_URI=url, LRS_DATABASE_URI=url, TESTING=False, LRS_FORWARD_BACKGROUND=False)
    key_secret = base64.b64decode(basic(app)["Authorization"].split()[1]).decode()
    with app.app_context():
        organisation = Organisation(name="Ziekenhuis", kind="hospital")
        db.session.add(organisation)
        create_user("p@example.test", PASSWORD, Role.PATIENT, organisation=organisation)
        db.session.commit()
    # Another process keeps the database open, as a running server does: its WAL index stays there to be shared.
    holder = sqlite3.connect(database)
    holder.execute("SELECT count(*) FROM user_account").fetchone()
    files = sorted(tmp_path.glob("vtc.db*"))
    for path in files:
        path.chmod(0o444)  # the database, its WAL and its index: readable, writable by nobody
    try:
        run = subprocess.run(
            [*without_write_override(), sys.executable, "-c", READ_ONLY_RUN, url, key_secret],
            capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
        )  # fmt: skip
    finally:
        holder.close()
        for path in files:
            path.chmod(0o644)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    status, body, retry = result["post"]
    assert status == 503, body
    assert "read-only" in json.loads(body)["error"]["message"]
    assert int(retry) > 0
    status, body, retry = result["login"]
    assert status == 503, body[:500]
    assert "We kunnen nu niets bewaren" in body
    assert integrity(database) == ["ok"]
