"""Agent and Group validation, plus the JSON-shape checks every xAPI validator shares.

The shape checks live here because this module is the leaf of the validation graph: statement.py
builds on it, and keeping them in one place means every error message has the same
``"<json path>: <problem>"`` form that client developers can act on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from typing import Any, NoReturn

from lrs.xapi.errors import BadRequest
from lrs.xapi.jsonload import load_json

IFI_PROPERTIES = ("mbox", "mbox_sha1sum", "openid", "account")
"""Inverse functional identifiers, in the order ifi_key looks for them."""

_AGENT_KEYS = frozenset({"objectType", "name", *IFI_PROPERTIES})
_GROUP_KEYS = _AGENT_KEYS | {"member"}
_ACCOUNT_KEYS = frozenset({"homePage", "name"})

_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"\x00-\x1f\x7f]+")
_MBOX = re.compile(r"mailto:[^@\s]+@[^@\s]+")
_SHA1 = re.compile(r"[0-9A-Fa-f]{40}")


# ---------------------------------------------------------------------------
# Shared JSON-shape checks
# ---------------------------------------------------------------------------


def fail(path: str, problem: str) -> NoReturn:
    """Raise the one error type the HTTP layer maps to 400, always naming where the problem is."""
    raise BadRequest(f"{path}: {problem}")


def json_type(value: object) -> str:
    """Name a value by its JSON type, because that is the vocabulary of the client sending it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def show(text: str, limit: int = 60) -> str:
    """Quote a client value for an error message without echoing megabytes back."""
    quoted = json.dumps(text, ensure_ascii=False)
    return quoted if len(quoted) <= limit else quoted[: limit - 4] + '..."'


def key_path(path: str, key: str) -> str:
    """Path of a map entry whose key is data (language tag, extension IRI) rather than a property name."""
    return f"{path}[{show(key)}]"


def require_object(value: object, path: str) -> Mapping[str, Any]:
    """Reject anything but a JSON object, including null, which the spec forbids outside extensions."""
    if not isinstance(value, dict):
        fail(path, f"must be an object, got {json_type(value)}")
    return value


def require_array(value: object, path: str) -> list[Any]:
    """Reject anything but a JSON array."""
    if not isinstance(value, list):
        fail(path, f"must be an array, got {json_type(value)}")
    return value


def require_string(value: object, path: str) -> str:
    """Reject anything but a JSON string; numbers and booleans are not coerced, as the spec demands."""
    if not isinstance(value, str):
        fail(path, f"must be a string, got {json_type(value)}")
    return value


def check_keys(obj: Mapping[str, Any], path: str, allowed: Collection[str], required: Collection[str] = ()) -> None:
    """Enforce the closed property sets of the spec; key case matters, so hint when only the case is off."""
    for key in obj:
        if key not in allowed:
            fail(f"{path}.{key}", _unknown_key_problem(str(key), allowed))
    for key in required:
        if key not in obj:
            fail(f"{path}.{key}", "required")


def _unknown_key_problem(key: str, allowed: Collection[str]) -> str:
    """Explain a rejected property, pointing at a case-only typo when there is one."""
    for candidate in allowed:
        if candidate.lower() == key.lower():
            return f"unknown property; property names are case-sensitive, did you mean {candidate!r}?"
    return "unknown property (allowed: " + ", ".join(sorted(allowed)) + ")"


def validate_iri(value: object, path: str) -> str:
    """Best-effort IRI check, as the spec permits: a scheme is mandatory, whitespace and <>" never valid.

    Rarer RFC 3987 violations ({, |, ^, ...) are let through: real-world ids contain them and rejecting
    a statement forever is worse than storing an odd identifier.
    """
    text = require_string(value, path)
    if not _IRI.fullmatch(text):
        fail(path, f"{show(text)} is not an absolute IRI (expected a scheme such as 'http:' and no spaces)")
    return text


# ---------------------------------------------------------------------------
# Agents and Groups
# ---------------------------------------------------------------------------


def validate_actor(value: object, path: str) -> None:
    """Validate an Agent or a Group; objectType defaults to Agent, as the spec says for actors."""
    obj = require_object(value, path)
    if object_type(obj, path, default="Agent") == "Group":
        validate_group(obj, path)
    else:
        validate_agent(obj, path)


def object_type(obj: Mapping[str, Any], path: str, *, default: str | None = None) -> str | None:
    """Read objectType as a string; enum values are case-sensitive so no normalisation happens here."""
    if "objectType" not in obj:
        return default
    return require_string(obj["objectType"], f"{path}.objectType")


def validate_agent(value: object, path: str) -> None:
    """An Agent is identified by exactly one IFI; a Group here (e.g. as a member) is rejected."""
    obj = require_object(value, path)
    kind = object_type(obj, path, default="Agent")
    if kind != "Agent":
        fail(f"{path}.objectType", f"must be 'Agent', got {show(str(kind))}")
    check_keys(obj, path, _AGENT_KEYS)
    _validate_name(obj, path)
    ifis = _present_ifis(obj)
    if len(ifis) != 1:
        fail(path, _ifi_count_problem("an Agent", ifis))
    _validate_ifi(ifis[0], obj[ifis[0]], f"{path}.{ifis[0]}")


def validate_group(value: object, path: str) -> None:
    """A Group is anonymous (members only) or identified (one IFI); members are always plain Agents."""
    obj = require_object(value, path)
    kind = object_type(obj, path)
    if kind != "Group":
        fail(f"{path}.objectType", "must be 'Group'" + ("" if kind is None else f", got {show(kind)}"))
    check_keys(obj, path, _GROUP_KEYS)
    _validate_name(obj, path)
    ifis = _present_ifis(obj)
    if len(ifis) > 1:
        fail(path, _ifi_count_problem("an identified Group", ifis))
    if ifis:
        _validate_ifi(ifis[0], obj[ifis[0]], f"{path}.{ifis[0]}")
    elif "member" not in obj:
        fail(f"{path}.member", "required for an anonymous Group (a Group without mbox, openid or account)")
    if "member" in obj:
        _validate_members(obj["member"], f"{path}.member", anonymous=not ifis)


def _validate_members(value: object, path: str, *, anonymous: bool) -> None:
    """An anonymous Group is only its members, so it needs at least one; nesting Groups is forbidden."""
    members = require_array(value, path)
    if anonymous and not members:
        fail(path, "an anonymous Group must list at least one Agent")
    for index, member in enumerate(members):
        member_path = f"{path}[{index}]"
        if object_type(require_object(member, member_path), member_path) == "Group":
            fail(f"{member_path}.objectType", "Group members must be Agents, not Groups")
        validate_agent(member, member_path)


def _validate_name(obj: Mapping[str, Any], path: str) -> None:
    """name is display-only, so any string will do; it never takes part in identity."""
    if "name" in obj:
        require_string(obj["name"], f"{path}.name")


def _present_ifis(obj: Mapping[str, Any]) -> list[str]:
    """Count IFIs by key presence, so a null IFI counts too and is then rejected as the wrong type."""
    return [key for key in IFI_PROPERTIES if key in obj]


def _ifi_count_problem(what: str, ifis: list[str]) -> str:
    """List the clashing IFIs, since clients often send mbox and account together by accident."""
    if not ifis:
        return f"{what} needs exactly one of mbox, mbox_sha1sum, openid or account"
    return f"{what} must have exactly one of mbox, mbox_sha1sum, openid or account, got " + ", ".join(ifis)


def _validate_ifi(kind: str, value: object, path: str) -> None:
    """Check each IFI against its own format, since a malformed IFI would identify nobody."""
    if kind == "mbox":
        text = require_string(value, path)
        if not _MBOX.fullmatch(text):
            fail(path, f"must be a 'mailto:' IRI with an email address, got {show(text)}")
    elif kind == "mbox_sha1sum":
        if not _SHA1.fullmatch(require_string(value, path)):
            fail(path, "must be the 40 hex digit SHA1 of a 'mailto:' IRI")
    elif kind == "openid":
        validate_iri(value, path)
    else:
        validate_account(value, path)


def validate_account(value: object, path: str) -> None:
    """An account needs both homePage (an IRL) and name; together they are the identifier."""
    obj = require_object(value, path)
    check_keys(obj, path, _ACCOUNT_KEYS, _ACCOUNT_KEYS)
    validate_iri(obj["homePage"], f"{path}.homePage")
    require_string(obj["name"], f"{path}.name")


# ---------------------------------------------------------------------------
# Identity keys and the "agent" query parameter
# ---------------------------------------------------------------------------


def ifi_key(agent: Mapping[str, object]) -> str | None:
    """A canonical identity string, so stores can index and compare Agents/Groups by one column.

    Email domains are case-insensitive per the spec, so the mbox domain is lowercased; the SHA1 hex is
    lowercased for the same reason. Returns None for an anonymous Group, which has no identity.
    """
    mbox = agent.get("mbox")
    if isinstance(mbox, str):
        local, _, domain = mbox.rpartition("@")
        return f"mbox:{local}@{domain.lower()}" if local else f"mbox:{mbox}"
    sha1 = agent.get("mbox_sha1sum")
    if isinstance(sha1, str):
        return f"mbox_sha1sum:{sha1.lower()}"
    openid = agent.get("openid")
    if isinstance(openid, str):
        return f"openid:{openid}"
    account = agent.get("account")
    if isinstance(account, Mapping):
        home = str(account.get("homePage", "")).replace("%", "%25").replace("|", "%7C")
        return f"account:{home}|{account.get('name', '')}"
    return None


def parse_agent_param(text: str, *, name: str = "agent") -> dict[str, Any]:
    """Parse an Agent/Group JSON query parameter; parameters get the same validation as statements.

    Anonymous Groups pass validation; callers that need an identity should reject ``ifi_key(...) is None``.
    """
    try:
        value = load_json(text, name)
    except BadRequest:
        raise BadRequest(f"{name}: must be an Agent or Group as JSON, got {show(text)}") from None
    validate_actor(value, name)
    return dict(value)
