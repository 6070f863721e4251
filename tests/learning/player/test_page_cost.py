"""What a page view costs the database: a step seen again writes nothing, and module pages never load sources.

These guard the learner pages' speed (bench/learner_pages.py measures it): each is a behaviour a refactor can
silently lose, and each failed before the change that made it so.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event, select, update

from learning.accounts.models import Role
from learning.db import db
from learning.player.models import Attempt
from learning.player.services import ACTIVITY_GRANULARITY

SLUG = "elke-dag-wegen-hartfalen"
MODULE = f"/modules/{SLUG}"


@contextmanager
def statements_sent(app) -> Iterator[list[str]]:
    """Collect the SQL the app sends while the block runs."""
    sent: list[str] = []
    with app.app_context():
        engine = db.engine

    def remember(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", remember)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", remember)


def writes(sent: list[str]) -> list[str]:
    return [s for s in sent if s.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}]


def open_module(client) -> None:
    from helpers import csrf_token

    assert client.post(f"{MODULE}/start", data={"csrf_token": csrf_token(client, f"{MODULE}/")}).status_code == 302


def test_a_step_seen_again_soon_writes_nothing(app, client, login, make_user, content):
    login(make_user(Role.PATIENT))
    open_module(client)
    assert client.get(f"{MODULE}/step/2", headers={"HX-Request": "true"}).status_code == 200
    with statements_sent(app) as sent:
        again = client.get(f"{MODULE}/step/2", headers={"HX-Request": "true"})
    assert again.status_code == 200
    assert 'id="player"' in again.get_data(as_text=True)
    assert writes(sent) == []


def test_the_bookmark_and_a_stale_activity_time_are_still_written(app, client, login, make_user, content):
    login(make_user(Role.PATIENT))
    open_module(client)
    client.get(f"{MODULE}/step/2", headers={"HX-Request": "true"})
    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert attempt is not None
        assert attempt.last_activity_at is not None
        stale = attempt.last_activity_at - ACTIVITY_GRANULARITY - timedelta(seconds=1)
        db.session.execute(update(Attempt).values(last_activity_at=stale))
        db.session.commit()
    client.get(f"{MODULE}/step/2", headers={"HX-Request": "true"})
    client.get(f"{MODULE}/step/1", headers={"HX-Request": "true"})
    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert attempt is not None
        assert attempt.current_step == 1
        assert attempt.last_activity_at is not None
        assert attempt.last_activity_at > stale


def test_pages_that_show_modules_do_not_load_their_markdown(app, client, login, make_user, content):
    login(make_user(Role.PATIENT))
    open_module(client)
    client.get(f"{MODULE}/step/1")  # parses the module once in this process
    with statements_sent(app) as sent:
        for path in ("/", f"{MODULE}/", f"{MODULE}/step/1", "/progress"):
            assert client.get(path).status_code == 200, path
    loads_source = [s for s in sent if "module_text.source" in s]
    assert loads_source == []


def test_pages_seen_again_do_not_read_module_texts(app, client, login, make_user, content):
    """A worker keeps the texts of a module version (they never change under it): a page view reads the module row,
    not its texts. Before, every step, answer and progress page queried module_text, and the catalogue loaded
    every text of every module."""
    login(make_user(Role.PATIENT))
    open_module(client)
    paths = ("/", f"{MODULE}/", f"{MODULE}/step/1", "/progress")
    for path in paths:
        assert client.get(path).status_code == 200, path
    with statements_sent(app) as sent:
        for path in paths:
            assert client.get(path).status_code == 200, path
    assert [s for s in sent if "FROM module_text" in s] == []


def test_a_step_view_does_not_load_the_steps_seen(app, client, login, make_user, content):
    """Whether the step was shown before is read with the module and the attempt (one query): a step view loads
    no list of the attempt's steps, and the first view of a step is still recorded once."""
    login(make_user(Role.PATIENT))
    open_module(client)
    with statements_sent(app) as sent:
        assert client.get(f"{MODULE}/step/2", headers={"HX-Request": "true"}).status_code == 200
        assert client.get(f"{MODULE}/step/2", headers={"HX-Request": "true"}).status_code == 200
    assert [s for s in sent if s.lstrip().upper().startswith("SELECT ATTEMPT_STEP.")] == []
    assert len([s for s in writes(sent) if "INSERT INTO attempt_step" in s]) == 1


def test_the_progress_page_reads_attempts_modules_and_steps_in_one_query(app, client, login, make_user, content):
    """Before, /progress loaded the attempts, then their modules, then every step each attempt had seen (three
    queries, the steps only to be counted). It shows a row per attempt with its module and where the learner is."""
    login(make_user(Role.PATIENT))
    open_module(client)
    client.get(f"{MODULE}/step/2", headers={"HX-Request": "true"})
    client.get("/progress")
    with statements_sent(app) as sent:
        page = client.get("/progress")
    assert page.status_code == 200
    reads = [s for s in sent if s.lstrip().upper().startswith("SELECT") and "access_log" not in s]
    assert len([s for s in reads if "FROM attempt" in s or "FROM module" in s]) == 1
    assert [s for s in reads if "FROM attempt_step" in s and "count(" not in s] == []
    assert "stap 2 van" in page.get_data(as_text=True)


def test_read_only_pages_skip_the_transaction_on_postgresql_and_a_step_view_keeps_it(
    app, client, login, make_user, content
):
    """On PostgreSQL the catalogue, /progress and /help run in autocommit (no BEGIN, no ROLLBACK round trip);
    a page that writes (a step view) keeps its transaction. SQLite is left as it was."""
    with app.app_context():
        engine = db.engine
    postgresql = engine.dialect.name == "postgresql"
    login(make_user(Role.PATIENT))
    open_module(client)
    modes: list[tuple[str, bool]] = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        in_autocommit = conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
        if postgresql:
            assert conn.connection.dbapi_connection.autocommit is in_autocommit  # what psycopg really does
        modes.append((statement.split(None, 1)[0].upper(), in_autocommit))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        for path in ("/", "/progress", "/help"):
            modes.clear()
            assert client.get(path).status_code == 200
            assert modes
            assert {autocommit for _verb, autocommit in modes} == {postgresql}, path
        modes.clear()
        assert client.get(f"{MODULE}/step/3", headers={"HX-Request": "true"}).status_code == 200
        assert ("INSERT", False) in modes  # the step seen first: written in a transaction
        assert not any(autocommit for _verb, autocommit in modes)
    finally:
        event.remove(engine, "before_cursor_execute", remember)


def test_the_catalogue_of_a_learner_on_no_staff_roster_asks_no_roster_query(app, client, login, make_user, content):
    login(make_user(Role.PATIENT))
    assert client.get("/").status_code == 200  # the worker reads each module's texts once
    with statements_sent(app) as sent:
        page = client.get("/")
    assert page.status_code == 200
    assert "Elke dag wegen bij hartfalen" in page.get_data(as_text=True).replace("\xad", "")  # soft hyphens
    assert not [s for s in sent if "staff_membership" in s]  # the roster's memberships: only for someone on it
    assert len(sent) == 3  # the account, the attempts' status, the modules (with "on a roster at all")
