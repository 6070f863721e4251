"""A module's status reads right everywhere it is shown: a fail is never a green "done", and the learner sees
how many questions were right, not a percentage."""

from __future__ import annotations

import re

import pytest
from helpers import csrf_token

from app import ROOT
from learning.accounts.models import Role
from learning.content.document import Quiz
from learning.content.loader import load_module_folder

SLUG = "elke-dag-wegen-hartfalen"
MODULE = f"/modules/{SLUG}"


def take_module(client, *, right: bool) -> int:
    """Walk the module answering every question right or wrong; return the number of judged questions."""
    document = load_module_folder(ROOT / "modules_content" / SLUG)["nl"]
    client.post(f"{MODULE}/start", data={"csrf_token": csrf_token(client, f"{MODULE}/")})
    token = csrf_token(client, "/")
    for step in document.steps:
        client.get(f"{MODULE}/step/{step.number}")
        for item in step.items:
            if isinstance(item, Quiz):
                wrong = [str(i) for i in range(len(item.choices)) if i not in item.correct_indexes][:1]
                choice = [str(i) for i in item.correct_indexes] if right else wrong
            else:
                choice = ["4"]
            assert (
                client.post(f"{MODULE}/item/{item.id}", data={"choice": choice, "csrf_token": token}).status_code == 302
            )
    assert client.post(f"{MODULE}/finish", data={"csrf_token": token}).status_code == 302
    return len(document.quizzes)


def card_of(page: str) -> str:
    found = re.search(rf'<li class="card">.*?{MODULE}/.*?</li>', page, re.DOTALL)
    assert found, "no card for the module"
    return found.group(0)


OUTCOMES = [(True, "Geslaagd", "✓", "badge-done"), (False, "Nog niet geslaagd", "✗", "badge-failed")]


@pytest.mark.parametrize(("right", "word", "icon", "css"), OUTCOMES)
def test_catalogue_and_progress_say_passed_or_not_with_icon_and_word(
    client, login, make_user, content, right, word, icon, css
):
    login(make_user(Role.PATIENT))
    questions = take_module(client, right=right)
    card = card_of(client.get("/").get_data(as_text=True))
    assert f'class="badge {css}"' in card
    assert f'<span aria-hidden="true">{icon}</span> {word}</span>' in card
    progress = client.get("/progress").get_data(as_text=True)
    assert f'<span aria-hidden="true">{icon}</span> {word}</span>' in progress
    assert "Klaar" not in progress
    assert "%" not in re.sub(r"<style.*?</style>", "", progress, flags=re.DOTALL).split("<main", 1)[1]
    expected_right = questions if right else 0
    assert f"{expected_right} van de {questions} vragen in één keer goed" in progress


@pytest.mark.parametrize(
    ("attempts", "status"),
    [
        ([], "new"),
        ([(None, None)], "started"),
        ([(1, False), (None, None)], "started"),  # an open attempt wins over any finished one
        ([(1, False), (2, True)], "passed"),  # the newest finished attempt counts
        ([(1, True), (2, False)], "not-passed"),
        ([(2, False), (1, True)], "not-passed"),  # by when it finished, not by when it was made
        ([(1, True), (1, False)], "not-passed"),  # finished at the same moment: the later attempt counts
        ([(1, None)], "finished"),  # no judged questions: finished, neither passed nor failed
    ],
)
def test_the_catalogue_reads_a_module_s_status_from_the_learner_s_attempts(app, make_user, content, attempts, status):
    """The catalogue's one query gives each module the learner's standing: open attempt, else the newest finished
    attempt's result. Another learner's attempts never count."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select

    from learning.accounts.models import User
    from learning.catalog.services import get_catalog
    from learning.content.models import Module
    from learning.db import db
    from learning.player.models import Attempt

    learner, other = make_user(Role.PATIENT), make_user(Role.PATIENT)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    with app.test_request_context("/"):
        module = db.session.scalar(select(Module).where(Module.slug == SLUG))
        assert module is not None
        for hours, passed in attempts:
            finished = None if hours is None else start + timedelta(hours=hours)
            db.session.add(Attempt(user_id=learner.id, module_id=module.id, version=module.current_version,
                                   started_at=start, finished_at=finished, passed=passed))  # fmt: skip
        db.session.add(Attempt(user_id=other.id, module_id=module.id, version=module.current_version,
                               started_at=start, finished_at=start, passed=True))  # fmt: skip
        db.session.commit()
        user = db.session.get(User, learner.id)
        assert user is not None
        statuses = {entry.module.slug: entry.status for entry in get_catalog(user, "nl")}
    assert statuses[SLUG] == status
    assert set(statuses.values()) - {status} <= {"new"}  # every other module: never opened
