"""Read a learner's answer to any item from the values a form sends, and judge it. Pure: no Flask, no database.

Every item form sends its answer in fields named `choice`, in page order:
- choice (```quiz```): the index of each ticked choice;
- likert: one value 1-5;
- true-false: `true` or `false`;
- sequencing: one select per place (1st, 2nd …), each naming the index of the step put there;
- matching: one select per left text (author's order), each naming the index of the right text chosen;
- fill-in: the typed text.
So an answer queued offline (offline.js replays the form's fields) is read the same way as one sent at once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from learning.content.document import FillIn, Item, Judged, Likert, Matching, Quiz, Sequencing, TrueFalse
from learning.content.items import normalise_answer

TYPED_MAX = 60  # the fill-in input's maxlength; the stored response column holds 64
STORED_MAX = 64


class AnswerProblem(ValueError):
    """An answer the player cannot judge; `code` names what the learner must do (the view words it)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code  # "choose", "choose-one", "each-once", "too-long", "type"


@dataclass(frozen=True)
class Given:
    """One answer as the learner gave it (`values`, to show it again) and as it is stored and judged."""

    values: tuple[str, ...]
    stored: str
    correct: bool | None

    @property
    def chosen(self) -> tuple[int, ...]:
        """The indexes the answer names (choice, likert, sequencing, matching); empty for true-false and fill-in."""
        return tuple(int(v) for v in self.values if v.isdigit())


def _indexes(raw: list[str], size: int) -> list[int]:
    if any(not value.strip() for value in raw):
        raise AnswerProblem("choose")
    try:
        found = [int(value) for value in raw]
    except ValueError:
        raise AnswerProblem("choose") from None
    if any(not 0 <= index < size for index in found):
        raise AnswerProblem("choose")
    return found


def _read_choice(item: Quiz, raw: list[str]) -> Given:
    chosen = sorted(set(_indexes(raw, len(item.choices))))
    if not chosen:
        raise AnswerProblem("choose")
    if len(item.correct_indexes) == 1 and len(chosen) != 1:
        raise AnswerProblem("choose-one")
    stored = ",".join(map(str, chosen))
    return Given(tuple(map(str, chosen)), stored, tuple(chosen) == item.correct_indexes)


def _read_likert(raw: list[str]) -> Given:
    if len(raw) != 1 or raw[0] not in {"1", "2", "3", "4", "5"}:
        raise AnswerProblem("choose")
    return Given((raw[0],), raw[0], None)


def _read_true_false(item: TrueFalse, raw: list[str]) -> Given:
    if len(raw) != 1 or raw[0] not in {"true", "false"}:
        raise AnswerProblem("choose")
    return Given((raw[0],), raw[0], (raw[0] == "true") == item.answer)


def _read_order(raw: list[str], size: int, *, unique: bool) -> list[int]:
    if len(raw) != size:
        raise AnswerProblem("choose")
    found = _indexes(raw, size)
    if unique and len(set(found)) != size:
        raise AnswerProblem("each-once")
    return found


def _read_sequencing(item: Sequencing, raw: list[str]) -> Given:
    order = _read_order(raw, len(item.steps), unique=True)
    return Given(tuple(map(str, order)), ",".join(map(str, order)), order == list(range(len(item.steps))))


def _read_matching(item: Matching, raw: list[str]) -> Given:
    # A right text may be chosen twice: that is a wrong answer, not a form mistake, and it gets feedback.
    targets = _read_order(raw, len(item.pairs), unique=False)
    return Given(tuple(map(str, targets)), ",".join(map(str, targets)), targets == list(range(len(item.pairs))))


def _read_fill_in(item: FillIn, raw: list[str]) -> Given:
    """A right answer is stored as its normalised form; a wrong one as "" (what a learner types freely could name
    a person or a condition, so it is shown back once and never kept: docs/privacy.md)."""
    typed = " ".join(raw).strip()
    if not normalise_answer(typed):
        raise AnswerProblem("type")
    if len(typed) > TYPED_MAX:
        raise AnswerProblem("too-long")
    normalised = normalise_answer(typed)
    right = normalised in {normalise_answer(v) for v in item.accepted}
    return Given((typed,), normalised[:STORED_MAX] if right else "", right)


def read_answer(item: Item, raw: list[str]) -> Given:
    """Judge the form values of one item.

    :raises AnswerProblem: when nothing (or not enough) was chosen, or a step was placed twice.
    """
    if isinstance(item, Quiz):
        return _read_choice(item, raw)
    if isinstance(item, Likert):
        return _read_likert(raw)
    if isinstance(item, TrueFalse):
        return _read_true_false(item, raw)
    if isinstance(item, Sequencing):
        return _read_sequencing(item, raw)
    if isinstance(item, Matching):
        return _read_matching(item, raw)
    return _read_fill_in(item, raw)


def stored_values(item: Item, stored: str) -> tuple[str, ...]:
    """The form values a stored answer came from (to show a counted answer again; fill-in shows its text)."""
    if isinstance(item, FillIn):
        return (stored,)
    return tuple(value for value in stored.split(",") if value)


def mixed_order(item_id: str, size: int) -> list[int]:
    """A fixed order, never the right one, in which the player offers steps or right texts.

    Seeded by the item id, so the page looks the same on every visit and in every language.
    """
    order = list(range(size))
    random.Random(item_id).shuffle(order)  # noqa: S311  # a layout, not a secret
    if order == sorted(order) and size > 1:
        order = order[1:] + order[:1]
    return order


def example_values(item: Judged, right: bool, rng: random.Random) -> list[str]:
    """Form values of a right or a wrong answer: for the demo's simulated learners."""
    if isinstance(item, TrueFalse):
        return ["true" if item.answer == right else "false"]
    if isinstance(item, FillIn):
        return [item.accepted[0] if right else "weet ik niet"]
    if isinstance(item, Quiz):
        correct = list(item.correct_indexes)
        if right:
            return [str(i) for i in correct]
        wrong = [i for i in range(len(item.choices)) if i not in correct]
        if len(correct) > 1 and rng.random() < 0.5:
            return [str(i) for i in correct[:-1]]  # forgot one of several right answers
        picked = {*correct[1:], rng.choice(wrong)} if len(correct) > 1 else {rng.choice(wrong)}
        return [str(i) for i in sorted(picked)]
    size = len(item.steps) if isinstance(item, Sequencing) else len(item.pairs)
    order = list(range(size))
    if not right:
        order[0], order[1] = order[1], order[0]
    return [str(i) for i in order]
