"""What a page view costs the database: a step seen again writes nothing, and module pages never load sources.

These guard the learner pages' speed (bench/learner_pages.py measures it): each is a behaviour a refactor can
silently lose, and each failed before the change that made it so.
"""

from __future__ import annotations

from datetime import timedelta

from helpers import statements_sent
from sqlalchemy import select, update

from learning import direct_reads
from learning.accounts.models import Role
from learning.db import db
from learning.player.models import Attempt
from learning.player.services import ACTIVITY_GRANULARITY

SLUG = "elke-dag-wegen-hartfalen"
MODULE = f"/modules/{SLUG}"


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


def test_pages_that_only_read_send_no_transaction_on_postgresql_and_a_write_runs_in_one(
    app, client, login, make_user, content
):
    """On PostgreSQL the catalogue, /progress, /help and a step seen before run in autocommit (no BEGIN, no
    ROLLBACK round trip); a step seen for the first time reads in autocommit and writes in a transaction, which is
    committed (after a commit the next statement may again run without one). SQLite is left as it was (its driver
    begins before the first write on its own)."""
    with app.app_context():
        engine = db.engine
    postgresql = engine.dialect.name == "postgresql"
    login(make_user(Role.PATIENT))
    open_module(client)
    modes: list[tuple[str, bool]] = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        # registered after the app's own listener: this is the mode psycopg really sends the statement in
        autocommit = bool(getattr(conn.connection.dbapi_connection, "autocommit", False)) if postgresql else False
        modes.append((statement.split(None, 1)[0].upper(), autocommit))

    direct_reads.listen_context_free(engine, "before_cursor_execute", remember)  # the reads' own path
    try:
        for path in ("/", "/progress", "/help"):
            modes.clear()
            assert client.get(path).status_code == 200
            assert modes
            assert {autocommit for _verb, autocommit in modes} == {postgresql}, path
        modes.clear()
        assert client.get(f"{MODULE}/step/3", headers={"HX-Request": "true"}).status_code == 200
        verbs = [verb for verb, _autocommit in modes]
        first_write = next(n for n, verb in enumerate(verbs) if verb in {"INSERT", "UPDATE", "DELETE"})
        assert all(autocommit == postgresql for _verb, autocommit in modes[:first_write])  # reads before it
        assert not any(autocommit for verb, autocommit in modes if verb in {"INSERT", "UPDATE", "DELETE"})
        modes.clear()
        assert client.get(f"{MODULE}/step/3", headers={"HX-Request": "true"}).status_code == 200
        assert "INSERT" not in [verb for verb, _autocommit in modes]
        assert {autocommit for _verb, autocommit in modes} == {postgresql}  # seen before: nothing written, no BEGIN
    finally:
        direct_reads.remove_context_free(engine, "before_cursor_execute", remember)
    with app.app_context():
        seen = db.session.scalars(select(Attempt)).one().steps_seen
    assert 3 in {step.step_number for step in seen}  # the first view's write was committed


def test_the_catalogue_of_a_learner_on_no_staff_roster_asks_no_roster_query(app, client, login, make_user, content):
    login(make_user(Role.PATIENT))
    assert client.get("/").status_code == 200  # the worker reads each module's texts once
    with statements_sent(app) as sent:
        page = client.get("/")
    assert page.status_code == 200
    assert "Elke dag wegen bij hartfalen" in page.get_data(as_text=True).replace("\xad", "")  # soft hyphens
    assert not [s for s in sent if "staff_membership" in s]  # the roster's memberships: only for someone on it
    assert len(sent) == 1  # the account with the modules, her standing in each and "on a roster at all" joined


def test_an_answer_asks_once_for_the_module_the_attempt_and_the_stored_answer(app, client, login, make_user, content):
    """Before, an answer read the account, the module and attempt, then the item's stored answer: three statements.
    Now one (learning/first_reads.py), and a repeated answer still writes nothing new and keeps the first answer's
    feedback."""
    from helpers import csrf_token

    from learning.player.models import AttemptAnswer

    login(make_user(Role.PATIENT))
    open_module(client)
    token = csrf_token(client, f"{MODULE}/step/1")
    answer = {"csrf_token": token, "choice": "0"}
    headers = {"HX-Request": "true"}
    item = "when-to-weigh"
    assert client.post(f"{MODULE}/item/{item}", data=answer, headers=headers).status_code == 200
    with statements_sent(app) as sent:
        again = client.post(f"{MODULE}/item/{item}", data={**answer, "choice": "1"}, headers=headers)
    assert again.status_code == 200
    reads = [s for s in sent if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1, reads  # the account, module, attempt and stored answer together
    assert "FROM user_account LEFT OUTER JOIN" in reads[0]
    assert writes(sent) == []
    with app.app_context():
        stored = db.session.scalars(select(AttemptAnswer).where(AttemptAnswer.item_id == item)).all()
    assert [a.response for a in stored] == ["0"]  # the first answer counts
