"""The parsed shape of a module: what the player shows and the tracker names. Plain data, no Flask."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Choice:
    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Quiz:
    """A judged question; its id names the xAPI interaction, so it must be the same in every language."""

    id: str
    question: str
    choices: tuple[Choice, ...]

    @property
    def correct_indexes(self) -> tuple[int, ...]:
        return tuple(i for i, choice in enumerate(self.choices) if choice.correct)


@dataclass(frozen=True)
class Likert:
    """A five-point agreement item (the confidence question); never judged."""

    id: str
    question: str


@dataclass(frozen=True)
class Feedback:
    """What the player says after a judged item that has no per-choice feedback: why it is right, or what to do."""

    right: str
    wrong: str


@dataclass(frozen=True)
class TrueFalse:
    """A statement the learner marks as true or not true."""

    id: str
    question: str
    answer: bool
    feedback: Feedback


@dataclass(frozen=True)
class Sequencing:
    """Steps to put in order; the author writes them in the right order, the player shows them mixed."""

    id: str
    question: str
    steps: tuple[str, ...]
    feedback: Feedback


@dataclass(frozen=True)
class Pair:
    """A left text and the right text that belongs to it (a matching item)."""

    left: str
    right: str


@dataclass(frozen=True)
class Matching:
    """Each left text has one right text; the player offers the right texts mixed, one select per left text."""

    id: str
    question: str
    pairs: tuple[Pair, ...]
    feedback: Feedback


@dataclass(frozen=True)
class FillIn:
    """A short typed answer, right when it matches one accepted variant (case, spaces and end marks ignored)."""

    id: str
    question: str
    accepted: tuple[str, ...]
    feedback: Feedback


Judged = Quiz | TrueFalse | Sequencing | Matching | FillIn
Item = Judged | Likert

# The block name an author writes (```quiz```, ```true-false``` …) is the xAPI interaction type, except for quiz.
INTERACTION_TYPES: dict[type, str] = {
    Quiz: "choice",
    TrueFalse: "true-false",
    Sequencing: "sequencing",
    Matching: "matching",
    FillIn: "fill-in",
    Likert: "likert",
}


def interaction_type(item: Item) -> str:
    """The xAPI interactionType of an item (also the name of its player template)."""
    return INTERACTION_TYPES[type(item)]


@dataclass(frozen=True)
class Step:
    number: int
    title: str
    html: str
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Source:
    title: str
    url: str = ""


@dataclass(frozen=True)
class ModuleDocument:
    """One language version of a module, as its author wrote it."""

    slug: str
    language: str
    title: str
    summary: str
    audiences: tuple[str, ...]
    minutes: int
    version: str
    mastery_score: float
    review: str
    objectives: tuple[str, ...]
    sources: tuple[Source, ...]
    steps: tuple[Step, ...]
    media: tuple[str, ...] = field(default=())

    @property
    def quizzes(self) -> tuple[Judged, ...]:
        """Every judged question (any type but likert): these make the score."""
        return tuple(item for step in self.steps for item in step.items if not isinstance(item, Likert))

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for step in self.steps for item in step.items)

    def item(self, item_id: str) -> Item | None:
        """Return the item with this id, or None."""
        return next((i for step in self.steps for i in step.items if i.id == item_id), None)
