"""The question blocks beyond choice and likert (true-false, sequencing, matching, fill-in): what each becomes, the
mistakes `flask content check` names with their line, and how an answer to each is judged."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from learning.content.document import Choice, Feedback, FillIn, Matching, Pair, Quiz, Sequencing, TrueFalse
from learning.content.judging import AnswerProblem, example_values, mixed_order, read_answer
from learning.content.loader import ContentError, Problem, load_module_folder, parse_module_file


def problems_of(call, *args) -> list[Problem]:
    with pytest.raises(ContentError) as caught:
        call(*args)
    return caught.value.problems


def write_nl(write_module, text: str) -> Path:
    return write_module(nl=text, en=None) / "nl.md"


BLOCKS = {
    "true-false": """```true-false
id: tf-test
question: "Je stuurt ook een hoge waarde door."
answer: true
feedback:
  right: "Goed. Je team wil alles zien."
  wrong: "Stuur alles door, ook een hoge waarde."
```""",
    "sequencing": """```sequencing
id: seq-test
question: "Zet de stappen in volgorde."
steps: ["Plassen", "Wegen", "Opschrijven"]
feedback: {right: "Zo weeg je goed.", wrong: "Eerst plassen, dan wegen, dan opschrijven."}
```""",
    "matching": """```matching
id: match-test
question: "Wat hoort bij elkaar?"
pairs:
  - {left: "Koude handen", right: "Wrijf ze warm"}
  - {left: "Nagellak", right: "Haal het eraf"}
feedback: {right: "Zo meet je goed.", wrong: "Warme handen en geen nagellak."}
```""",
    "fill-in": """```fill-in
id: fill-test
question: "Welk nummer bel je bij gevaar?"
accepted: ["112", "een een twee"]
feedback: {right: "Bij gevaar bel je 112.", wrong: "Bij gevaar bel je 112."}
```""",
}


def with_block(nl_text: str, block: str) -> str:
    return nl_text.replace("## Tot slot", f"{block}\n\n## Tot slot", 1)


def test_each_block_becomes_its_item(write_module, nl_text):
    text = with_block(nl_text, "\n\n".join(BLOCKS.values()))
    document = parse_module_file(write_nl(write_module, text))
    items = {item.id: item for step in document.steps for item in step.items}
    # the author's "Goed." is taken off: the player says it with its icon
    assert items["tf-test"] == TrueFalse(
        "tf-test", "Je stuurt ook een hoge waarde door.", True,
        Feedback("Je team wil alles zien.", "Stuur alles door, ook een hoge waarde."),
    )  # fmt: skip
    assert items["seq-test"] == Sequencing(
        "seq-test", "Zet de stappen in volgorde.", ("Plassen", "Wegen", "Opschrijven"),
        Feedback("Zo weeg je goed.", "Eerst plassen, dan wegen, dan opschrijven."),
    )  # fmt: skip
    assert isinstance(items["match-test"], Matching)
    assert items["match-test"].pairs == (Pair("Koude handen", "Wrijf ze warm"), Pair("Nagellak", "Haal het eraf"))
    assert isinstance(items["fill-test"], FillIn)
    assert items["fill-test"].accepted == ("112", "een een twee")
    # every judged type counts for the score, likert does not
    assert {type(item) for item in document.quizzes} == {Quiz, TrueFalse, Sequencing, Matching, FillIn}


@pytest.mark.parametrize(
    ("kind", "old", "new", "message"),
    [
        ("true-false", "answer: true", "answer: yes please", "needs 'answer: true' or 'answer: false'"),
        ("true-false", '  wrong: "Stuur alles door', '  wrung: "Stuur alles door', "needs feedback with 'right'"),
        ("true-false", 'right: "Goed. Je team', 'right: "Fout. Je team', "starts by saying the answer is wrong"),
        ("sequencing", '["Plassen", "Wegen", "Opschrijven"]', '["Plassen"]', "needs 2 to 8 steps"),
        ("sequencing", '["Plassen", "Wegen", "Opschrijven"]', '["Wegen", "wegen"]', "same text twice"),
        ("matching", 'right: "Haal het eraf"', 'right: "Wrijf ze warm"', "same right text twice"),
        ("matching", '  - {left: "Nagellak"', '  - {lift: "Nagellak"', "needs 'pairs'"),
        ("fill-in", '["112", "een een twee"]', f'["{"x" * 41}"]', "at most 40 signs"),
        ("fill-in", 'question: "Welk', 'vraag: "Welk', "a fill-in block needs a 'question'"),
        ("fill-in", '["112", "een een twee"]', "[112, yes]", "each in quotes"),  # YAML: yes is true
    ],
)
def test_block_mistakes_are_named_with_their_line(kind, old, new, message, write_module, nl_text, line_of):
    block = BLOCKS[kind]
    assert old in block
    text = with_block(nl_text, block.replace(old, new))
    problems = problems_of(parse_module_file, write_nl(write_module, text))
    assert [p.line for p in problems] == [line_of(text, f"```{kind}")]
    assert message in problems[0].message


def test_an_unknown_block_names_every_known_one(write_module, nl_text):
    problems = problems_of(parse_module_file, write_nl(write_module, with_block(nl_text, "```drag-drop\nid: x\n```")))
    assert "known blocks are quiz, true-false, sequencing, matching, fill-in, likert, video" in problems[0].message


def test_english_with_the_other_answer_to_a_true_false_is_refused(write_module, nl_text, en_text):
    en_block = BLOCKS["true-false"].replace("answer: true", "answer: false").replace("Goed. ", "")
    nl = with_block(nl_text, BLOCKS["true-false"])
    en = en_text.replace("## Finally", f"{en_block}\n\n## Finally", 1)
    assert en != en_text
    problems = problems_of(load_module_folder, write_module(nl=nl, en=en))
    assert any("'tf-test' has other right answers" in p.message for p in problems)


# --- judging an answer ----------------------------------------------------------------------------------------

FEEDBACK = Feedback("why", "what to do")
TF = TrueFalse("tf", "Q", False, FEEDBACK)
SEQ = Sequencing("seq", "Q", ("a", "b", "c"), FEEDBACK)
MATCH = Matching("match", "Q", (Pair("a", "1"), Pair("b", "2"), Pair("c", "3")), FEEDBACK)
FILL = FillIn("fill", "Q", ("112", "Een een twee"), FEEDBACK)


@pytest.mark.parametrize(
    ("item", "values", "stored", "correct"),
    [
        (TF, ["false"], "false", True),
        (TF, ["true"], "true", False),
        (SEQ, ["0", "1", "2"], "0,1,2", True),
        (SEQ, ["2", "1", "0"], "2,1,0", False),
        (MATCH, ["0", "1", "2"], "0,1,2", True),
        (MATCH, ["0", "0", "2"], "0,0,2", False),  # a right text chosen twice is wrong, not a form mistake
        (FILL, [" 112! "], "112", True),
        (FILL, ["EEN  een Twee."], "een een twee", True),
        (FILL, ["mevrouw Jansen"], "", False),  # a wrong typed answer is kept nowhere
    ],
)
def test_answers_are_stored_and_judged(item, values, stored, correct):
    given = read_answer(item, values)
    assert (given.stored, given.correct) == (stored, correct)
    assert given.values == (tuple(values) if not isinstance(item, FillIn) else (values[0].strip(),))


@pytest.mark.parametrize(
    ("item", "values", "code"),
    [
        (TF, [], "choose"),
        (TF, ["maybe"], "choose"),
        (SEQ, ["0", "1"], "choose"),
        (SEQ, ["0", "", "2"], "choose"),
        (SEQ, ["0", "0", "2"], "each-once"),
        (SEQ, ["0", "1", "7"], "choose"),
        (MATCH, ["0", "x", "2"], "choose"),
        (FILL, ["  . "], "type"),
        (FILL, ["1" * 61], "too-long"),
    ],
)
def test_answers_that_cannot_be_judged_say_what_to_do(item, values, code):
    with pytest.raises(AnswerProblem) as caught:
        read_answer(item, values)
    assert caught.value.code == code


def test_the_mixed_order_is_fixed_per_item_and_never_the_right_one():
    for size in range(2, 9):
        for item_id in ("a", "b", "bp-order-of-steps", "oximeter-before-measuring"):
            order = mixed_order(item_id, size)
            assert sorted(order) == list(range(size))
            assert order != list(range(size))
            assert order == mixed_order(item_id, size)


MULTI = Quiz("q", "Q", (Choice("a", True, ""), Choice("b", False, ""), Choice("c", True, "")))


@pytest.mark.parametrize("item", [TF, SEQ, MATCH, FILL, MULTI])
def test_the_demo_gives_right_and_wrong_answers_of_every_type(item):
    rng = random.Random(7)
    assert read_answer(item, example_values(item, True, rng)).correct is True
    assert read_answer(item, example_values(item, False, rng)).correct is False


def test_true_false_feedback_may_answer_the_statement_with_ja_or_nee(write_module, nl_text):
    block = (
        BLOCKS["true-false"]
        .replace("answer: true", "answer: false")
        .replace('right: "Goed. Je team wil alles zien."', 'right: "Nee. Je belt eerst je team."')
        .replace('wrong: "Stuur alles door, ook een hoge waarde."', 'wrong: "Ja, dat denken veel mensen."')
    )
    document = parse_module_file(write_nl(write_module, with_block(nl_text, block)))
    item = next(i for step in document.steps for i in step.items if i.id == "tf-test")
    assert isinstance(item, TrueFalse)
    assert item.feedback == Feedback("Nee. Je belt eerst je team.", "Ja, dat denken veel mensen.")
