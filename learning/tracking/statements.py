"""Build the platform's xAPI statements (docs/xapi.md) from LMS events. Pure: no I/O, no clock reads
except where a caller leaves `timestamp` out.

Actors are opaque accounts; nothing here may carry a name, e-mail, condition or free text of a patient.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS: dict[str, tuple[str, str, str]] = {
    "launched": (ADL + "launched", "gestart", "launched"),
    "initialized": (ADL + "initialized", "geïnitialiseerd", "initialized"),
    "experienced": (ADL + "experienced", "bekeken", "experienced"),
    "answered": (ADL + "answered", "beantwoord", "answered"),
    "completed": (ADL + "completed", "voltooid", "completed"),
    "passed": (ADL + "passed", "geslaagd", "passed"),
    "failed": (ADL + "failed", "niet geslaagd", "failed"),
    "terminated": (ADL + "terminated", "beëindigd", "terminated"),
    "abandoned": ("https://w3id.org/xapi/adl/verbs/abandoned", "afgebroken", "abandoned"),
}
MODULE_TYPE = "http://adlnet.gov/expapi/activities/module"
LESSON_TYPE = "http://adlnet.gov/expapi/activities/lesson"
INTERACTION_TYPE = "http://adlnet.gov/expapi/activities/cmi.interaction"
CMI5 = "https://w3id.org/xapi/cmi5/"
SESSION_EXT = CMI5 + "context/extensions/sessionid"
MASTERY_EXT = CMI5 + "context/extensions/masteryscore"
MOVEON_CATEGORY = CMI5 + "context/categories/moveon"
LIKERT_SCALE = ("1", "2", "3", "4", "5")
LIKERT_LABELS = {
    "nl-NL": ("Helemaal oneens", "Oneens", "Neutraal", "Eens", "Helemaal eens"),
    "en-US": ("Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"),
}
LANGUAGE_TAGS = {"nl": "nl-NL", "en": "en-US"}


@dataclass(frozen=True)
class LearningContext:
    """Everything a statement about one attempt at one module shares."""

    base_iri: str
    actor_home: str  # the learner's account homePage: one per organisation (learning/tracking/homes.py)
    actor_name: str
    audience: str
    module_slug: str
    module_titles: dict[str, str]
    module_version: str
    registration: str
    session_id: str
    language: str
    mastery_score: float | None = None
    team: str | None = None
    extra_grouping: tuple[str, ...] = field(default=())

    @property
    def module_iri(self) -> str:
        return f"{self.base_iri}/xapi/module/{self.module_slug}"

    @property
    def ext(self) -> str:
        return f"{self.base_iri}/xapi/ext/"


def _lang_map(values: dict[str, str]) -> dict[str, str]:
    return {LANGUAGE_TAGS.get(k, k): v for k, v in values.items()}


def _verb(name: str) -> dict[str, Any]:
    iri, nl, en = VERBS[name]
    return {"id": iri, "display": {"nl-NL": nl, "en-US": en}}


def _module_activity(ctx: LearningContext) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": ctx.module_iri,
        "definition": {"type": MODULE_TYPE, "name": _lang_map(ctx.module_titles)},
    }


def _context(ctx: LearningContext, *, child: bool = False, moveon: bool = False) -> dict[str, Any]:
    extensions: dict[str, Any] = {SESSION_EXT: ctx.session_id, ctx.ext + "audience": ctx.audience}
    if ctx.mastery_score is not None:
        extensions[MASTERY_EXT] = ctx.mastery_score
    if ctx.team is not None:
        extensions[ctx.ext + "team"] = ctx.team
    activities: dict[str, Any] = {}
    if child:
        activities["parent"] = [{"id": ctx.module_iri, "objectType": "Activity"}]
    if ctx.extra_grouping:
        activities["grouping"] = [{"id": iri, "objectType": "Activity"} for iri in ctx.extra_grouping]
    if moveon:
        activities["category"] = [{"id": MOVEON_CATEGORY, "objectType": "Activity"}]
    context: dict[str, Any] = {
        "registration": ctx.registration,
        "revision": ctx.module_version,
        "language": LANGUAGE_TAGS.get(ctx.language, ctx.language),
        "extensions": extensions,
    }
    if activities:
        context["contextActivities"] = activities
    return context


def _statement(
    ctx: LearningContext,
    verb: str,
    obj: dict[str, Any],
    context: dict[str, Any],
    result: dict[str, Any] | None,
    timestamp: datetime | None,
    statement_id: str | None = None,
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        # A caller passes the id fixed on the learner's device, so a replayed offline answer is the same statement.
        "id": device_statement_id(statement_id, ctx.actor_name, ctx.registration, obj["id"])
        if statement_id
        else str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": ctx.actor_home, "name": ctx.actor_name}},
        "verb": _verb(verb),
        "object": obj,
        "context": context,
        "timestamp": format_timestamp(timestamp or datetime.now(UTC)),
    }
    if result is not None:
        statement["result"] = result
    return statement


# The namespace of statement ids derived from ids a learner's device chose (offline answers and step views).
DEVICE_IDS = uuid.UUID("6f1c3b52-7d1e-4a57-9a0c-2f8e41b0d7a3")


def device_statement_id(device_id: str, actor_name: str, registration: str, object_id: str) -> str:
    """The statement id of an event whose id the learner's device fixed before sending or queuing it.

    Derived, never taken as is: the same device id replayed for the same question or step of the same attempt by
    the same learner is the same statement (a replay is idempotent), while a device id reused, by a bug or on
    purpose, for another question, step, attempt or learner is another statement. So a device can never make a
    statement collide with a stored one, which the LRS would refuse (409) and the outbox would set aside, undelivered.
    """
    return str(uuid.uuid5(DEVICE_IDS, f"{actor_name}\n{registration}\n{object_id}\n{device_id}"))


def format_timestamp(moment: datetime) -> str:
    """Render an aware datetime as xAPI wants it: UTC, millisecond precision or better, with Z."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def format_duration(span: timedelta) -> str:
    """Render a duration as ISO 8601 (PT#H#M#S), the only form xAPI accepts."""
    seconds = max(span.total_seconds(), 0.0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = "PT"
    if hours:
        text += f"{int(hours)}H"
    if minutes:
        text += f"{int(minutes)}M"
    return text + f"{round(secs, 2):g}S"


def module_event(
    ctx: LearningContext, verb: str, *, timestamp: datetime | None = None, result: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Return a statement about the module as a whole (launched, initialized, terminated, abandoned)."""
    return _statement(ctx, verb, _module_activity(ctx), _context(ctx), result, timestamp)


def experienced_step(
    ctx: LearningContext,
    number: int,
    titles: dict[str, str],
    timestamp: datetime | None = None,
    statement_id: str | None = None,
) -> dict[str, Any]:
    """Return the statement that a learner saw one step (screen) of a module (`statement_id`: the device's)."""
    activity = {
        "objectType": "Activity",
        "id": f"{ctx.module_iri}/step/{number}",
        "definition": {"type": LESSON_TYPE, "name": _lang_map(titles)},
    }
    return _statement(ctx, "experienced", activity, _context(ctx, child=True), None, timestamp, statement_id)


def answered_statement(
    ctx: LearningContext,
    activity: dict[str, Any],
    result: dict[str, Any],
    *,
    timestamp: datetime | None = None,
    statement_id: str | None = None,
) -> dict[str, Any]:
    """Return an `answered` statement about an item of the module (learning/tracking/interactions.py)."""
    return _statement(ctx, "answered", activity, _context(ctx, child=True), result, timestamp, statement_id)


def answered_likert(
    ctx: LearningContext,
    item_id: str,
    questions: dict[str, str],
    value: int,
    timestamp: datetime | None = None,
    statement_id: str | None = None,
) -> dict[str, Any]:
    """Return an `answered` statement for a 1-5 agreement item; the response is the scale id, never text."""
    definition = {
        "type": INTERACTION_TYPE,
        "name": _lang_map(questions),
        "interactionType": "likert",
        "scale": likert_scale(),
    }
    activity = {"objectType": "Activity", "id": f"{ctx.module_iri}/item/{item_id}", "definition": definition}
    return answered_statement(ctx, activity, {"response": str(value)}, timestamp=timestamp, statement_id=statement_id)


def likert_scale() -> list[dict[str, Any]]:
    """The five agreement points of a likert item, each described in Dutch and English."""
    return [
        {"id": point, "description": {tag: labels[i] for tag, labels in LIKERT_LABELS.items()}}
        for i, point in enumerate(LIKERT_SCALE)
    ]


def completion(
    ctx: LearningContext, *, scaled: float | None, duration: timedelta, timestamp: datetime | None = None
) -> list[dict[str, Any]]:
    """Return completed, then passed or failed when the module is judged (cmi5 order: at most one of each)."""
    statements = [
        _statement(
            ctx,
            "completed",
            _module_activity(ctx),
            _context(ctx, moveon=True),
            {"completion": True, "duration": format_duration(duration)},
            timestamp,
        )
    ]
    if scaled is not None and ctx.mastery_score is not None:
        success = scaled >= ctx.mastery_score
        result = {
            "success": success,
            "completion": True,
            "score": {"scaled": round(scaled, 4)},
            "duration": format_duration(duration),
        }
        verb = "passed" if success else "failed"
        statements.append(_statement(ctx, verb, _module_activity(ctx), _context(ctx, moveon=True), result, timestamp))
    return statements
