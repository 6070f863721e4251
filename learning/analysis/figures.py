"""Turn one version's tally into what an author reads: per step, per question and per survey item, in the words of
the version's own text (option texts, step texts, pair texts), with groups of fewer than 5 learners hidden.

Pure: the tally (records.py) and the parsed module in the reader's language go in, plain data comes out; the
template words it. Every figure is about a learner's FIRST try: a second attempt after reading the feedback says
little about the question.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import timedelta
from statistics import median

from learning.analysis.records import Answer, Tally
from learning.content.document import FillIn, Item, Likert, Matching, ModuleDocument, Quiz, Sequencing, TrueFalse
from learning.content.survey import CONFIDENCE, PRE, RELEVANCE
from learning.tracking.interactions import PAIR, SEP

MIN_LEARNERS = 5  # a smaller group is hidden: with so few, a figure can point to one person (docs/analysis.md)
LONGEST_STEP = timedelta(minutes=30)  # a longer gap is a break (closed the app, came back later), not reading time


@dataclass(frozen=True)
class StepFigures:
    number: int
    title: str
    reached: int  # learners who saw this step
    stopped: int  # learners whose furthest step is this one and who never finished the version
    median_seconds: float | None  # None: fewer than MIN_LEARNERS learners were timed on it
    hidden: bool  # fewer than MIN_LEARNERS learners reached it


@dataclass(frozen=True)
class Wrong:
    """The most chosen wrong answer: its parts in the version's words, and how many first chose it."""

    parts: tuple[str, ...]
    count: int


@dataclass(frozen=True)
class QuestionFigures:
    id: str
    step: int
    kind: str  # the xAPI interaction type: choice, true-false, sequencing, matching, fill-in
    question: str
    answered: int
    right: int
    wrong: Wrong | None
    # fill-in: the accepted answers typed (normalised), with how often; wrong typed text is never kept
    variants: tuple[tuple[str, int], ...] = ()
    hidden: bool = False

    @property
    def right_share(self) -> float:
        return self.right / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class SurveyFigures:
    """A confidence item (with its 'before' twin when the module asks it) or a relevance item, on the 1-5 scale."""

    id: str
    kind: str  # "confidence" or "relevance" or "other"
    question: str
    answered: int
    mean: float | None
    before_answered: int = 0
    before_mean: float | None = None
    pairs: int = 0  # learners who answered both before and after
    gain: float | None = None  # mean of (after - before) over those pairs
    agree_share: float | None = None  # share of answers 4 or 5
    hidden: bool = False


@dataclass(frozen=True)
class VersionFigures:
    version: str
    started: int
    completed: int
    passed: int
    judged: bool  # the module has questions with right answers (so 'passed' means something)
    hidden: bool  # fewer than MIN_LEARNERS learners started this version
    steps: tuple[StepFigures, ...] = ()
    questions: tuple[QuestionFigures, ...] = ()
    surveys: tuple[SurveyFigures, ...] = field(default=())

    @property
    def hardest(self) -> QuestionFigures | None:
        """The shown question fewest learners got right at their first try (none when all got all right): where an
        author looks first."""
        shown = [q for q in self.questions if not q.hidden and q.right < q.answered]
        return min(shown, key=lambda q: (q.right_share, q.step)) if shown else None

    @property
    def steepest(self) -> StepFigures | None:
        """The shown step most learners stopped at (none when nobody stopped)."""
        shown = [s for s in self.steps if not s.hidden and s.stopped]
        return max(shown, key=lambda s: (s.stopped / s.reached, -s.number)) if shown else None


def figures(tally: Tally, document: ModuleDocument) -> VersionFigures:
    """The analysis of one version, worded in `document` (that version's text in the reader's language)."""
    started = len(tally.started)
    judged = any(not isinstance(item, Likert) for step in document.steps for item in step.items)
    if started < MIN_LEARNERS:
        return VersionFigures(tally.version, started, 0, 0, judged, hidden=True)
    return VersionFigures(
        tally.version, started, len(tally.completed), len(tally.passed), judged, hidden=False,
        steps=_steps(tally, document), questions=_questions(tally, document), surveys=_surveys(tally, document),
    )  # fmt: skip


def _steps(tally: Tally, document: ModuleDocument) -> tuple[StepFigures, ...]:
    furthest: dict[str, int] = {}
    reached: dict[int, set[str]] = {}
    timed: dict[int, dict[str, list[float]]] = {}
    for attempt in tally.registrations.values():
        for number, seen_at in attempt.steps.items():
            furthest[attempt.actor] = max(furthest.get(attempt.actor, 0), number)
            reached.setdefault(number, set()).add(attempt.actor)
            later = [moment for moment in attempt.boundaries if moment > seen_at]
            if later and (spent := min(later) - seen_at) <= LONGEST_STEP:
                timed.setdefault(number, {}).setdefault(attempt.actor, []).append(spent.total_seconds())
    found = []
    for step in document.steps:
        people = reached.get(step.number, set())
        stopped = sum(1 for actor in people if furthest[actor] == step.number and actor not in tally.completed)
        per_learner = [median(spans) for spans in timed.get(step.number, {}).values()]
        found.append(StepFigures(
            step.number, step.title, len(people), stopped,
            median(per_learner) if len(per_learner) >= MIN_LEARNERS else None, hidden=len(people) < MIN_LEARNERS,
        ))  # fmt: skip
    return tuple(found)


def _questions(tally: Tally, document: ModuleDocument) -> tuple[QuestionFigures, ...]:
    found = []
    for step in document.steps:
        for item in step.items:
            if isinstance(item, Likert):
                continue
            answers = list(tally.first_answers.get(item.id, {}).values())
            found.append(_question(item, step.number, answers))
    return tuple(found)


def _question(item: Item, step: int, answers: list[Answer]) -> QuestionFigures:
    from learning.content.document import interaction_type

    right = sum(1 for a in answers if a.success)
    wrong_answers = [a.response for a in answers if a.success is False]
    base = QuestionFigures(item.id, step, interaction_type(item), item.question, len(answers), right, None)
    if len(answers) < MIN_LEARNERS:
        return replace(base, right=0, hidden=True)
    wrong: Wrong | None = None
    variants: tuple[tuple[str, int], ...] = ()
    if isinstance(item, FillIn):
        typed = Counter(a.response for a in answers if a.success and a.response)
        variants = tuple(sorted(typed.items(), key=lambda kv: (-kv[1], kv[0])))
        # a wrong typed answer is reported empty (docs/xapi.md): its count is known, its text never
        wrong = Wrong((), len(wrong_answers)) if wrong_answers else None
    elif isinstance(item, Matching):
        pairs = Counter(pair for response in wrong_answers for pair in _wrong_pairs(item, response))
        wrong = _most(pairs)
    elif wrong_answers:
        wrong = _most(Counter(_readable(item, response) for response in wrong_answers))
    return replace(base, wrong=wrong, variants=variants)


def _most(counts: Counter[tuple[str, ...]]) -> Wrong | None:
    """The most chosen; a tie goes to the answer that sorts first, so the page is the same on every load."""
    if not counts:
        return None
    parts, count = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return Wrong(parts, count)


def _index(component: str, prefix: str) -> int | None:
    tail = component.removeprefix(prefix + "-")
    return int(tail) if tail.isdigit() and component.startswith(prefix + "-") else None


def _text(texts: tuple[str, ...], component: str, prefix: str) -> str:
    """The text of `choice-2` (etc.) in this version; the id itself when the text does not have it."""
    index = _index(component, prefix)
    return texts[index] if index is not None and index < len(texts) else component


def _readable(item: Item, response: str) -> tuple[str, ...]:
    """A wrong response in the version's words: the options ticked, or the steps in the learner's order."""
    parts = tuple(part for part in response.split(SEP) if part)
    if isinstance(item, Quiz):
        return tuple(_text(tuple(c.text for c in item.choices), part, "choice") for part in parts)
    if isinstance(item, Sequencing):
        return tuple(_text(item.steps, part, "step") for part in parts)
    if isinstance(item, TrueFalse):
        return (response,)  # "true" / "false": the template says it in the reader's language
    return (response,)


def _wrong_pairs(item: Matching, response: str) -> list[tuple[str, ...]]:
    """Each pair of a matching answer that is wrong (left-i with right-j, j != i), as (left text, right text)."""
    lefts, rights = tuple(p.left for p in item.pairs), tuple(p.right for p in item.pairs)
    found: list[tuple[str, ...]] = []
    for pair in response.split(SEP):
        left, _, right = pair.partition(PAIR)
        if _index(left, "left") is not None and _index(left, "left") != _index(right, "right"):
            found.append((_text(lefts, left, "left"), _text(rights, right, "right")))
    return found


SCALE = frozenset({"1", "2", "3", "4", "5"})


def _scale(answers: list[Answer]) -> list[int]:
    return [int(a.response) for a in answers if a.response in SCALE]


def _surveys(tally: Tally, document: ModuleDocument) -> tuple[SurveyFigures, ...]:
    found = []
    likerts = [item for step in document.steps for item in step.items if isinstance(item, Likert)]
    for item in likerts:
        if item.id.startswith(PRE + CONFIDENCE):
            continue  # shown with its 'after' twin
        after = tally.first_answers.get(item.id, {})
        values = _scale(list(after.values()))
        kind = (
            "confidence"
            if item.id.startswith(CONFIDENCE)
            else "relevance"
            if item.id.startswith(RELEVANCE)
            else "other"
        )
        if len(values) < MIN_LEARNERS:
            found.append(SurveyFigures(item.id, kind, item.question, len(values), None, hidden=True))
            continue
        figures = SurveyFigures(item.id, kind, item.question, len(values), sum(values) / len(values),
                                agree_share=sum(1 for v in values if v >= 4) / len(values))  # fmt: skip
        before_id = PRE + item.id
        if kind == "confidence" and any(i.id == before_id for i in likerts):
            figures = _with_before(figures, tally.first_answers.get(before_id, {}), after)
        found.append(figures)
    return tuple(found)


def _with_before(figures: SurveyFigures, before: dict[str, Answer], after: dict[str, Answer]) -> SurveyFigures:
    """Add the 'before' answers and the gain of each learner who answered both (pairs of fewer than 5 hidden)."""
    values = _scale(list(before.values()))
    gains = [
        int(after[actor].response) - int(answer.response)
        for actor, answer in before.items()
        if actor in after and answer.response in SCALE and after[actor].response in SCALE
    ]
    shown = len(values) >= MIN_LEARNERS
    paired = len(gains) >= MIN_LEARNERS
    return replace(
        figures,
        before_answered=len(values),
        before_mean=sum(values) / len(values) if shown else None,
        pairs=len(gains),
        gain=sum(gains) / len(gains) if paired else None,
    )
