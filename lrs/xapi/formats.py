"""Statement shapes on the way in (normalised) and out (the `format` parameter: exact, ids, canonical)."""

from __future__ import annotations

import copy
import json
from typing import Any

CONTEXT_ACTIVITY_KEYS = ("parent", "grouping", "category", "other")
IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")


def normalise_statement(statement: dict[str, Any]) -> dict[str, Any]:
    """Return the statement with every contextActivities value as an array, as the LRS must return it.

    Done before the duplicate check too, so a re-sent statement compares equal to what was stored.
    """
    _normalise_context(statement.get("context"))
    obj = statement.get("object")
    if isinstance(obj, dict) and obj.get("objectType") == "SubStatement":
        _normalise_context(obj.get("context"))
    return statement


def _normalise_context(context: object) -> None:
    if not isinstance(context, dict):
        return
    activities = context.get("contextActivities")
    if not isinstance(activities, dict):
        return
    for key in CONTEXT_ACTIVITY_KEYS:
        if isinstance(activities.get(key), dict):
            activities[key] = [activities[key]]


def _agent_ids(agent: dict[str, Any]) -> dict[str, Any]:
    slim = {key: agent[key] for key in ("objectType", *IFI_KEYS) if key in agent}
    if agent.get("objectType") == "Group" and not any(key in agent for key in IFI_KEYS):
        slim["member"] = [_agent_ids(member) for member in agent.get("member", [])]
    return slim


def _object_ids(obj: dict[str, Any]) -> dict[str, Any]:
    kind = obj.get("objectType", "Activity")
    if kind in {"Agent", "Group"}:
        return _agent_ids(obj)
    if kind == "SubStatement":
        return _statement_ids(obj)
    if kind == "StatementRef":
        return obj
    return {"id": obj["id"]}


def _statement_ids(statement: dict[str, Any]) -> dict[str, Any]:
    slim = dict(statement)
    slim["actor"] = _agent_ids(statement["actor"])
    slim["verb"] = {"id": statement["verb"]["id"]}
    slim["object"] = _object_ids(statement["object"])
    context = statement.get("context")
    if isinstance(context, dict):
        slim["context"] = dict(context)
        for key in ("instructor", "team"):
            if key in context:
                slim["context"][key] = _agent_ids(context[key])
        if "contextActivities" in context:
            slim["context"]["contextActivities"] = {
                key: [{"id": a["id"]} for a in value] for key, value in context["contextActivities"].items()
            }
    if "authority" in statement:
        slim["authority"] = _agent_ids(statement["authority"])
    return slim


def format_ids(statement: dict[str, Any]) -> dict[str, Any]:
    """Keep only what identifies agents, groups, verbs and activities (format=ids)."""
    return _statement_ids(statement)


def parse_accept_language(header: str | None) -> list[str]:
    """Return the language ranges of an Accept-Language header, most wanted first."""
    ranges: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        pieces = part.strip().split(";")
        if not pieces[0]:
            continue
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranges.append((-quality, position, pieces[0].strip().lower()))
    return [tag for _, _, tag in sorted(ranges)]


def _pick(language_map: dict[str, str], wanted: list[str]) -> dict[str, str]:
    if not language_map:
        return language_map
    lowered = {key.lower(): key for key in language_map}
    for tag in wanted:
        if tag == "*":
            break
        if tag in lowered:
            key = lowered[tag]
            return {key: language_map[key]}
        prefix = next((key for low, key in lowered.items() if low.split("-")[0] == tag.split("-")[0]), None)
        if prefix is not None:
            return {prefix: language_map[prefix]}
    first = next(iter(language_map))
    return {first: language_map[first]}


def _canonical(value: Any, wanted: list[str], parent_key: str = "") -> Any:
    if isinstance(value, dict):
        if parent_key in {"display", "name", "description"} and all(isinstance(v, str) for v in value.values()):
            return _pick(value, wanted)
        return {key: _canonical(item, wanted, key) for key, item in value.items() if key != "extensions"} | (
            {"extensions": value["extensions"]} if "extensions" in value else {}
        )
    if isinstance(value, list):
        return [_canonical(item, wanted, parent_key) for item in value]
    return value


def format_canonical(statement: dict[str, Any], languages: list[str]) -> dict[str, Any]:
    """Reduce every language map to the one language the client prefers (format=canonical).

    Agent names are not language maps and stay as they are; extensions are left untouched.
    """
    result: dict[str, Any] = _canonical(copy.deepcopy(statement), languages)
    return result


def render_statement(payload: str, fmt: str, languages: list[str]) -> str:
    """Return stored statement JSON in the requested format (exact is the stored text, untouched)."""
    if fmt == "exact":
        return payload
    statement = json.loads(payload)
    shaped = format_ids(statement) if fmt == "ids" else format_canonical(statement, languages)
    return json.dumps(shaped, ensure_ascii=False, separators=(",", ":"))
