"""The same first answer sent several times at once (a double tap, an offline queue replaying while the page also
sends it) is recorded once, and every request gets an answer, never a server error."""

from __future__ import annotations

import threading

import pytest
from helpers import http_learner_in_module, http_post
from sqlalchemy import func, select

from app import ROOT
from learning.accounts.models import Role
from learning.content.document import Quiz
from learning.content.loader import load_module_folder
from learning.db import db
from learning.player.models import AttemptAnswer
from learning.tracking.models import OutboxStatement

SLUG = "elke-dag-wegen-hartfalen"
AT_ONCE = 8


@pytest.fixture
def app_config(app_config):
    """Plain HTTP on loopback: the cookie jar would not send a Secure session cookie back."""
    return {**app_config, "SESSION_COOKIE_SECURE": False}


def test_a_first_answer_sent_eight_times_at_once_counts_once(live_server, make_user, content, lrs_auth):
    base = live_server.url
    opener, token = http_learner_in_module(base, make_user(Role.PATIENT).email, SLUG)
    document = load_module_folder(ROOT / "modules_content" / SLUG)["nl"]
    quizzes = [item for step in document.steps for item in step.items if isinstance(item, Quiz)]
    statuses: list[int] = []
    for quiz in quizzes[:3]:  # a race may be missed once; three rounds make a miss unlikely
        answer = {"csrf_token": token, "choice": [str(i) for i in quiz.correct_indexes]}
        start = threading.Barrier(AT_ONCE)

        def send(quiz_id: str = quiz.id, data: dict = answer, barrier: threading.Barrier = start) -> None:
            barrier.wait()
            statuses.append(http_post(opener, f"{base}/modules/{SLUG}/item/{quiz_id}", data)[0])

        threads = [threading.Thread(target=send) for _ in range(AT_ONCE)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert sorted(set(statuses)) == [200]
    with live_server.app.app_context():
        answers = db.session.scalar(select(func.count()).select_from(AttemptAnswer))
        answered = [
            row
            for row in db.session.scalars(select(OutboxStatement.payload)).all()
            if '"answered"' in row or "verbs/answered" in row
        ]
    assert answers == 3
    assert answered == []  # delivered: none left behind in the outbox
    # Exactly one `answered` statement per question reached the LRS.
    lrs_answers = _answered_in_lrs(live_server, lrs_auth)
    assert sorted(lrs_answers) == sorted(q.id for q in quizzes[:3])


def _answered_in_lrs(live_server, headers: dict[str, str]) -> list[str]:
    """The item ids of the stored `answered` statements, read over the LRS's own xAPI."""
    client = live_server.app.test_client()
    verb = "http://adlnet.gov/expapi/verbs/answered"
    found = client.get("/xapi/statements", query_string={"verb": verb, "limit": 100}, headers=headers).json
    return [s["object"]["id"].rsplit("/item/", 1)[1] for s in found["statements"]]
