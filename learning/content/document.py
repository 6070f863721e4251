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


Item = Quiz | Likert


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
    def quizzes(self) -> tuple[Quiz, ...]:
        return tuple(item for step in self.steps for item in step.items if isinstance(item, Quiz))

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for step in self.steps for item in step.items)

    def item(self, item_id: str) -> Item | None:
        """Return the quiz or Likert item with this id, or None."""
        return next((i for step in self.steps for i in step.items if i.id == item_id), None)
