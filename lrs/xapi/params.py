"""Parse the query parameters of GET /statements into a typed query, rejecting what the spec does not know."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from lrs.xapi.agent import ifi_key, parse_agent_param
from lrs.xapi.errors import BadRequest
from lrs.xapi.timestamps import parse_query_timestamp

MAX_LIMIT = 500
DEFAULT_LIMIT = 100
FILTERS = {
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
}
SINGLE = {"statementId", "voidedStatementId"}
SINGLE_EXTRAS = {"format", "attachments"}
FORMATS = {"exact", "ids", "canonical"}


@dataclass(frozen=True)
class StatementQuery:
    agent_ifi: str | None = None
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: datetime | None = None
    until: datetime | None = None
    limit: int = DEFAULT_LIMIT
    ascending: bool = False
    format: str = "exact"
    attachments: bool = False
    stored_by: str | None = None  # not a parameter: the LRS restricts statements/read/mine to one credential key
    tenant: str | None = None  # not a parameter: the LRS restricts an organisation's credential to its tenant


def _bool(params: Mapping[str, str], name: str) -> bool:
    value = params.get(name, "false").lower()
    if value not in {"true", "false"}:
        raise BadRequest(f"query parameter '{name}' must be true or false, not {value!r}")
    return value == "true"


def _limit(params: Mapping[str, str]) -> int:
    raw = params.get("limit", "0")
    if not raw.isdigit():
        raise BadRequest(f"query parameter 'limit' must be a whole number of 0 or more, not {raw!r}")
    value = int(raw)
    return DEFAULT_LIMIT if value == 0 else min(value, MAX_LIMIT)


def _uuid(value: str, name: str) -> str:
    import uuid

    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise BadRequest(f"query parameter '{name}' must be a UUID, not {value!r}") from None


def parse_statement_query(params: Mapping[str, str]) -> StatementQuery:
    """Return the query that GET /statements asks for.

    :raises BadRequest: on an unknown parameter or a malformed value.
    """
    unknown = sorted(set(params) - FILTERS)
    if unknown:
        raise BadRequest(f"unknown query parameter(s) for GET statements: {', '.join(unknown)}")
    fmt = _format(params)
    agent = parse_agent_param(params["agent"]) if "agent" in params else None
    return StatementQuery(
        agent_ifi=ifi_key(agent) if agent is not None else None,
        verb=params.get("verb"),
        activity=params.get("activity"),
        registration=_uuid(params["registration"], "registration") if "registration" in params else None,
        related_activities=_bool(params, "related_activities"),
        related_agents=_bool(params, "related_agents"),
        since=parse_query_timestamp(params["since"]) if "since" in params else None,
        until=parse_query_timestamp(params["until"]) if "until" in params else None,
        limit=_limit(params),
        ascending=_bool(params, "ascending"),
        format=fmt,
        attachments=_bool(params, "attachments"),
    )


@dataclass(frozen=True)
class SingleStatementQuery:
    statement_id: str
    voided: bool
    format: str = "exact"
    attachments: bool = False


def _format(params: Mapping[str, str]) -> str:
    fmt = params.get("format", "exact")
    if fmt not in FORMATS:
        raise BadRequest(f"query parameter 'format' must be one of exact, ids, canonical, not {fmt!r}")
    return fmt


def parse_single_request(params: Mapping[str, str]) -> SingleStatementQuery | None:
    """Return the one statement asked for by statementId/voidedStatementId, else None.

    :raises BadRequest: when they come with filters or together.
    """
    asked = SINGLE & set(params)
    if not asked:
        return None
    if len(asked) > 1 or set(params) - SINGLE - SINGLE_EXTRAS:
        raise BadRequest("statementId or voidedStatementId may only be combined with format and attachments")
    name = asked.pop()
    return SingleStatementQuery(
        _uuid(params[name], name), name == "voidedStatementId", _format(params), _bool(params, "attachments")
    )
