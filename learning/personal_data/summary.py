"""Turn xAPI statements into one readable line each for the summary page: when, what, which module or item."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _


def describe_action(action: str) -> str:
    """What a reader of the access log did, in words (the log's own codes otherwise)."""
    actions = {
        "progress.view": _("looked at your progress"),
        "result.view": _("looked at a result of yours"),
        "result.reread": _("read a finished module of yours again"),
        "personal_data.export": _("downloaded your data"),
        "personal_data.summary": _("read your data on a page"),
    }
    return actions.get(action, action)


@dataclass(frozen=True)
class StatementLine:
    when: str
    verb: str
    what: str
    score: float | None


def _in_language(names: Any, language: str) -> str | None:
    """Pick a language map's entry in the reader's language, else English, else any."""
    if not isinstance(names, dict) or not names:
        return None
    for key in names:
        if str(key).lower().split("-")[0] == language:
            return str(names[key])
    return str(names.get("en-US") or names.get("en") or next(iter(names.values())))


def describe_statement(statement: dict[str, Any], language: str) -> StatementLine:
    """One line for a statement: its timestamp (to the minute), its verb's name and its object's name or id."""
    verb = statement.get("verb", {})
    target = statement.get("object", {})
    name = _in_language(target.get("definition", {}).get("name"), language) if isinstance(target, dict) else None
    score = statement.get("result", {}).get("score", {}).get("scaled")
    return StatementLine(
        when=str(statement.get("timestamp", ""))[:16].replace("T", " "),
        verb=_in_language(verb.get("display"), language) or str(verb.get("id", "")).rsplit("/", 1)[-1],
        what=name or str(target.get("id", "")),
        score=score if isinstance(score, int | float) else None,
    )
