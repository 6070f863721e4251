"""`flask backup` / `flask restore`: both databases, filled through the app, restored into an empty database hold
every row of every table again (SQLite here; PostgreSQL when the suite runs on it, with pg_dump / pg_restore)."""

from __future__ import annotations

import json
import re
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import csrf_token
from sqlalchemy import create_engine, inspect, make_url, text
from xapi_helpers import make_statement

import lrs
from learning.accounts.models import Role
from learning.db import upgrade_database as upgrade_lms

MODULE = "/modules/elke-dag-wegen-hartfalen"


def fill_through_the_app(client, login, make_user, lrs_auth) -> None:
    """Accounts, a started module with answers, statements and documents from an LRS client: all over HTTP."""
    login(make_user(Role.PATIENT))
    make_user(Role.PROFESSIONAL)
    assert client.post(f"{MODULE}/start", data={"csrf_token": csrf_token(client, f"{MODULE}/")}).status_code == 302
    items = [
        i
        for step in range(1, 6)
        for i in re.findall(r'id="item-([a-z0-9-]+)"', client.get(f"{MODULE}/step/{step}").get_data(as_text=True))
    ]
    assert items
    for item in items:
        answer = {"choice": ["0"], "csrf_token": csrf_token(client, "/")}
        assert client.post(f"{MODULE}/item/{item}", data=answer).status_code == 302
    batch = [make_statement(id=str(uuid.uuid4()), result={"score": {"scaled": i / 10}}) for i in range(10)]
    response = client.post(
        "/xapi/statements", data=json.dumps(batch), headers=lrs_auth, content_type="application/json"
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    state = {"activityId": batch[0]["object"]["id"], "agent": json.dumps(batch[0]["actor"]), "stateId": "place"}
    response = client.put("/xapi/activities/state", query_string=state, json={"step": 3}, headers=lrs_auth)
    assert response.status_code == 204
    assert client.get("/xapi/statements", headers=lrs_auth).status_code == 200  # an access-log entry too


def all_rows(url: str) -> dict[str, list[str]]:
    """Every row of every table, as sorted JSON text (PostgreSQL cannot ORDER BY a json column)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = sorted(inspect(conn).get_table_names())
            return {
                table: sorted(
                    json.dumps(list(row), default=str)
                    for row in conn.execute(text(f'SELECT * FROM "{table}"'))  # noqa: S608 — names from the catalogue
                )
                for table in tables
            }
    finally:
        engine.dispose()


@pytest.fixture
def empty_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A new database with nothing in it, not even tables: a file not yet made, or a new PostgreSQL database."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'restored' / 'vtc.db'}"
        return
    name = f"vtc_restore_{uuid.uuid4().hex[:12]}"
    server = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def test_a_restore_into_an_empty_database_holds_every_row_of_every_table(
    app, client, runner, login, make_user, content, lrs_auth, make_app, database_url, empty_database, tmp_path
):
    fill_through_the_app(client, login, make_user, lrs_auth)
    before = all_rows(database_url)

    backed_up = runner.invoke(args=["backup", str(tmp_path / "backup")])
    assert backed_up.exit_code == 0, backed_up.output
    restoring = make_app(SQLALCHEMY_DATABASE_URI=empty_database, LRS_DATABASE_URI=empty_database,
                         LRS_FORWARD_BACKGROUND=False)  # fmt: skip
    restored = restoring.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup")])
    assert restored.exit_code == 0, restored.output

    after = all_rows(empty_database)
    assert after == before
    filled = [table for table, rows in before.items() if rows]
    assert {"user_account", "attempt", "attempt_answer", "lrs_statement", "lrs_document", "access_log"} <= set(filled)
    print(f"backup/restore compared {len(before)} tables row by row, {sum(map(len, before.values()))} rows")
    tables = len(before)
    assert f"{tables} tables" in restored.output
    assert "Every table holds the rows it held in the backup." in restored.output


def test_restore_refuses_a_database_that_holds_data_and_replaces_it_with_force(
    app, runner, make_user, database_url, tmp_path
):
    make_user(Role.PATIENT)
    assert runner.invoke(args=["backup", str(tmp_path / "backup")]).exit_code == 0
    before = all_rows(database_url)
    make_user(Role.CAREGIVER)  # written after the backup

    refused = runner.invoke(args=["restore", str(tmp_path / "backup")])
    assert refused.exit_code == 1
    assert "already holds data" in refused.output
    assert "--force" in refused.output
    assert len(all_rows(database_url)["user_account"]) == 2  # nothing touched

    forced = runner.invoke(args=["restore", "--force", str(tmp_path / "backup")])
    assert forced.exit_code == 0, forced.output
    assert all_rows(database_url) == before


def test_a_damaged_backup_is_refused_before_anything_is_written(app, runner, make_user, database_url, tmp_path):
    make_user(Role.PATIENT)
    assert runner.invoke(args=["backup", str(tmp_path / "backup")]).exit_code == 0
    data = next(p for p in (tmp_path / "backup").iterdir() if p.name != "manifest.json")
    with data.open("r+b") as file:
        file.seek(-10, 2)
        file.write(b"0123456789")
    make_user(Role.CAREGIVER)
    before = all_rows(database_url)

    refused = runner.invoke(args=["restore", "--force", str(tmp_path / "backup")])
    assert refused.exit_code == 1
    assert "damaged" in refused.output
    assert all_rows(database_url) == before


def test_a_backup_never_overwrites_another(app, runner, tmp_path):
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "keep.txt").write_text("an older backup")
    result = runner.invoke(args=["backup", str(tmp_path / "backup")])
    assert result.exit_code == 1
    assert "not empty" in result.output
    assert (tmp_path / "backup" / "keep.txt").read_text() == "an older backup"


def test_a_backup_taken_while_statements_arrive_is_one_consistent_moment(
    app, runner, lrs_auth, live_server, make_app, database_url, empty_database, tmp_path
):
    stop = threading.Event()
    acknowledged: list[str] = []

    def send() -> None:  # a client that keeps sending over real HTTP while the backup runs
        while not stop.is_set():
            batch = [make_statement(id=str(uuid.uuid4())) for _ in range(20)]
            request = urllib.request.Request(  # noqa: S310 — the live server on 127.0.0.1
                f"{live_server.url}/xapi/statements", data=json.dumps(batch).encode(),
                headers={**lrs_auth, "Content-Type": "application/json"},
            )  # fmt: skip
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                assert response.status == 200
            acknowledged.extend(s["id"] for s in batch)

    sender = threading.Thread(target=send)
    sender.start()
    try:
        while len(acknowledged) < 100:  # the backup starts in the middle of the stream
            stop.wait(0.01)
        backed_up = runner.invoke(args=["backup", str(tmp_path / "backup")])
    finally:
        stop.set()
        sender.join(timeout=30)
    assert backed_up.exit_code == 0, backed_up.output
    restoring = make_app(SQLALCHEMY_DATABASE_URI=empty_database, LRS_DATABASE_URI=empty_database,
                         LRS_FORWARD_BACKGROUND=False)  # fmt: skip
    restored = restoring.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup")])
    assert restored.exit_code == 0, restored.output

    def statement_ids(url: str) -> list[str]:
        engine = create_engine(url)
        with engine.connect() as conn:
            ids = [row[0] for row in conn.execute(text("SELECT id FROM lrs_statement ORDER BY seq"))]
        engine.dispose()
        return ids

    live, copy = statement_ids(database_url), statement_ids(empty_database)
    assert len(copy) >= 100
    assert copy == live[: len(copy)]  # a prefix of what arrived: one moment, nothing torn, nothing invented
    assert set(live) == set(acknowledged)


def test_separate_lms_and_lrs_databases_are_backed_up_and_restored_each_to_its_own(make_app, tmp_path):
    lms, lrs_url = f"sqlite:///{tmp_path / 'lms.db'}", f"sqlite:///{tmp_path / 'lrs.db'}"
    upgrade_lms(lms)
    lrs.upgrade_database(lrs_url)
    source = make_app(SQLALCHEMY_DATABASE_URI=lms, LRS_DATABASE_URI=lrs_url, LRS_FORWARD_BACKGROUND=False)
    assert source.test_cli_runner().invoke(args=["lrs", "create-credential", "t", "--regional"]).exit_code == 0
    backed_up = source.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup")])
    assert backed_up.exit_code == 0, backed_up.output
    assert "the LMS database" in backed_up.output
    assert "the LRS database" in backed_up.output

    shared = f"sqlite:///{tmp_path / 'one.db'}"  # the same backup into a configuration with one database: refused
    one = make_app(SQLALCHEMY_DATABASE_URI=shared, LRS_DATABASE_URI=shared, LRS_FORWARD_BACKGROUND=False)
    refused = one.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup")])
    assert refused.exit_code == 1
    assert "LMS_LRS_DATABASE_URI" in refused.output

    new_lms, new_lrs = f"sqlite:///{tmp_path / 'new' / 'lms.db'}", f"sqlite:///{tmp_path / 'new' / 'lrs.db'}"
    target = make_app(SQLALCHEMY_DATABASE_URI=new_lms, LRS_DATABASE_URI=new_lrs, LRS_FORWARD_BACKGROUND=False)
    restored = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup")])
    assert restored.exit_code == 0, restored.output
    assert all_rows(new_lms) == all_rows(lms)
    assert all_rows(new_lrs) == all_rows(lrs_url)
    assert all_rows(new_lrs)["lrs_credential"]  # the credential went to the LRS's database, not the LMS's
    assert "lrs_credential" not in all_rows(new_lms)
