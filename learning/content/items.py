"""Parse the question blocks of a module (```quiz```, ```true-false```, ```sequencing```, ```matching```,
```fill-in```, ```likert```) into items, reporting every mistake with its line.

The block name is the xAPI interaction type (quiz stays the name for `choice`), so an author, the player and the
statements use one word for one kind of question. The syntax of each block is in modules_content/README.md §5.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import yaml
from markdown_it.token import Token

from learning.content.document import (
    Choice,
    Feedback,
    FillIn,
    Item,
    Likert,
    Matching,
    Pair,
    Quiz,
    Sequencing,
    TrueFalse,
)

ITEM_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
FILL_IN_MAX = 40  # an accepted answer is a word, a number or a short phrase; the input allows a little more
Report = Callable[[int, str], None]

# A verdict the player already shows beside the feedback with its icon ("✓ Goed."): an author's own "Goed." at the
# start would be read twice ("Goed. Goed."), so it is taken off, and it must agree with whether the choice is right.
_RIGHT_WORDS = {"goed", "heel goed", "klopt", "juist", "prima", "ja", "right", "correct", "well done", "yes"}
_WRONG_WORDS = {"nee", "niet goed", "fout", "helaas", "no", "wrong", "not right"}
_VERDICT = re.compile(r"^\s*([A-Za-z][A-Za-z ]{0,12})[.!]\s+(?=\S)")


@lru_cache(maxsize=1024)
def _parsed_yaml(text: str) -> Any:
    try:
        if yaml.__with_libyaml__:  # libyaml's safe loader: the same YAML, parsed about ten times faster
            return yaml.load(text, Loader=yaml.CSafeLoader)
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return yaml.safe_load(text)  # raises again with the pure-Python parser's wording and marks, as always


def load_yaml(text: str) -> Any:
    """`yaml.safe_load` for module text: fast, and remembered per text.

    The web editor's live preview parses a whole module after every pause in typing; only the block being typed
    changed, so every other block and the front matter come from this cache. A copy is returned: callers may
    change what they get. Errors are raised by PyYAML's own parser, so messages and lines stay what they were.
    """
    return copy.deepcopy(_parsed_yaml(text))


def yaml_problem(exc: yaml.YAMLError) -> tuple[int, str]:
    """(0-based line within the YAML text, one-line message without PyYAML's own relative positions)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    text = getattr(exc, "problem", None) or getattr(exc, "context", None) or "cannot be read"
    return (mark.line if mark else 0), str(text)


# In a true-false item these words judge the statement ("Nee. Je belt eerst je team."), not the learner's answer.
_STATEMENT_WORDS = {"ja", "nee", "klopt", "yes", "no"}


def split_verdict(text: str, *, statement: bool = False) -> tuple[bool | None, str]:
    """Return (True for a leading "Goed." / False for "Nee." / None, the text without it).

    With `statement` (true-false feedback) "Ja."/"Nee."/"Klopt." are kept: there they answer the statement.
    """
    match = _VERDICT.match(text)
    if match is None:
        return None, text.strip()
    word = match.group(1).strip().lower()
    if statement and word in _STATEMENT_WORDS:
        return None, text.strip()
    if word in _RIGHT_WORDS:
        return True, text[match.end() :].strip()
    if word in _WRONG_WORDS:
        return False, text[match.end() :].strip()
    return None, text.strip()


def _feedback_text(
    value: object, correct: bool, line: int, report: Report, where: str, *, statement: bool = False
) -> str:
    text = str(value or "").strip()
    verdict, rest = split_verdict(text, statement=statement)
    if verdict is not None and verdict != correct:
        said = "right" if verdict else "wrong"
        report(line, f"{where} starts by saying the answer is {said}, but it is not: fix the feedback or the answer")
    return rest


def _feedback(data: dict[str, Any], line: int, report: Report, *, statement: bool = False) -> Feedback:
    raw = data.get("feedback")
    if not isinstance(raw, dict) or not all(isinstance(raw.get(k), str) and raw[k].strip() for k in ("right", "wrong")):
        report(line, f"'{data['id']}' needs feedback with 'right' and 'wrong' texts that say why")
        return Feedback("", "")
    right = _feedback_text(raw["right"], True, line, report, "the 'right' feedback", statement=statement)
    wrong = _feedback_text(raw["wrong"], False, line, report, "the 'wrong' feedback", statement=statement)
    return Feedback(right, wrong)


def _texts(data: dict[str, Any], key: str, low: int, high: int, line: int, report: Report) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        # YAML reads an unquoted yes, no, on or 010 as true, false, true and 8: every text must be quoted
        report(line, f"'{data['id']}' needs '{key}': a list of texts, each in quotes (\"112\", \"ja\")")
        return ()
    texts = tuple(str(v).strip() for v in value)
    if not low <= len(texts) <= high:
        report(line, f"'{data['id']}' needs {low} to {high} {key}")
    if len({t.casefold() for t in texts}) != len(texts):
        report(line, f"'{data['id']}' has the same text twice in '{key}'")
    return texts


def _silent(_line: int, _message: str) -> None:
    """A report that drops what it is told."""


def _quiz(data: dict[str, Any], line: int, report: Report) -> Quiz | None:
    raw_choices = data.get("choices")
    if not isinstance(raw_choices, list):
        report(line, "a quiz needs a 'question' and a list of 'choices'")
        return None
    if not 2 <= len(raw_choices) <= 5:
        report(line, "a quiz needs 2 to 5 choices")
    usable = [c for c in raw_choices if isinstance(c, dict) and isinstance(c.get("text"), str)]
    if len(usable) != len(raw_choices):
        report(line, "each quiz choice needs a 'text'")
    if usable and not any(c.get("correct") is True for c in usable):
        report(line, f"quiz '{data['id']}' has no correct answer: mark one choice with 'correct: true'")
        report = _silent  # the feedback's "Goed." then contradicts nothing the author meant
    choices = []
    for choice in usable:
        correct = choice.get("correct") is True
        feedback = _feedback_text(choice.get("feedback", ""), correct, line, report, f"feedback on '{choice['text']}'")
        choices.append(Choice(str(choice["text"]), correct, feedback))
    return Quiz(id=data["id"], question=data["question"], choices=tuple(choices))


def _true_false(data: dict[str, Any], line: int, report: Report) -> TrueFalse | None:
    answer = data.get("answer")
    if not isinstance(answer, bool):
        report(line, f"'{data['id']}' needs 'answer: true' or 'answer: false'")
        return None
    return TrueFalse(data["id"], data["question"], answer, _feedback(data, line, report, statement=True))


def _sequencing(data: dict[str, Any], line: int, report: Report) -> Sequencing:
    steps = _texts(data, "steps", 2, 8, line, report)
    return Sequencing(data["id"], data["question"], steps, _feedback(data, line, report))


def _matching(data: dict[str, Any], line: int, report: Report) -> Matching:
    raw = data.get("pairs")
    pairs: list[Pair] = []
    if not isinstance(raw, list) or not all(
        isinstance(p, dict) and isinstance(p.get("left"), str) and isinstance(p.get("right"), str) for p in raw
    ):
        report(line, f"'{data['id']}' needs 'pairs': a list of 'left' and 'right' texts")
    else:
        pairs = [Pair(p["left"].strip(), p["right"].strip()) for p in raw]
        if not 2 <= len(pairs) <= 6:
            report(line, f"'{data['id']}' needs 2 to 6 pairs")
        for side in ("left", "right"):
            texts = [getattr(p, side).casefold() for p in pairs]
            if len(set(texts)) != len(texts):
                report(line, f"'{data['id']}' has the same {side} text twice: each must be different")
    return Matching(data["id"], data["question"], tuple(pairs), _feedback(data, line, report))


def normalise_answer(text: str) -> str:
    """The form in which a typed answer is compared: case, inner spaces and end marks do not count."""
    return " ".join(text.casefold().split()).strip(" .!?,;:")


def _fill_in(data: dict[str, Any], line: int, report: Report) -> FillIn:
    accepted = _texts(data, "accepted", 1, 10, line, report)
    for variant in accepted:
        if len(variant) > FILL_IN_MAX or not normalise_answer(variant):
            report(line, f"accepted answer '{variant}' must be a word, number or phrase of at most {FILL_IN_MAX} signs")
    return FillIn(data["id"], data["question"], accepted, _feedback(data, line, report))


_PARSERS: dict[str, Callable[[dict[str, Any], int, Report], Item | None]] = {
    "quiz": _quiz,
    "true-false": _true_false,
    "sequencing": _sequencing,
    "matching": _matching,
    "fill-in": _fill_in,
    "likert": lambda data, _line, _report: Likert(id=data["id"], question=data["question"]),
}
ITEM_BLOCKS = tuple(_PARSERS)


def parse_item(token: Token, line: int, report: Report) -> Item | None:
    """Parse one question block; None (with the problems reported) when it cannot be used."""
    kind = token.info.strip()
    try:
        data = load_yaml(token.content)
    except yaml.YAMLError as exc:
        offset, problem = yaml_problem(exc)
        report(line + 1 + offset, f"the {kind} block is not valid YAML: {problem}")
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not ITEM_ID.match(data["id"]):
        report(line, "the block needs an 'id' of lower-case letters, digits and dashes")
        return None
    if not isinstance(data.get("question"), str) or not data["question"].strip():
        report(line, f"a {kind} block needs a 'question'")
        return None
    return _PARSERS[kind](data, line, report)


def same_answers(item: Item, other: Item) -> bool:
    """Whether two language versions of an item are judged alike (xAPI names answers by position)."""
    if type(item) is not type(other):
        return False
    if isinstance(item, Quiz) and isinstance(other, Quiz):
        return item.correct_indexes == other.correct_indexes and len(item.choices) == len(other.choices)
    if isinstance(item, TrueFalse) and isinstance(other, TrueFalse):
        return item.answer == other.answer
    if isinstance(item, Sequencing) and isinstance(other, Sequencing):
        return len(item.steps) == len(other.steps)
    if isinstance(item, Matching) and isinstance(other, Matching):
        return len(item.pairs) == len(other.pairs)
    return True
