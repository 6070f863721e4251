"""A step's and an answer's first read comes with the account's, in one statement (learning/first_reads.py): used
only by the view that asked for exactly it, once, and never when the account does not load."""

from __future__ import annotations

import re

import pytest
from helpers import csrf_token, statements_sent
from sqlalchemy import select, update

from learning import first_reads
from learning.accounts.loading import session_user
from learning.accounts.models import Role, User
from learning.content.models import Module
from learning.db import db
from learning.player import reads
from learning.player.models import Attempt, AttemptAnswer
from learning.progress.services import get_progress

SLUG = "elke-dag-wegen-hartfalen"
MODULE = f"/modules/{SLUG}"
FRAGMENT = {"HX-Request": "true"}


def selects(sent: list[str]) -> list[str]:
    return [s for s in sent if s.lstrip().upper().startswith("SELECT")]


def start(client) -> None:  # type: ignore[no-untyped-def]
    assert client.post(f"{MODULE}/start", data={"csrf_token": csrf_token(client, f"{MODULE}/")}).status_code == 302


def test_a_step_reads_account_module_attempt_and_seen_in_one_statement(app, client, login, make_user, content):
    login(make_user(Role.PATIENT))
    start(client)
    assert client.get(f"{MODULE}/step/1", headers=FRAGMENT).status_code == 200  # seen once: the next view writes none
    with statements_sent(app) as sent:
        page = client.get(f"{MODULE}/step/1", headers=FRAGMENT)
    assert page.status_code == 200
    assert 'id="step-title"' in page.get_data(as_text=True)
    read = selects(sent)
    assert "FROM user_account LEFT OUTER JOIN" in read[0]
    assert "FROM module" in read[0]
    assert not [s for s in read[1:] if "FROM module" in s]  # the view did not read it again


def _step_with_a_question(client) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    """The first step with a choice question: its number, the question's id and a choice's value."""
    for number in range(1, 9):
        page = client.get(f"{MODULE}/step/{number}", headers=FRAGMENT).get_data(as_text=True)
        found = re.search(r'id="item-([a-z0-9-]+)"', page)
        choice = re.search(r'name="choice" value="([^"]+)"', page)
        if found and choice:
            return number, found.group(1), choice.group(1)
    raise AssertionError("the module has no choice question")


def test_a_step_with_a_question_answered_before_is_one_statement_and_shows_it_answered(
    app, client, login, make_user, content
):
    """Before, the step's stored answers were a second statement (a round trip on PostgreSQL)."""
    login(make_user(Role.PATIENT))
    start(client)
    number, item, choice = _step_with_a_question(client)
    path = f"{MODULE}/step/{number}"
    before = client.get(path, headers=FRAGMENT).get_data(as_text=True)
    token = csrf_token(client, path)
    assert (
        client.post(f"{MODULE}/item/{item}", data={"csrf_token": token, "choice": choice}, headers=FRAGMENT).status_code
        == 200
    )
    after = client.get(
        path, headers=FRAGMENT
    )  # rendered for this state (its markup kept: learning/player/fragments.py)
    with statements_sent(app) as sent:
        again = client.get(path, headers=FRAGMENT)
    assert again.status_code == 200
    assert len(selects(sent)) == 1
    assert again.get_data(as_text=True) == after.get_data(as_text=True) != before  # shows the question answered


@pytest.mark.parametrize(
    "responses",
    [
        {"a": "x"},
        {"a": "", "b": ":", "c": "3:abc", "d": "12:"},
        {"een": "regel\nnieuwe regel", "twee": "ü€😀:", "drie": "9" * 64, "vier": "::::"},
    ],
)
def test_the_packed_stored_answers_come_back_exactly(app, client, login, make_user, content, responses):
    """Any response (typed text may hold the separator, digits or a newline) is unpacked as it was stored."""
    user = make_user(Role.PATIENT)
    login(user)
    start(client)
    with app.app_context():
        attempt = db.session.scalars(select(Attempt)).one()
        for item_id, response in responses.items():
            db.session.add(AttemptAnswer(attempt_id=attempt.id, item_id=item_id, response=response, correct=None))
        db.session.commit()
    with app.test_request_context(f"{MODULE}/step/1"):
        learner = db.session.get(User, user.id)
        module, found, _seen, answers = reads.module_attempt_and_seen(learner, SLUG, 1)
        assert module is not None
        assert found is not None
        assert answers == responses
        db.session.remove()


def test_an_unknown_module_or_no_attempt_is_found_as_before(app, client, login, make_user, content):
    login(make_user(Role.PATIENT))
    assert client.get("/modules/bestaat-niet/step/1", headers=FRAGMENT).status_code == 404
    before = client.get(f"{MODULE}/step/1", headers=FRAGMENT)  # not started: no attempt of her own
    start(client)
    after = client.get(f"{MODULE}/step/1", headers=FRAGMENT)
    assert before.status_code != 200
    assert after.status_code == 200


def test_a_kept_row_serves_only_the_same_statement_and_parameters_and_only_once(app, make_user, content):
    user = make_user(Role.PATIENT)
    mine = {"slug": SLUG, "number": 1, "user_id": user.id}
    with app.test_request_context(f"{MODULE}/step/1"):
        assert session_user(f"{user.id}:0") is not None  # the account, and the step's read with it
        with statements_sent(app) as sent:
            kept = first_reads.row(reads._WITH_STEP_SEEN, mine)
            again = first_reads.row(reads._WITH_STEP_SEEN, mine)
        assert kept is not None
        assert again is not None
        assert tuple(kept) == tuple(again)
        assert len(selects(sent)) == 1  # the first came with the account, the second was read: used once
        db.session.remove()
    with app.test_request_context(f"{MODULE}/step/1"):
        assert session_user(f"{user.id}:0") is not None
        with statements_sent(app) as sent:
            assert first_reads.row(reads._WITH_STEP_SEEN, {**mine, "number": 2}) is not None
        assert len(selects(sent)) == 1  # other parameters: read, not taken from what was kept
        db.session.remove()
    with app.test_request_context("/progress"):
        assert session_user(f"{user.id}:0") is not None  # an endpoint without a first read
        with statements_sent(app) as sent:
            assert first_reads.row(reads._WITH_STEP_SEEN, mine) is not None
        assert len(selects(sent)) == 1
        db.session.remove()


def test_a_deactivated_account_gets_no_page_even_though_its_page_was_read(app, client, login, make_user, content):
    user = make_user(Role.PATIENT)
    login(user)
    start(client)
    with app.app_context():
        db.session.execute(update(User).where(User.id == user.id).values(is_active_account=False))
        db.session.commit()
    page = client.get(f"{MODULE}/step/1", headers=FRAGMENT)
    assert page.status_code == 302
    assert "/login" in page.headers["Location"]


def test_the_home_page_and_progress_read_with_the_account_and_keep_their_order(app, client, login, make_user, content):
    """Several rows come back through the join in no particular order: the catalogue sorts them by slug as its own
    statement did, and progress by its own rule; each page then asks the database once."""
    login(make_user(Role.PATIENT))
    start(client)
    for path in ("/", "/progress"):
        assert client.get(path).status_code == 200  # the worker reads each module's texts once
        with statements_sent(app) as sent:
            page = client.get(path)
        assert page.status_code == 200
        assert len(selects(sent)) == 1, path
    html = client.get("/").get_data(as_text=True).replace("\xad", "")
    with app.app_context():
        slugs = sorted(db.session.scalars(select(Module.slug).where(Module.current_version != "")))
    shown = [slug for slug in slugs if f"/modules/{slug}/" in html]
    assert shown == sorted(shown, key=html.index)  # the cards in slug order, as before
    assert "Elke dag wegen bij hartfalen" in client.get("/progress").get_data(as_text=True).replace("\xad", "")


def test_progress_for_another_person_reads_hers_not_the_kept_rows(app, client, login, make_user, content):
    """get_progress for someone else than the one logged in (a caregiver's view) must not take the kept rows."""
    learner, other = make_user(Role.PATIENT), make_user(Role.PATIENT)
    login(learner)
    start(client)  # the learner has an attempt, the other person none
    with app.test_request_context("/progress"):
        assert session_user(f"{learner.id}:0") is not None  # her progress rows kept with her account
        someone = db.session.get(User, other.id)
        assert someone is not None
        with statements_sent(app) as sent:
            assert get_progress(someone, "nl") == []
        assert len(selects(sent)) == 1  # read for the other person, not taken from what was kept
        mine = db.session.get(User, learner.id)
        assert mine is not None
        assert len(get_progress(mine, "nl")) == 1
        db.session.remove()


def test_odd_urls_of_these_pages_are_refused_not_a_server_error(app, client, login, make_user, content):
    """A step number beyond a 32-bit column, or a NUL in the path, failed inside the database on PostgreSQL (a 500,
    and with the page read joined to the account's, inside the account load the error page itself needs)."""
    login(make_user(Role.PATIENT))
    start(client)
    token = csrf_token(client, f"{MODULE}/step/1")
    for path in (
        f"{MODULE}/step/3000000000",
        f"{MODULE}/step/9223372036854775807",
        f"{MODULE}/read-again/1/step/2147483648",
    ):
        assert client.get(path, headers=FRAGMENT).status_code == 404, path
    assert client.get("/modules/a%00b/step/1", headers=FRAGMENT).status_code == 400
    assert client.post(f"{MODULE}/item/a%00b", data={"csrf_token": token, "choice": "0"}).status_code == 400
    assert client.get(f"{MODULE}/step/2", headers=FRAGMENT).status_code == 200  # and the learner goes on


def test_every_registered_first_read_belongs_to_a_route_of_the_app(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    registered = set(first_reads._READS)
    assert registered == {"player.step", "player.answer", "catalog.index", "progress.index"}
    assert registered <= endpoints


@pytest.mark.parametrize(
    ("packed", "expected"),
    [
        (None, {}),
        ("", {}),
        ("a:1:xb:0:", {"a": "x", "b": ""}),
        ("a:1:a\x00bcb:2:zz", None),  # SQLite's length() stops at NUL: what it packs for {"a": "a\\x00bc", "b": "zz"}
        ("a:5:x", None),  # shorter than its length says
        ("a:x:x", None),
        ("A:1:x", None),  # not an item id
        ("a\n:1:x", None),
        ("a:1", None),
    ],
)
def test_packed_answers_that_are_not_what_was_packed_are_read_again(packed, expected):
    """None makes the step fragment read the step's answers itself (learning/player/fragments.py)."""
    assert reads.unpack_answers(packed) == expected


def test_a_page_of_many_rows_gets_the_account_once_and_its_rows_as_its_own_statement_reads_them(
    app, client, login, make_user, content
):
    """The catalogue's and /progress's rows come after the account's in a UNION ALL: the account's columns are sent
    once, not once per page row, and each page column comes back as its own statement gives it (typed: a datetime
    stays a datetime on SQLite too)."""
    from learning.accounts.loading import _BY_ID
    from learning.catalog.services import _PUBLISHED_MODULES
    from learning.progress.services import _PROGRESS

    user = make_user(Role.PATIENT)
    login(user)
    start(client)
    width = len(_BY_ID.selected_columns)
    for path, page in (("/", _PUBLISHED_MODULES), ("/progress", _PROGRESS)):
        with app.test_request_context(path):
            united = first_reads._united(_BY_ID, page)
            sent = db.session.connection().execute(united, {"user_id": user.id}).all()
            own = [tuple(values) for values in db.session.connection().execute(page, {"user_id": user.id})]
            with_account = [values for values in sent if values[0] is not None]
            assert len(with_account) == 1, path  # the account's columns once
            assert with_account[0][0] == user.id
            assert all(value is None for value in with_account[0][width:-1])
            assert len(own) >= 1, path
            assert len(sent) == len(own) + 1, path
            assert session_user(f"{user.id}:0") is not None
            kept = first_reads.rows(page, {"user_id": user.id})
            assert sorted(map(tuple, kept), key=repr) == sorted(own, key=repr), path  # same values, same types
            assert [type(v) for v in sorted(kept, key=repr)[0]] == [type(v) for v in sorted(own, key=repr)[0]]
            db.session.remove()


def test_a_page_of_many_rows_for_an_account_that_is_gone_loads_no_one(app, make_user, content):
    """Without the account's row the page's rows are not used: nobody is logged in (as with the joined read)."""
    user = make_user(Role.PATIENT)
    with app.test_request_context("/"):
        assert session_user(f"{user.id + 1000}:0") is None
        assert first_reads._kept(first_reads._READS["catalog.index"].statement, {"user_id": user.id + 1000}) is None
