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
