"""The xAPI interaction definition and `result.response` of every item type (xAPI 1.0.3, Data §2.4.4.1).

Components are named by position (`choice-0`, `step-2`, `left-1`, `right-0`): positions are the same in every
language version of a module (the loader checks that), so one definition carries every language's texts and an
answer given in English is comparable with one given in Dutch.

A typed fill-in answer is reported only when it matches an accepted answer: text a learner types freely could
name a person or a condition, and the LRS must never hold that (docs/privacy.md). A wrong typed answer is reported
as the empty response.
"""

from __future__ import annotations

from typing import Any

from learning.content.document import FillIn, Item, Likert, Matching, Quiz, Sequencing, TrueFalse, interaction_type
from learning.content.items import normalise_answer
from learning.tracking import statements as xapi

SEP, PAIR = "[,]", "[.]"


def _component(prefix: str, index: int, texts: dict[str, str]) -> dict[str, Any]:
    return {"id": f"{prefix}-{index}", "description": {xapi.LANGUAGE_TAGS.get(k, k): v for k, v in texts.items()}}


def _components(prefix: str, per_language: dict[str, tuple[str, ...]]) -> list[dict[str, Any]]:
    size = len(next(iter(per_language.values())))
    return [_component(prefix, i, {lang: texts[i] for lang, texts in per_language.items()}) for i in range(size)]


def definition(items: dict[str, Item]) -> dict[str, Any]:
    """The interaction's definition from the item in each language (`{"nl": item, "en": item}`)."""
    first = next(iter(items.values()))
    found: dict[str, Any] = {
        "type": xapi.INTERACTION_TYPE,
        "name": {xapi.LANGUAGE_TAGS.get(k, k): item.question for k, item in items.items()},
        "interactionType": interaction_type(first),
    }
    if isinstance(first, Quiz):
        found["correctResponsesPattern"] = [SEP.join(f"choice-{i}" for i in first.correct_indexes)]
        found["choices"] = _components("choice", {k: tuple(c.text for c in i.choices) for k, i in items.items()})  # type: ignore[union-attr]
    elif isinstance(first, Likert):
        found["scale"] = xapi.likert_scale()
    elif isinstance(first, TrueFalse):
        found["correctResponsesPattern"] = ["true" if first.answer else "false"]
    elif isinstance(first, Sequencing):
        found["correctResponsesPattern"] = [SEP.join(f"step-{i}" for i in range(len(first.steps)))]
        found["choices"] = _components("step", {k: i.steps for k, i in items.items()})  # type: ignore[union-attr]
    elif isinstance(first, Matching):
        found["correctResponsesPattern"] = [SEP.join(f"left-{i}{PAIR}right-{i}" for i in range(len(first.pairs)))]
        found["source"] = _components("left", {k: tuple(p.left for p in i.pairs) for k, i in items.items()})  # type: ignore[union-attr]
        found["target"] = _components("right", {k: tuple(p.right for p in i.pairs) for k, i in items.items()})  # type: ignore[union-attr]
    elif isinstance(first, FillIn):
        # normalised, as answers are judged: a consumer reading the pattern agrees with result.success
        variants = dict.fromkeys(normalise_answer(v) for item in items.values() for v in item.accepted)  # type: ignore[union-attr]
        found["correctResponsesPattern"] = [f"{{case_matters=false}}{v}" for v in variants]
    return found


def response(item: Item, stored: str, correct: bool | None) -> str:
    """The xAPI `result.response` of an answer stored in the LMS's form (learning/content/judging.py)."""
    values = [v for v in stored.split(",") if v]
    if isinstance(item, Quiz):
        return SEP.join(f"choice-{v}" for v in values)
    if isinstance(item, Sequencing):
        return SEP.join(f"step-{v}" for v in values)
    if isinstance(item, Matching):
        return SEP.join(f"left-{i}{PAIR}right-{v}" for i, v in enumerate(values))
    if isinstance(item, FillIn):
        return stored if correct else ""  # right: an accepted answer, normalised; wrong answers are never kept
    return stored  # likert "1".."5", true-false "true"/"false"


def answered(
    ctx: xapi.LearningContext,
    items: dict[str, Item],
    stored: str,
    correct: bool | None,
    *,
    timestamp: Any = None,
    statement_id: str | None = None,
) -> dict[str, Any]:
    """The `answered` statement of one item; `success` only for judged items (a likert has no right answer)."""
    item = next(iter(items.values()))
    result: dict[str, Any] = {"response": response(item, stored, correct)}
    if correct is not None:
        result["success"] = correct
    activity = {"objectType": "Activity", "id": f"{ctx.module_iri}/item/{item.id}", "definition": definition(items)}
    return xapi.answered_statement(ctx, activity, result, timestamp=timestamp, statement_id=statement_id)
