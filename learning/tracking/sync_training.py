"""Turn the LMS's own statements (read back from the LRS) into TrainingEvent rows, and voiding into `voided`.

The shapes parsed here are the ones statements.py builds: module activities {base}/xapi/module/<slug>, with
steps at …/step/<n> and quiz or survey items at …/item/<id>.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from learning.db import db
from learning.metrics.arrivals import note_statements
from learning.metrics.models import TrainingEvent

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
DURATION = re.compile(
    r"^P(?:(?P<W>\d+(?:\.\d+)?)W)?(?:(?P<D>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<H>\d+(?:\.\d+)?)H)?(?:(?P<M>\d+(?:\.\d+)?)M)?(?:(?P<S>\d+(?:\.\d+)?)S)?)?$"
)
SECONDS = {"W": 604_800, "D": 86_400, "H": 3_600, "M": 60, "S": 1}


class Unmappable(ValueError):
    """A statement that cannot become a row; the message is the reason the sync reports."""


def parse_timestamp(text: object) -> datetime:
    """Return an xAPI timestamp as an aware UTC datetime (one without an offset is taken as UTC).

    :raises Unmappable: when it is not an ISO 8601 timestamp.
    """
    if not isinstance(text, str):
        raise Unmappable("the statement has no timestamp")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Unmappable(f"timestamp {text!r} is not ISO 8601") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_duration(text: object) -> float | None:
    """Return an ISO 8601 duration in seconds; None when absent or in years/months (which have no fixed length)."""
    match = DURATION.match(text) if isinstance(text, str) else None
    if match is None or text == "P" or str(text).endswith("T"):
        return None
    return sum(float(value) * SECONDS[unit] for unit, value in match.groupdict().items() if value)


def account_of(statement: dict[str, Any]) -> tuple[str, str] | None:
    """Return the actor's (homePage, name) when the actor is identified by an account, else None."""
    actor = statement.get("actor")
    account = actor.get("account") if isinstance(actor, dict) else None
    if not isinstance(account, dict):
        return None
    home, name = account.get("homePage"), account.get("name")
    return (home, name) if isinstance(home, str) and isinstance(name, str) else None


def voided_target(statement: dict[str, Any]) -> str | None:
    """Return the id a voiding statement voids, or None for any other statement."""
    obj = statement.get("object") or {}
    if statement.get("verb", {}).get("id") != VOIDED or obj.get("objectType") != "StatementRef":
        return None
    return str(obj.get("id", "")).lower() or None


def _module_parts(object_id: str, base: str) -> tuple[str, str | None]:
    prefix = f"{base.rstrip('/')}/xapi/module/"
    if not object_id.startswith(prefix):
        raise Unmappable(f"object {object_id!r} is not a module of this site")
    parts = object_id[len(prefix) :].split("/")
    if len(parts) == 1 and parts[0]:
        return parts[0], None
    if len(parts) == 3 and parts[1] in {"step", "item"} and parts[2]:
        return parts[0], parts[2] if parts[1] == "item" else None
    raise Unmappable(f"object {object_id!r} is not a module, step or item IRI")


def _short(value: object, limit: int, what: str) -> str:
    if not isinstance(value, str) or not value or len(value) > limit:
        raise Unmappable(f"{what} is missing or longer than {limit} characters")
    return value


def training_event(statement: dict[str, Any], base: str) -> dict[str, Any]:
    """Return the TrainingEvent columns for one of the LMS's statements.

    :raises Unmappable: when its object is not one of our modules or a field does not fit.
    """
    _home, pid = account_of(statement) or ("", "")
    slug, item_id = _module_parts(str((statement.get("object") or {}).get("id", "")), base)
    verb = str(statement.get("verb", {}).get("id", "")).rstrip("/").rsplit("/", 1)[-1]
    result = statement.get("result") or {}
    response = result.get("response")
    score = result.get("score") or {}
    scaled = score.get("scaled")
    registration = (statement.get("context") or {}).get("registration")
    return {
        "statement_id": str(statement["id"]).lower(),
        "actor_pid": _short(pid, 64, "the actor's account name"),
        "verb": _short(verb, 20, "the verb's short name"),
        "module_slug": _short(slug, 80, "the module slug"),
        "item_id": _short(item_id, 64, "the item id") if item_id is not None else None,
        "registration": registration if isinstance(registration, str) and len(registration) <= 36 else None,
        "timestamp": parse_timestamp(statement.get("timestamp")),
        "success": result["success"] if isinstance(result.get("success"), bool) else None,
        "scaled": float(scaled) if isinstance(scaled, int | float) and not isinstance(scaled, bool) else None,
        "duration_seconds": parse_duration(result.get("duration")),
        "response": response if verb == "answered" and isinstance(response, str) and len(response) <= 64 else None,
        "voided": False,
    }


def insert_training_events(rows: Sequence[dict[str, Any]]) -> int:
    """Insert the rows whose statement is not stored yet; return how many were new (re-reading is harmless).

    The metrics hear of the new ones in the same transaction: their learners' summaries are refreshed and their
    months queued for recomputation (learning/metrics/arrivals.py).
    """
    ids = [row["statement_id"] for row in rows]
    known = set(db.session.scalars(select(TrainingEvent.statement_id).where(TrainingEvent.statement_id.in_(ids))))
    fresh = [row for row in rows if row["statement_id"] not in known]
    if fresh:
        insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        db.session.execute(insert(TrainingEvent).on_conflict_do_nothing(index_elements=["statement_id"]), fresh)
        note_statements((row["actor_pid"], row["module_slug"], row["timestamp"]) for row in fresh)
    return len(fresh)


def mark_voided(statement_ids: Sequence[str]) -> int:
    """Mark the training events these ids name as voided; return how many changed (others are not training)."""
    if not statement_ids:
        return 0
    e = TrainingEvent
    where = (e.statement_id.in_(list(statement_ids)), e.voided.is_(False))
    voided = db.session.execute(select(e.actor_pid, e.module_slug, e.timestamp).where(*where)).all()
    if voided:
        db.session.execute(update(e).where(*where).values(voided=True))
        note_statements((actor, module, at) for actor, module, at in voided)
    return len(voided)
