"""With the database unreachable, the LRS and the JSON API answer 503 with Retry-After, never a 500 or HTML.

For real: the app's database URL points at a PostgreSQL port on this machine where nothing listens, so every
connection attempt is refused by the kernel, exactly as when the server is down; and a PostgreSQL server of the
test's own is stopped under a running app (its pooled connections die) and started again.
"""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from helpers import PASSWORD, csrf_token

import lrs
from learning.accounts.models import Organisation, Role
from learning.accounts.services import create_user
from learning.db import db
from learning.db import upgrade_database as upgrade_lms

BASIC = {"Authorization": "Basic " + base64.b64encode(b"some-key:some-secret").decode()}
XAPI = {**BASIC, "X-Experience-API-Version": "1.0.3"}
SID = "6f1c4b5e-2d7a-4c1e-9b3f-8a2d5c7e9f01"
AGENT = '{"mbox": "mailto:a@example.test"}'
STATEMENT = {
    "actor": {"mbox": "mailto:a@example.test"},
    "verb": {"id": "http://x.test/v"},
    "object": {"id": "http://x.test/o"},
}


def free_port() -> int:
    with socket.socket() as probe:  # a free port: once closed, nothing listens on it
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def down_client(make_app):
    port = free_port()
    url = f"postgresql+psycopg://vtc@127.0.0.1:{port}/vtc?connect_timeout=3"
    app = make_app(SQLALCHEMY_DATABASE_URI=url, LRS_DATABASE_URI=url, TESTING=False, LRS_FORWARD_BACKGROUND=False)
    return app.test_client()


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("GET", "/xapi/statements", {"headers": XAPI}),
        ("POST", "/xapi/statements", {"headers": XAPI, "json": STATEMENT}),
        ("GET", "/xapi/activities/state", {"headers": XAPI, "query_string": {"activityId": "http://x.test/a"}}),
        ("PUT", "/xapi/statements", {"headers": XAPI, "json": STATEMENT, "query_string": {"statementId": SID}}),
        ("HEAD", "/xapi/statements", {"headers": XAPI, "query_string": {"statementId": SID}}),
        ("GET", "/xapi/activities", {"headers": XAPI, "query_string": {"activityId": "http://x.test/a"}}),
        ("GET", "/xapi/agents", {"headers": XAPI, "query_string": {"agent": AGENT}}),
        (
            "PUT",
            "/xapi/agents/profile",
            {"headers": XAPI, "json": {}, "query_string": {"agent": AGENT, "profileId": "p"}},
        ),
        ("POST", "/api/rpm/v1/daily", {"headers": BASIC, "json": {"records": []}}),
        ("POST", "/api/rpm/v1/staff-activity", {"headers": BASIC, "json": {"records": []}}),
    ],
)
def test_an_unreachable_database_is_503_with_retry_after(down_client, method, path, kwargs):
    response = down_client.open(path, method=method, **kwargs)
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert int(response.headers["Retry-After"]) > 0
    assert response.is_json or method == "HEAD"
    assert "psycopg" not in response.get_data(as_text=True)


def assert_plain_503_page(response) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert int(response.headers["Retry-After"]) > 0
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "niet bewaard" in page  # in the visitor's language (Dutch here): what happened to what they sent
    assert 'href="/login"' in page  # the page is whole (shown as to a visitor): header, menu, a way on
    assert "psycopg" not in page
    assert "Traceback" not in page


def test_an_lms_form_without_its_database_is_a_plain_503_page(down_client):
    token = csrf_token(down_client, "/login")  # the log-in page itself needs no database
    form = {"email": "a@example.test", "password": "some password", "csrf_token": token}
    assert_plain_503_page(down_client.post("/login", data=form, headers={"Accept-Language": "nl"}))


def test_what_needs_no_database_still_answers(down_client):
    assert down_client.get("/xapi/about").status_code == 200
    assert down_client.get("/api/rpm/openapi.json").status_code == 200


PGBIN = max(Path("/usr/lib/postgresql").glob("*/bin"), default=None, key=lambda p: int(p.parent.name))


def as_postgres(*command: str) -> None:
    """Run a PostgreSQL tool as the postgres user when we are root (PostgreSQL refuses to run as root)."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=60)


@pytest.fixture
def own_postgres():
    """A PostgreSQL server of this test's own, which the test may stop and start again."""
    if PGBIN is None:
        pytest.skip("PostgreSQL is not installed")  # CI installs it (scripts/system-packages.sh)
    root = Path(tempfile.mkdtemp(prefix="vtc-pg-"))  # not under pytest's tmp: the postgres user cannot enter that
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    port = free_port()
    data = str(root / "data")
    as_postgres(str(PGBIN / "initdb"), "-D", data, "-U", "vtc", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"

    def start() -> None:
        as_postgres(
            str(PGBIN / "pg_ctl"), "-D", data, "-l", str(root / "log"), "-w", "-t", "30", "-o", options, "start"
        )

    def stop() -> None:
        as_postgres(str(PGBIN / "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop")

    start()
    as_postgres(str(PGBIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "vtc", "vtc")
    try:
        yield f"postgresql+psycopg://vtc@127.0.0.1:{port}/vtc?connect_timeout=3", start, stop
    finally:
        subprocess.run([*(["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []), str(PGBIN / "pg_ctl"),
                        "-D", data, "-m", "immediate", "stop"], capture_output=True, timeout=60)  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


def test_a_database_that_goes_down_is_503_and_service_resumes_when_it_is_back(make_app, own_postgres):
    url, start, stop = own_postgres
    upgrade_lms(url)
    lrs.upgrade_database(url)
    app = make_app(SQLALCHEMY_DATABASE_URI=url, LRS_DATABASE_URI=url, TESTING=False, LRS_FORWARD_BACKGROUND=False)
    key_secret = (
        app.test_cli_runner()
        .invoke(args=["lrs", "create-credential", "t", "--regional"])
        .output.strip()
        .splitlines()[-1]
    )
    headers = {"Authorization": "Basic " + base64.b64encode(key_secret.encode()).decode(),
               "X-Experience-API-Version": "1.0.3"}  # fmt: skip
    client = app.test_client()
    assert client.post("/xapi/statements", json=STATEMENT, headers=headers).status_code == 200  # pools hold connections
    learner = app.test_client()  # a patient who is logged in when the database goes
    with app.app_context():
        organisation = Organisation(name="Ziekenhuis", kind="hospital")
        db.session.add(organisation)
        create_user("p@example.test", PASSWORD, Role.PATIENT, organisation=organisation)
        db.session.commit()
    login = {"email": "p@example.test", "password": PASSWORD, "csrf_token": csrf_token(learner, "/login")}
    assert learner.post("/login", data=login, headers={"Accept-Language": "nl"}).status_code == 302
    assert learner.get("/progress").status_code == 200

    stop()  # the server dies under the app: pooled connections are dead, new ones refused
    for method, path, kwargs in [
        ("POST", "/xapi/statements", {"headers": headers, "json": STATEMENT}),
        ("GET", "/xapi/statements", {"headers": headers}),
        ("POST", "/api/rpm/v1/daily", {"headers": BASIC, "json": {"records": []}}),
    ]:
        response = client.open(path, method=method, **kwargs)
        assert response.status_code == 503, (path, response.get_data(as_text=True)[:300])
        assert int(response.headers["Retry-After"]) > 0
    assert_plain_503_page(learner.get("/progress"))
    assert_plain_503_page(learner.get("/"))

    start()
    deadline = time.monotonic() + 30
    while (status := client.get("/xapi/statements", headers=headers).status_code) == 503:
        assert time.monotonic() < deadline, "the LRS did not recover after the database came back"
        time.sleep(0.2)
    assert status == 200
    assert len(client.get("/xapi/statements", headers=headers).json["statements"]) == 1  # nothing lost, nothing added
    assert learner.get("/progress").status_code == 200  # still logged in: the session outlived the outage

    stop()  # a restart between two requests: no request sees the outage, and the next one must not fail either
    start()
    assert learner.get("/progress").status_code == 200
    assert client.get("/xapi/statements", headers=headers).status_code == 200


READ_ONLY = "options=-c%20default_transaction_read_only%3Don"  # every session of this app is read-only (25006)


@pytest.mark.postgresql_only
def test_a_read_only_postgresql_is_503_with_a_message_not_500(app, make_app, database_url):
    """A server that takes no writes (a standby, or `default_transaction_read_only`, as during a switch-over)
    answers SQLSTATE 25006, which psycopg raises as an InternalError: before, that was a 500 on every write."""
    writable = app  # on empty tables
    key_secret = writable.test_cli_runner().invoke(args=["lrs", "create-credential", "t", "--regional"]).output
    headers = {"Authorization": "Basic " + base64.b64encode(key_secret.strip().splitlines()[-1].encode()).decode(),
               "X-Experience-API-Version": "1.0.3"}  # fmt: skip
    with writable.app_context():
        organisation = Organisation(name="Ziekenhuis", kind="hospital")
        db.session.add(organisation)
        create_user("p@example.test", PASSWORD, Role.PATIENT, organisation=organisation)
        db.session.commit()
    joiner = "&" if "?" in database_url else "?"
    url = f"{database_url}{joiner}{READ_ONLY}"
    read_only = make_app(SQLALCHEMY_DATABASE_URI=url, LRS_DATABASE_URI=url, TESTING=False,
                         LRS_FORWARD_BACKGROUND=False)  # fmt: skip
    client = read_only.test_client()

    response = client.post("/xapi/statements", json=STATEMENT, headers=headers)
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert int(response.headers["Retry-After"]) > 0
    assert "read-only" in response.json["error"]["message"]
    login = {"email": "p@example.test", "password": "wrong password", "csrf_token": csrf_token(client, "/login")}
    page = client.post("/login", data=login, headers={"Accept-Language": "nl"})  # a failed log-in is written down
    assert page.status_code == 503, page.get_data(as_text=True)[:300]
    assert page.mimetype == "text/html"
    assert "niet bewaard" in page.get_data(as_text=True)
    assert writable.test_client().get("/xapi/statements", headers=headers).json["statements"] == []
