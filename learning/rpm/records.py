"""Check a batch of RPM records against the rules and the organisation's programmes, without touching the database.

A record is a dict of field name to value (a JSON object, or a CSV row already turned into one). The result is
either a list of rows ready to store or the problems, one per field, so a sender can fix everything in one go.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from learning.rpm.fields import LOCAL_ZONE, Counts, Field, Invalid, Kind, Spec, is_blank, parse_count
from learning.rpm.personal import forbidden_field
from learning.rpm.problems import N_, Problem

FUTURE_TOLERANCE = timedelta(minutes=10)  # platform clocks drift a little
Issue = tuple[str | None, str, dict[str, Any]]  # field, template, params


@dataclass(frozen=True)
class ProgrammeInfo:
    """What validation needs to know about one programme of the organisation."""

    id: int
    name: str
    measurement_types: frozenset[str]
    severities: frozenset[str]
    teams_by_id: dict[int, str]
    teams_by_name: dict[str, int]  # lower-case name -> id


@dataclass(frozen=True)
class Context:
    """The organisation's programmes and the current time, against which records are checked."""

    organisation_id: int
    programmes: dict[int, ProgrammeInfo]
    now: datetime  # aware

    @property
    def today(self) -> date:
        """Return today's date in the Netherlands: a day's counts sent just after midnight are not from the future."""
        return self.now.astimezone(LOCAL_ZONE).date()

    @property
    def measurement_types(self) -> list[str]:
        """Return every measurement type of the organisation's programmes (the CSV template's count columns)."""
        return sorted({t for programme in self.programmes.values() for t in programme.measurement_types})


@dataclass
class Checked:
    """The outcome of checking a batch: parsed records, problems, and programmes that are not the sender's."""

    records: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    foreign_programmes: set[int] = field(default_factory=set)

    @property
    def rejected(self) -> int:
        """Return how many records had at least one problem."""
        return len({p.index for p in self.problems if p.index is not None})


def check_records(spec: Spec, records: list[Any], ctx: Context) -> Checked:
    """Parse and check every record; collect all problems instead of stopping at the first."""
    checked = Checked()
    seen: dict[tuple[Any, ...], int] = {}
    for index, record in enumerate(records):
        parsed, issues = _check_one(spec, record, ctx, checked.foreign_programmes)
        if not issues:
            key = tuple(parsed[name] for name in spec.key)
            if key in seen:
                issues.append(_duplicate(spec, key))
            seen.setdefault(key, index)
        checked.problems.extend(Problem(index, name, template, params) for name, template, params in issues)
        checked.records.append(parsed)
    return checked


def _duplicate(spec: Spec, key: tuple[Any, ...]) -> Issue:
    described = ", ".join(f"{name} {value}" for name, value in zip(spec.key, key, strict=True))
    return spec.key[-1], N_("%(key)s appears more than once; send each only once."), {"key": described}


def _check_one(spec: Spec, record: Any, ctx: Context, foreign: set[int]) -> tuple[dict[str, Any], list[Issue]]:
    if not isinstance(record, dict):
        return {}, [(None, N_("Each record must be a JSON object."), {})]
    issues = list(_unknown_fields(spec, record))
    parsed: dict[str, Any] = {}
    for f in spec.fields:
        parsed[f.name] = _read(f, record.get(f.name), issues)
    for counts in spec.counts:
        parsed[counts.name] = _read_counts(counts, record.get(counts.name), issues)
    programme = ctx.programmes.get(parsed["programme"])
    if programme is None and parsed["programme"] is not None:
        foreign.add(parsed["programme"])
    if issues or programme is None:
        return parsed, issues
    issues.extend(_resolve_team(parsed, programme))
    issues.extend(_in_programme(spec, parsed, programme))
    issues.extend(CONSISTENCY[spec.kind](parsed))
    issues.extend(_in_future(spec, parsed, ctx))
    return parsed, issues


def _unknown_fields(spec: Spec, record: dict[str, Any]) -> Iterator[Issue]:
    for name in record:
        if name in spec.names:
            continue
        reason = forbidden_field(str(name))
        if reason:
            yield str(name), reason, {}
        else:
            yield str(name), N_("Unknown field; the fields are: %(fields)s."), {"fields": ", ".join(spec.names)}


def _read(f: Field, value: object, issues: list[Issue]) -> Any:
    if is_blank(value):
        if f.required:
            issues.append((f.name, N_("Required."), {}))
        return None
    try:
        return f.parse(value)
    except Invalid as error:
        issues.append((f.name, error.template, error.params))
        return None


def _read_counts(counts: Counts, value: object, issues: list[Issue]) -> dict[str, int]:
    if is_blank(value):
        return {}
    if not isinstance(value, dict):
        issues.append((counts.name, N_("Must be an object of counts by type, e.g. %(example)s."), _example(counts)))
        return {}
    result: dict[str, int] = {}
    for key, count in value.items():
        name = f"{counts.name}.{key}"
        if counts.keys is not None and key not in counts.keys:
            issues.append((name, N_("Unknown type; the types are: %(types)s."), {"types": ", ".join(counts.keys)}))
        elif is_blank(count):
            continue
        else:
            try:
                result[str(key)] = parse_count(count)
            except Invalid as error:
                issues.append((name, error.template, error.params))
    return result


def _example(counts: Counts) -> dict[str, Any]:
    return {"example": ", ".join(f"{k}: {v}" for k, v in counts.example.items())}


def _resolve_team(parsed: dict[str, Any], programme: ProgrammeInfo) -> list[Issue]:
    """Replace a team name or number by the id of a team that works in the programme, or say why not."""
    team = parsed.get("team")
    if team is None:
        return []
    team_id = team if isinstance(team, int) else programme.teams_by_name.get(team.lower())
    if team_id not in programme.teams_by_id:
        params = {"team": team, "programme": programme.name}
        return [("team", N_("Team %(team)s does not work in programme %(programme)s."), params)]
    parsed["team"] = team_id
    return []


def _in_programme(spec: Spec, parsed: dict[str, Any], programme: ProgrammeInfo) -> Iterator[Issue]:
    """Check severity and measurement types against the programme's own configuration."""
    severity = parsed.get("severity")
    if severity is not None and severity not in programme.severities:
        options = ", ".join(sorted(programme.severities))
        yield "severity", N_("Not a severity of this programme; use one of: %(options)s."), {"options": options}
    for counts in spec.counts:
        if counts.keys is None:
            for key in parsed[counts.name]:
                if key not in programme.measurement_types:
                    types = ", ".join(sorted(programme.measurement_types))
                    params = {"type": key, "types": types, "programme": programme.name}
                    template = N_("%(programme)s does not measure %(type)s (it measures: %(types)s).")
                    yield f"{counts.name}.{key}", template, params


def _in_future(spec: Spec, parsed: dict[str, Any], ctx: Context) -> Iterator[Issue]:
    for f in spec.fields:
        value = parsed.get(f.name)
        if isinstance(value, datetime):
            if value > ctx.now + FUTURE_TOLERANCE:
                yield f.name, N_("Lies in the future."), {}
        elif isinstance(value, date) and value > ctx.today:
            yield f.name, N_("Lies in the future."), {}


def _before(later: str, earlier: str, parsed: dict[str, Any]) -> Iterator[Issue]:
    if parsed[later] is not None and parsed[earlier] is not None and parsed[later] < parsed[earlier]:
        yield later, N_("Lies before %(other)s (%(value)s)."), {"other": earlier, "value": str(parsed[earlier])}


def _needs(field_name: str, other: str, parsed: dict[str, Any]) -> Iterator[Issue]:
    if parsed[field_name] is not None and parsed[other] is None:
        yield field_name, N_("Needs %(other)s as well."), {"other": other}


def _enrolment_rules(parsed: dict[str, Any]) -> Iterator[Issue]:
    if parsed["offered_at"] is None and parsed["enrolled_at"] is None:
        yield "enrolled_at", N_("Give offered_at, enrolled_at or both."), {}
    yield from _before("enrolled_at", "offered_at", parsed)
    for later in ("first_measurement_at", "disenrolled_at"):
        yield from _needs(later, "enrolled_at", parsed)
        yield from _before(later, "enrolled_at", parsed)
    yield from _needs("disenrol_reason", "disenrolled_at", parsed)
    yield from _needs("disenrolled_at", "disenrol_reason", parsed)


def _daily_rules(parsed: dict[str, Any]) -> Iterator[Issue]:
    for key, manual in parsed["manual"].items():
        if manual > parsed["received"].get(key, 0):
            yield f"manual.{key}", N_("More typed-in measurements than measurements received."), {}


def _alert_rules(parsed: dict[str, Any]) -> Iterator[Issue]:
    yield from _before("first_action_at", "created_at", parsed)
    yield from _needs("action_type", "first_action_at", parsed)


def _no_rules(parsed: dict[str, Any]) -> Iterator[Issue]:
    return iter(())


CONSISTENCY: dict[Kind, Callable[[dict[str, Any]], Iterator[Issue]]] = {
    Kind.ENROLMENTS: _enrolment_rules,
    Kind.DAILY: _daily_rules,
    Kind.ALERTS: _alert_rules,
    Kind.STAFF_ACTIVITY: _no_rules,
    Kind.ELIGIBLE_COUNTS: _no_rules,
}
