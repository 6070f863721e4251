"""Fold a module's xAPI statements into one tally per version: who started, finished and passed, when each step
was first seen, and each learner's first answer to each question.

Pure: no Flask, no database. The input is what the LRS hands back over xAPI (learning/tracking/reader.py), so the
same fold works on the built-in LRS and on any outside one. A version is the statement's `context.revision` (the
player stamps the version the learner started on), so the figures of two versions never mix.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from learning.tracking import statements as xapi
from learning.tracking.sync_training import Unmappable, parse_timestamp

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
# Events that end the time spent on the step shown before them; `answered` happens inside a step, so it ends none.
BOUNDARIES = {"experienced", "completed", "terminated", "launched", "initialized"}
VERB_NAMES = {iri: name for name, (iri, _nl, _en) in xapi.VERBS.items()}


@dataclass(frozen=True)
class Answer:
    """One answer to one question: when, the xAPI response, and whether it was right (None: not judged)."""

    at: datetime
    response: str
    success: bool | None


@dataclass
class Registration:
    """One attempt: its learner, the first time each step was seen, and every moment that ends a step's time."""

    actor: str
    steps: dict[int, datetime] = field(default_factory=dict)
    boundaries: list[datetime] = field(default_factory=list)


@dataclass
class Tally:
    """Everything the analysis of one version needs, independent of the language it is shown in."""

    version: str
    started: set[str] = field(default_factory=set)
    completed: set[str] = field(default_factory=set)
    passed: set[str] = field(default_factory=set)
    registrations: dict[str, Registration] = field(default_factory=dict)
    # item id -> learner -> that learner's first answer in this version (their first try)
    first_answers: dict[str, dict[str, Answer]] = field(default_factory=dict)


def actor_key(actor: Any) -> str:
    """One string per learner: the account (homePage, name) the platform uses, else the whole agent."""
    if isinstance(actor, dict) and isinstance(actor.get("account"), dict):
        account = actor["account"]
        return f"{account.get('homePage', '')}|{account.get('name', '')}"
    return json.dumps(actor, sort_keys=True)


def _step_number(object_id: str, module_iri: str) -> int | None:
    prefix = module_iri + "/step/"
    if not object_id.startswith(prefix) or not object_id[len(prefix) :].isdigit():
        return None
    return int(object_id[len(prefix) :])


def _item_id(object_id: str, module_iri: str) -> str | None:
    prefix = module_iri + "/item/"
    return object_id[len(prefix) :] if object_id.startswith(prefix) else None


def fold(
    statements: Iterable[dict[str, Any]], module_iri: str, into: dict[str, Tally] | None = None
) -> dict[str, Tally]:
    """Return a tally per version of every statement about the module, its steps and its questions, added to
    `into` when given (statements stored since it was folded: every step of the fold is order-free, so adding later
    statements gives what folding all of them at once would).

    Statements without a revision, timestamp or known verb are skipped (another tool may write to the LRS too);
    voided statements never reach us (the LRS leaves them out of queries).
    """
    tallies: dict[str, Tally] = {} if into is None else into
    for statement in statements:
        context = statement.get("context") or {}
        version, verb = context.get("revision"), VERB_NAMES.get((statement.get("verb") or {}).get("id", ""))
        object_id = (statement.get("object") or {}).get("id", "")
        if not isinstance(version, str) or verb is None or not isinstance(object_id, str):
            continue
        try:
            at = parse_timestamp(statement.get("timestamp"))
        except Unmappable:
            continue
        tally = tallies.setdefault(version, Tally(version))
        actor = actor_key(statement.get("actor"))
        _add(tally, verb, object_id, module_iri, actor, str(context.get("registration", "")), at, statement)
    return tallies


def _add(tally: Tally, verb: str, object_id: str, module_iri: str, actor: str, registration: str, at: datetime,
         statement: dict[str, Any]) -> None:  # fmt: skip
    attempt = tally.registrations.setdefault(registration, Registration(actor))
    if verb in BOUNDARIES:
        attempt.boundaries.append(at)
    if verb in {"launched", "initialized", "experienced", "answered"}:
        tally.started.add(actor)
    if object_id == module_iri and verb == "completed":
        tally.completed.add(actor)
    elif object_id == module_iri and verb == "passed":
        tally.passed.add(actor)
    elif verb == "experienced":
        number = _step_number(object_id, module_iri)
        if number is not None and (number not in attempt.steps or at < attempt.steps[number]):
            attempt.steps[number] = at
    elif verb == "answered":
        item = _item_id(object_id, module_iri)
        result = statement.get("result") or {}
        if item is None or not isinstance(result.get("response", ""), str):
            return
        success = result.get("success")
        answer = Answer(at, str(result.get("response", "")), success if isinstance(success, bool) else None)
        per_learner = tally.first_answers.setdefault(item, {})
        if actor not in per_learner or at < per_learner[actor].at:
            per_learner[actor] = answer
