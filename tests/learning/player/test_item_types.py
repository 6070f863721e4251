"""Every question type of the real modules, answered through the app: the feedback in the page, the answer kept on
a mistake, and the `answered` statement in our own LRS with the right interactionType, correctResponsesPattern and
response (xAPI 1.0.3 Data §2.4.4.1)."""

from __future__ import annotations

import functools
import re

import pytest
from helpers import csrf_token

from app import ROOT
from learning.accounts.models import Role
from learning.content.document import FillIn, Item, Matching, Sequencing, TrueFalse, interaction_type
from learning.content.hyphenation import strip_soft_hyphens
from learning.content.loader import load_module_folder

ANSWERED = "http://adlnet.gov/expapi/verbs/answered"


@functools.cache  # parsing every module for each of the many tests that ask would cost seconds
def find(kind: type) -> tuple[str, int, Item]:
    """(module slug, step number, item) of the first item of this type in modules_content/."""
    for folder in sorted((ROOT / "modules_content").iterdir()):
        if not (folder / "nl.md").is_file():
            continue
        document = load_module_folder(folder)["nl"]
        for step in document.steps:
            for item in step.items:
                if isinstance(item, kind):
                    return folder.name, step.number, item
    raise AssertionError(f"no module uses {kind.__name__}: the catalogue must demonstrate every type")


def open_step(client, slug: str, number: int) -> str:
    module = f"/modules/{slug}"
    assert client.post(f"{module}/start", data={"csrf_token": csrf_token(client, f"{module}/")}).status_code == 302
    return client.get(f"{module}/step/{number}").get_data(as_text=True)


def answer(client, slug: str, item_id: str, values: list[str]):
    data = {"choice": values, "csrf_token": csrf_token(client, "/")}
    return client.post(f"/modules/{slug}/item/{item_id}", data=data, headers={"HX-Request": "true"})


def answered_statement(client, lrs_auth, slug: str, item_id: str) -> dict:
    query = {"verb": ANSWERED, "activity": f"https://vtc.test/xapi/module/{slug}/item/{item_id}"}
    statements = client.get("/xapi/statements", query_string=query, headers=lrs_auth).json["statements"]
    assert len(statements) == 1, statements
    return statements[0]


def right_values(item: Item) -> list[str]:
    if isinstance(item, TrueFalse):
        return ["true" if item.answer else "false"]
    if isinstance(item, Sequencing):
        return [str(i) for i in range(len(item.steps))]
    if isinstance(item, Matching):
        return [str(i) for i in range(len(item.pairs))]
    assert isinstance(item, FillIn)
    return [f"  {item.accepted[0].upper()}. "]  # case, spaces and an end mark do not count


def wrong_values(item: Item) -> list[str]:
    if isinstance(item, TrueFalse):
        return ["false" if item.answer else "true"]
    if isinstance(item, Sequencing | Matching):
        size = len(item.steps) if isinstance(item, Sequencing) else len(item.pairs)
        return [str(i) for i in [1, 0, *range(2, size)]]
    return ["weet ik niet"]


@pytest.mark.parametrize("kind", [TrueFalse, Sequencing, Matching, FillIn])
def test_a_right_answer_is_judged_right_and_reported_in_the_spec_format(kind, client, login, make_user, content,
                                                                        lrs_auth):  # fmt: skip
    slug, number, item = find(kind)
    login(make_user(Role.PROFESSIONAL if slug.startswith("veilig") else Role.PATIENT))
    html = open_step(client, slug, number)
    assert f'id="item-{item.id}"' in html

    response = answer(client, slug, item.id, right_values(item))

    assert response.status_code == 200
    body = strip_soft_hyphens(response.get_data(as_text=True))  # long words carry soft hyphens for line breaks
    assert "✓</span> Goed.</strong>" in body
    assert item.feedback.right in body  # type: ignore[union-attr]
    statement = answered_statement(client, lrs_auth, slug, item.id)
    definition = statement["object"]["definition"]
    assert definition["interactionType"] == interaction_type(item)
    assert statement["result"]["success"] is True
    if isinstance(item, TrueFalse):
        assert definition["correctResponsesPattern"] == [str(item.answer).lower()]
        assert statement["result"]["response"] == str(item.answer).lower()
    elif isinstance(item, Sequencing):
        order = "[,]".join(f"step-{i}" for i in range(len(item.steps)))
        assert definition["correctResponsesPattern"] == [order]
        assert statement["result"]["response"] == order
        assert [c["description"]["nl-NL"] for c in definition["choices"]] == list(item.steps)
        assert "en-US" in definition["choices"][0]["description"]
    elif isinstance(item, Matching):
        pairs = "[,]".join(f"left-{i}[.]right-{i}" for i in range(len(item.pairs)))
        assert definition["correctResponsesPattern"] == [pairs]
        assert statement["result"]["response"] == pairs
        assert [s["description"]["nl-NL"] for s in definition["source"]] == [p.left for p in item.pairs]
        assert [t["description"]["nl-NL"] for t in definition["target"]] == [p.right for p in item.pairs]
    else:
        assert f"{{case_matters=false}}{item.accepted[0]}" in definition["correctResponsesPattern"]  # type: ignore[union-attr]
        assert statement["result"]["response"] == item.accepted[0].lower()  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", [TrueFalse, Sequencing, Matching, FillIn])
def test_a_wrong_answer_teaches_the_right_one(kind, client, login, make_user, content, lrs_auth):
    slug, number, item = find(kind)
    login(make_user(Role.PROFESSIONAL if slug.startswith("veilig") else Role.PATIENT))
    open_step(client, slug, number)

    body = strip_soft_hyphens(answer(client, slug, item.id, wrong_values(item)).get_data(as_text=True))

    assert "✗</span> Niet goed.</strong>" in body
    assert item.feedback.wrong in body  # type: ignore[union-attr]
    if isinstance(item, Sequencing):
        assert "De goede volgorde:" in body
        right_order = '<ol class="missed" lang="nl">' + "".join(f"<li>{text}</li>" for text in item.steps) + "</ol>"
        assert right_order in body
    elif isinstance(item, Matching):
        assert "Dit hoort bij elkaar:" in body
    elif isinstance(item, FillIn):
        assert f'Een goed antwoord is: <span lang="nl">{item.accepted[0]}</span>' in body
    statement = answered_statement(client, lrs_auth, slug, item.id)
    assert statement["result"]["success"] is False
    if isinstance(item, FillIn):
        assert statement["result"]["response"] == ""  # text a learner typed freely never reaches the LRS
    elif isinstance(item, Sequencing):
        assert statement["result"]["response"].startswith("step-1[,]step-0[,]")


def test_a_step_placed_twice_is_refused_with_a_message_and_the_choices_kept(client, login, make_user, content,
                                                                              lrs_auth):  # fmt: skip
    slug, number, item = find(Sequencing)
    login(make_user(Role.PATIENT))
    open_step(client, slug, number)
    size = len(item.steps)  # type: ignore[union-attr]
    values = ["0", "0", *[str(i) for i in range(2, size)]]

    response = answer(client, slug, item.id, values)

    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert 'role="alert"' in body
    assert "Gebruik elke stap één keer" in body
    selected = re.findall(r'<option lang="nl" value="(\d+)" selected>', body)
    assert selected == values  # every select keeps what the learner chose
    query = {"verb": ANSWERED, "activity": f"https://vtc.test/xapi/module/{slug}/item/{item.id}"}
    assert client.get("/xapi/statements", query_string=query, headers=lrs_auth).json["statements"] == []


@pytest.mark.parametrize("kind", [TrueFalse, Sequencing, Matching, FillIn])
def test_nothing_chosen_is_refused_with_a_message(kind, client, login, make_user, content):
    slug, number, item = find(kind)
    login(make_user(Role.PROFESSIONAL if slug.startswith("veilig") else Role.PATIENT))
    open_step(client, slug, number)
    empty = [""] * (len(item.steps) if isinstance(item, Sequencing) else 1)  # type: ignore[union-attr]

    response = answer(client, slug, item.id, empty)

    assert response.status_code == 400
    expected = "Typ eerst een antwoord." if isinstance(item, FillIn) else "Kies eerst een antwoord."
    assert expected in response.get_data(as_text=True)


def test_a_typed_answer_is_kept_on_a_mistake(client, login, make_user, content):
    slug, number, item = find(FillIn)
    login(make_user(Role.PROFESSIONAL))
    open_step(client, slug, number)

    response = answer(client, slug, item.id, ["7" * 61])

    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Je antwoord is te lang" in body
    assert 'value="' + "7" * 61 + '"' in body


def test_in_a_german_interface_the_english_question_is_marked_english(client, login, make_user, content):
    """German gets the English text: voices and screen readers must read it as English, the labels as German."""
    slug, number, item = find(Sequencing)
    login(make_user(Role.PATIENT))
    open_step(client, slug, number)
    client.post("/language/de", data={"csrf_token": csrf_token(client, "/"), "next": "/"})
    html = client.get(f"/modules/{slug}/step/{number}").get_data(as_text=True)
    assert '<html lang="de"' in html
    assert f'<legend id="q-{item.id}" lang="en">' in html
    assert '<ul class="parts" lang="en"' in html
    assert "<span>Schritt 1</span>" in html  # a label of the interface: the page's language
