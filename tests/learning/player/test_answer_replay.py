"""An answer queued offline carries an id fixed on the device; sending it twice is one statement with that id.

Plain HTTP against the live server, the LRS read over its own xAPI: the replay gets 200 and the same feedback.
"""

from __future__ import annotations

import re
import urllib.request
import uuid
from datetime import UTC, datetime

import pytest
from helpers import http_learner_in_module, http_post
from sqlalchemy import select

from app import ROOT
from learning.accounts.models import Role
from learning.content.document import Quiz
from learning.content.loader import load_module_folder
from learning.db import db
from learning.player.models import Attempt
from learning.tracking import outbox
from learning.tracking.statements import device_statement_id

SLUG = "elke-dag-wegen-hartfalen"
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"


@pytest.fixture
def app_config(app_config):
    """Plain HTTP on loopback: the cookie jar would not send a Secure session cookie back."""
    return {**app_config, "SESSION_COOKIE_SECURE": False}


@pytest.fixture
def learner(live_server, make_user, content) -> tuple[urllib.request.OpenerDirector, str]:
    """A logged-in patient with the module started, and a fresh CSRF token."""
    return http_learner_in_module(live_server.url, make_user(Role.PATIENT).email, SLUG)


def first_quiz() -> Quiz:
    document = load_module_folder(ROOT / "modules_content" / SLUG)["nl"]
    return next(item for step in document.steps for item in step.items if isinstance(item, Quiz))


def answered(live_server, headers: dict[str, str]) -> list[dict]:
    client = live_server.app.test_client()
    found = client.get("/xapi/statements", query_string={"verb": ANSWERED, "limit": 100}, headers=headers).json
    return list(found["statements"])


def test_the_same_answer_id_sent_twice_is_one_statement_with_that_id(live_server, learner, content, lrs_auth):
    opener, token = learner
    quiz = first_quiz()
    answer_id = str(uuid.uuid4())
    data = {"csrf_token": token, "choice": [str(i) for i in quiz.correct_indexes], "answer_id": answer_id}
    url = f"{live_server.url}/modules/{SLUG}/item/{quiz.id}"
    first = http_post(opener, url, data)
    replay = http_post(opener, url, data)
    assert first[0] == replay[0] == 200
    feedback = re.compile(r'<div class="feedback".*?</div>', re.S)
    assert feedback.search(first[1]).group(0) == feedback.search(replay[1]).group(0)  # type: ignore[union-attr]
    statements = answered(live_server, lrs_auth)
    assert len(statements) == 1
    actor, activity = statements[0]["actor"]["account"]["name"], statements[0]["object"]["id"]
    assert statements[0]["id"] == device_statement_id(
        answer_id, actor, statements[0]["context"]["registration"], activity
    )  # derived from the device's id


def test_an_answer_id_that_is_not_a_uuid_is_refused(live_server, learner, content, lrs_auth):
    opener, token = learner
    quiz = first_quiz()
    data = {"csrf_token": token, "choice": [str(quiz.correct_indexes[0])], "answer_id": "not-a-uuid"}
    status, _body = http_post(opener, f"{live_server.url}/modules/{SLUG}/item/{quiz.id}", data)
    assert status == 400
    assert answered(live_server, lrs_auth) == []


def test_one_answer_id_in_two_attempts_is_two_statements_and_holds_nothing_up(live_server, learner, content, lrs_auth):
    """The same device id replayed into a later attempt (a second device, a lost response) is another statement;
    were it the same id with other content, the LRS would refuse it and every statement after it would wait."""
    opener, token = learner
    quiz = first_quiz()
    data = {"csrf_token": token, "choice": [str(i) for i in quiz.correct_indexes], "answer_id": str(uuid.uuid4())}
    url = f"{live_server.url}/modules/{SLUG}/item/{quiz.id}"
    assert http_post(opener, url, data)[0] == 200
    with live_server.app.app_context():
        db.session.scalars(select(Attempt)).one().finished_at = datetime.now(UTC)  # finished, then started again
        db.session.commit()
    assert http_post(opener, f"{live_server.url}/modules/{SLUG}/start", {"csrf_token": token})[0] < 400
    assert http_post(opener, url, data)[0] == 200

    statements = answered(live_server, lrs_auth)
    assert len({s["id"] for s in statements}) == len({s["context"]["registration"] for s in statements}) == 2
    with live_server.app.app_context():
        assert outbox.pending_count() == 0


def test_an_answer_from_an_earlier_try_of_the_module_is_refused_and_says_to_reload(
    live_server, learner, content, lrs_auth
):
    opener, token = learner
    quiz = first_quiz()
    data = {"csrf_token": token, "choice": [str(quiz.correct_indexes[0])], "registration": str(uuid.uuid4())}
    status, body = http_post(opener, f"{live_server.url}/modules/{SLUG}/item/{quiz.id}", data)
    assert status == 409
    assert 'role="alert"' in body
    assert "Laad de pagina opnieuw" in body
    assert answered(live_server, lrs_auth) == []
