"""One demo learner's attempt at a real module, told as the player would tell it in xAPI.

The statements come from learning.tracking.statements, the same builders the player uses, on the module's own
steps, quiz items and confidence item (read from modules_content/), with timestamps spread over the demo year.
A module that does not ask them itself gets two survey answers added, named as the metrics expect (learning/
metrics/training.py): the confidence question before the first step ('pre-confidence-…') and a relevance item
('relevance-…'), so CONF_GAIN and RELEVANCE have data. A module that asks them (README §6) is answered as written.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from learning.content.document import Item, Likert, ModuleDocument
from learning.content.judging import example_values, read_answer
from learning.content.loader import ContentError, load_module_folder
from learning.content.survey import CONFIDENCE, PRE, RELEVANCE
from learning.db import db
from learning.demo.clock import new_uuid
from learning.tracking import interactions, outbox
from learning.tracking import statements as xapi

PRE_PREFIX = PRE  # the confidence question asked before the first step: "pre-<confidence item id>"
RELEVANCE_ITEM = "relevance-useful"
RELEVANCE_QUESTION = {"nl": "Wat ik hier leerde, kan ik gebruiken.", "en": "I can use what I learned here."}
Statement = dict[str, Any]


class DemoError(Exception):
    """The demo cannot be seeded; the message says what to do."""


@dataclass(frozen=True)
class DemoModule:
    """A module as the demo learners take it: every language version of its current text."""

    slug: str
    documents: dict[str, ModuleDocument]

    @property
    def nl(self) -> ModuleDocument:
        return self.documents["nl"]

    @property
    def confidence(self) -> Likert | None:
        return next(
            (i for s in self.nl.steps for i in s.items if isinstance(i, Likert) and i.id.startswith(CONFIDENCE)), None
        )

    def asks(self, prefix: str) -> bool:
        """Tell whether the module itself has a survey item whose id starts with `prefix`."""
        return any(item_id.startswith(prefix) for item_id in self.nl.item_ids)

    def per_language(self, pick: Any) -> dict[str, Any]:
        return {language: pick(document) for language, document in self.documents.items()}


def load_modules(content_dir: Path, slugs: list[str]) -> dict[str, DemoModule]:
    """Read the modules the curricula name; refuse clearly when one is missing or broken."""
    modules = {}
    for slug in slugs:
        try:
            modules[slug] = DemoModule(slug, load_module_folder(content_dir / slug))
        except (ContentError, FileNotFoundError) as exc:
            raise DemoError(f"module {slug} is missing or invalid in {content_dir}: {exc}") from None
    return modules


@dataclass(frozen=True)
class Learner:
    pid: str
    home: str  # the account homePage: the learner's organisation's (learning/tracking/homes.py)
    audience: str
    team: str | None
    language: str


@dataclass(frozen=True)
class Plan:
    """How this attempt goes: how far the learner gets and how they answer."""

    steps: int  # steps seen; all of them for a finished attempt
    finished: bool
    ability: float  # chance that a first answer is right
    confidence: tuple[int, int] | None  # (before, after) on the 1-5 scale; before only on a first attempt
    relevance: int
    split_after: int | None  # the learner stops after this step and comes back days later


@dataclass(frozen=True)
class Result:
    statements: list[Statement]
    completed_at: datetime | None
    passed: bool | None


class Session:
    """The running clock and context of one attempt; adds statements with reproducible ids."""

    def __init__(self, rng: random.Random, base_iri: str, module: DemoModule, learner: Learner, at: datetime) -> None:
        self.rng, self.module, self.at, self.started, self.active = rng, module, at, at, timedelta(0)
        self.statements: list[Statement] = []
        self.context = xapi.LearningContext(
            base_iri=base_iri,
            actor_home=learner.home,
            actor_name=learner.pid,
            audience=learner.audience,
            module_slug=module.slug,
            module_titles=module.per_language(lambda d: d.title),
            module_version=module.nl.version,
            registration=new_uuid(rng),
            session_id=new_uuid(rng),
            language=learner.language,
            mastery_score=module.nl.mastery_score if module.nl.quizzes else None,
            team=learner.team,
        )

    def add(self, *statements: Statement) -> None:
        for statement in statements:
            statement["id"] = new_uuid(self.rng)
            self.statements.append(statement)

    def wait(self, low: int, high: int) -> datetime:
        self.at += timedelta(seconds=self.rng.randint(low, high))
        return self.at

    def open(self) -> None:
        ctx = self.context
        launched = xapi.module_event(ctx, "launched", timestamp=self.at)
        self.add(launched, xapi.module_event(ctx, "initialized", timestamp=self.at))

    def resume(self, at: datetime) -> None:
        """Come back after leaving without closing: the old session is reported abandoned (the cmi5 rule)."""
        self.active += self.at - self.started
        self.add(xapi.module_event(self.context, "abandoned", timestamp=at))
        self.at = self.started = at
        self.context = _with_session(self.context, new_uuid(self.rng))
        self.open()


def _with_session(ctx: xapi.LearningContext, session_id: str) -> xapi.LearningContext:
    fields = {name: getattr(ctx, name) for name in ctx.__dataclass_fields__}
    return xapi.LearningContext(**{**fields, "session_id": session_id})


def _answer(session: Session, item: Item, plan: Plan) -> bool | None:
    module, ctx = session.module, session.context
    at = session.wait(15, 50)
    if isinstance(item, Likert):
        questions = module.per_language(lambda d: d.item(item.id).question)
        value = _likert_value(session, item, plan)
        session.add(xapi.answered_likert(ctx, item.id, questions, value, timestamp=at))
        return None
    right = session.rng.random() < plan.ability
    given = read_answer(item, example_values(item, right, session.rng))
    items = module.per_language(lambda d: d.item(item.id))
    session.add(interactions.answered(ctx, items, given.stored, given.correct, timestamp=at))
    return bool(given.correct)


def _likert_value(session: Session, item: Likert, plan: Plan) -> int:
    if item.id.startswith(RELEVANCE):
        return plan.relevance
    if plan.confidence is None:
        return session.rng.randint(3, 5)
    return plan.confidence[0] if item.id.startswith(PRE) else plan.confidence[1]


def _survey_before(session: Session, plan: Plan) -> None:
    item = session.module.confidence
    if plan.confidence is None or item is None or session.module.asks(PRE + CONFIDENCE):
        return
    questions = session.module.per_language(lambda d: d.item(item.id).question)
    at = session.wait(10, 30)
    session.add(
        xapi.answered_likert(session.context, PRE_PREFIX + item.id, questions, plan.confidence[0], timestamp=at)
    )


def _survey_relevance(session: Session, plan: Plan) -> None:
    if session.module.asks(RELEVANCE):
        return
    at = session.wait(10, 30)
    session.add(xapi.answered_likert(session.context, RELEVANCE_ITEM, RELEVANCE_QUESTION, plan.relevance, timestamp=at))


def take_module(
    rng: random.Random, base_iri: str, module: DemoModule, learner: Learner, at: datetime, plan: Plan
) -> Result:
    """Return the statements of one attempt that starts at `at` and goes as `plan` says."""
    session = Session(rng, base_iri, module, learner, at)
    session.open()
    _survey_before(session, plan)
    right: list[bool] = []
    for step in module.nl.steps[: plan.steps]:
        if plan.split_after is not None and step.number == plan.split_after + 1:
            session.resume(session.at + timedelta(days=rng.randint(1, 6), minutes=rng.randint(-90, 90)))
        titles = module.per_language(lambda d, n=step.number: d.steps[n - 1].title)
        session.add(xapi.experienced_step(session.context, step.number, titles, session.wait(40, 160)))
        right += [r for item in step.items if (r := _answer(session, item, plan)) is not None]
    if not plan.finished:
        return Result(session.statements, None, None)
    _survey_relevance(session, plan)
    return _finish(session, right)


def _finish(session: Session, right: list[bool]) -> Result:
    end = session.wait(5, 20)
    scaled = sum(right) / len(right) if right else None
    span = end - session.started
    ctx = session.context
    session.add(*xapi.completion(ctx, scaled=scaled, duration=session.active + span, timestamp=end))
    session.add(xapi.module_event(ctx, "terminated", timestamp=end, result={"duration": xapi.format_duration(span)}))
    mastery = ctx.mastery_score
    return Result(session.statements, end, None if scaled is None or mastery is None else scaled >= mastery)


class Emitter:
    """Queue statements in the outbox and deliver them in batches, the way the player does after a commit."""

    def __init__(self, batch: int = 500) -> None:
        self.batch = batch
        self.pending: list[Statement] = []
        self.sent = 0

    def add(self, statements: list[Statement]) -> None:
        self.pending.extend(statements)
        if len(self.pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            outbox.record(self.pending)
            db.session.commit()
            outbox.flush()
            self.sent += len(self.pending)
            self.pending = []
