"""Questions, choices and feedback reach the page with soft hyphens in their long words, like the step text."""

from __future__ import annotations

from helpers import csrf_token
from markupsafe import escape

from app import ROOT
from learning.accounts.models import Role
from learning.content.document import Quiz
from learning.content.hyphenation import SOFT_HYPHEN, hyphenate_text
from learning.content.loader import load_module_folder


def long_worded_quiz() -> tuple[str, int, Quiz]:
    """A patient module's quiz whose question and first choice's feedback both hold a word that gets hyphenated."""
    for folder in sorted((ROOT / "modules_content").iterdir()):
        if not (folder / "nl.md").is_file():
            continue
        document = load_module_folder(folder)["nl"]
        if "patient" not in document.audiences:
            continue
        for step in document.steps:
            for item in step.items:
                texts = [item.question, item.choices[0].feedback] if isinstance(item, Quiz) else []
                if texts and all(SOFT_HYPHEN in hyphenate_text(text, "nl") for text in texts):
                    return folder.name, step.number, item
    raise AssertionError("no patient quiz with long words: pick another example")


def open_step(client, slug: str, number: int) -> str:
    module = f"/modules/{slug}"
    assert client.post(f"{module}/start", data={"csrf_token": csrf_token(client, f"{module}/")}).status_code == 302
    return client.get(f"{module}/step/{number}").get_data(as_text=True)


def answer(client, slug: str, item_id: str, values: list[str]) -> str:
    data = {"choice": values, "csrf_token": csrf_token(client, "/")}
    response = client.post(f"/modules/{slug}/item/{item_id}", data=data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def shown(text: str, language: str = "nl") -> str:
    return str(escape(hyphenate_text(text, language)))


def test_question_choices_and_feedback_are_hyphenated_in_the_page(client, login, make_user, content):
    slug, number, quiz = long_worded_quiz()
    login(make_user(Role.PATIENT))

    page = open_step(client, slug, number)
    feedback = answer(client, slug, quiz.id, ["0"])

    assert shown(quiz.question) in page
    for choice in quiz.choices:
        assert f">{shown(choice.text)}</span>" in page
    assert shown(quiz.choices[0].feedback) in feedback
    assert SOFT_HYPHEN in shown(quiz.question)


def test_feedback_in_a_german_interface_is_hyphenated_as_the_english_text_it_is(client, login, make_user, content):
    """A German interface gets the English text (German falls back to English): English patterns for it, not German.

    The answer view must hand the text's language to the template; the interface language would be wrong here.
    """
    slug, number, quiz = long_worded_quiz()
    english = load_module_folder(ROOT / "modules_content" / slug)["en"].item(quiz.id)
    assert isinstance(english, Quiz)
    feedback = english.choices[0].feedback
    assert shown(feedback, "en") != shown(feedback, "de"), "pick a feedback the two languages hyphenate apart"
    login(make_user(Role.PATIENT, locale="de"))

    open_step(client, slug, number)
    fragment = answer(client, slug, quiz.id, ["0"])

    assert "Antwort prüfen" in fragment  # the interface is German
    assert shown(feedback, "en") in fragment
