"""Turn statements of our RPM profile (profile.py) into RPM records, refusing with a reason what cannot be mapped.

The programme is named by the `programme` extension (our programme IRI or its number), the team by the pseudonym
we issued, the patient or staff member by the actor's account name: the care organisation's own pseudonym. Each
statement changes one record (two for a first measurement), merged in an RpmBatch; ingestion checks the values.

Only the organisation that runs a programme may report on it: a statement is accepted only when its `authority`
(which the LRS stamps with the credential that stored it) is linked to that organisation (rpm_source,
`flask rpm link-credential`); any other is rejected.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from learning.accounts.models import Organisation, Team, User
from learning.db import db
from learning.environments.models import Programme
from learning.rpm.fields import Kind
from learning.rpm.sources import Authority, is_linked, linked_authorities
from learning.tracking.homes import is_platform_home
from learning.tracking.profile import VERBS, RpmIris
from learning.tracking.rpm_batch import RpmBatch
from learning.tracking.sync_training import Unmappable, account_of, parse_timestamp

DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
IDENTIFYING = ("name", "mbox", "mbox_sha1sum", "openid")


class Rejected(Unmappable):
    """An RPM statement from a sender that may not report for the programme's organisation."""


class Directory:
    """The programmes and teams statements name, looked up once per sync run."""

    def __init__(self) -> None:
        self._programmes: dict[int, int | None] = {}
        self._teams: dict[str, tuple[int, int] | None] = {}
        self._sources: dict[int, list[tuple[str | None, str]]] = {}
        self._learners: dict[str, tuple[int | None, str | None]] = {}

    def organisation_of(self, programme_id: int) -> int | None:
        if programme_id not in self._programmes:
            programme = db.session.get(Programme, programme_id)
            self._programmes[programme_id] = programme.organisation_id if programme else None
        return self._programmes[programme_id]

    def sources_of(self, organisation_id: int) -> list[tuple[str | None, str]]:
        if organisation_id not in self._sources:
            self._sources[organisation_id] = linked_authorities(organisation_id)
        return self._sources[organisation_id]

    def organisation_of_learner(self, actor_pid: str) -> int | None:
        """Return the organisation of the account whose xAPI actor name this is (None: no such account, or none)."""
        return self._learner(actor_pid)[0]

    def organisation_pseudonym_of_learner(self, actor_pid: str) -> str | None:
        """Return the pseudonym of that organisation, which the learner's homePage carries (tracking/homes.py)."""
        return self._learner(actor_pid)[1]

    def _learner(self, actor_pid: str) -> tuple[int | None, str | None]:
        if actor_pid not in self._learners:
            row = db.session.execute(
                select(User.organisation_id, Organisation.pseudonym)
                .outerjoin(Organisation, Organisation.id == User.organisation_id)
                .where(User.xapi_pid == actor_pid)
            ).first()
            self._learners[actor_pid] = (row.organisation_id, row.pseudonym) if row else (None, None)
        return self._learners[actor_pid]

    def team_of(self, pseudonym: str) -> tuple[int, int] | None:
        if pseudonym not in self._teams:
            row = db.session.execute(select(Team.id, Team.organisation_id).where(Team.pseudonym == pseudonym)).first()
            self._teams[pseudonym] = (row.id, row.organisation_id) if row else None
        return self._teams[pseudonym]


@dataclass(frozen=True)
class RpmStatement:
    """One RPM statement with its names resolved: what the write functions need, nothing else."""

    verb: str
    programme_id: int
    organisation_id: int
    actor_pid: str
    at: datetime  # the timestamp, in UTC
    on: date  # the timestamp's date in the offset it was sent with: the organisation's own calendar day
    context: dict[str, Any]  # our extensions by short name
    result: dict[str, Any]

    def need(self, where: str, name: str) -> Any:
        found = (self.context if where == "context" else self.result).get(name)
        if found is None:
            raise Unmappable(f"{where} extension '{name}' is missing")
        return found


def rpm_verb(statement: dict[str, Any], iris: RpmIris) -> str | None:
    """Return the profile verb's short name when the statement uses one of our RPM verbs, else None."""
    verb_id = str((statement.get("verb") or {}).get("id", ""))
    prefix = iris.verb("")
    return verb_id[len(prefix) :] if verb_id.startswith(prefix) else None


def merge_rpm_statement(statement: dict[str, Any], iris: RpmIris, directory: Directory, batch: RpmBatch) -> None:
    """Merge one RPM statement into the record it changes; the batch imports the records later.

    :raises Unmappable: when it breaks the profile or names what this site does not know; the batch is unchanged.
    """
    parsed = _parse(statement, iris, directory)
    MERGE[parsed.verb](parsed, directory, batch, str(statement["id"]))


def _parse(statement: dict[str, Any], iris: RpmIris, directory: Directory) -> RpmStatement:
    verb = rpm_verb(statement, iris) or ""
    if verb not in VERBS:
        raise Unmappable(f"verb '{verb}' is not one of the RPM profile")
    context = _ours(statement.get("context"), iris)
    programme_id = _programme_id(context.get("programme"), iris)
    organisation_id = directory.organisation_of(programme_id)
    if organisation_id is None:
        raise Unmappable(f"there is no programme {programme_id}")
    _check_sender(authority_of(statement), programme_id, organisation_id, directory)
    at = parse_timestamp(statement.get("timestamp"))
    on = datetime.fromisoformat(str(statement["timestamp"])).date()
    result = _ours(statement.get("result"), iris)
    return RpmStatement(verb, programme_id, organisation_id, _actor_pid(statement, iris), at, on, context, result)


def authority_of(statement: dict[str, Any]) -> Authority | None:
    """Return the (homePage, name) of the statement's authority when it is an Agent with an account, else None."""
    authority = statement.get("authority")
    if not isinstance(authority, dict) or authority.get("objectType", "Agent") != "Agent":
        return None
    account = authority.get("account")
    home, name = (account.get("homePage"), account.get("name")) if isinstance(account, dict) else (None, None)
    return (home, name) if isinstance(home, str) and isinstance(name, str) else None


def _check_sender(authority: Authority | None, programme_id: int, organisation_id: int, directory: Directory) -> None:
    if authority is None:
        raise Rejected("the statement's authority is not the account of an LRS credential, so its sender is unknown")
    if not is_linked(authority, directory.sources_of(organisation_id)):
        home, key = authority
        raise Rejected(
            f"credential {key} (authority homePage {home}) is not linked to organisation {organisation_id}, which "
            f"runs programme {programme_id}; to accept it: flask rpm link-credential --organisation "
            f"{organisation_id} --key {key}, then read it again with flask xapi sync --since <a time before it>"
        )


def _ours(part: object, iris: RpmIris) -> dict[str, Any]:
    extensions = part.get("extensions") if isinstance(part, dict) else None
    prefix = iris.extension("")
    if not isinstance(extensions, dict):
        return {}
    return {key[len(prefix) :]: value for key, value in extensions.items() if key.startswith(prefix)}


def _programme_id(value: object, iris: RpmIris) -> int:
    text = str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
    number = text.removeprefix(iris.programme_prefix)
    if not number.isascii() or not number.isdigit() or len(number) > 9:
        raise Unmappable(f"context extension 'programme' must be {iris.programme_prefix}<id> or the id, not {value!r}")
    return int(number)


def _actor_pid(statement: dict[str, Any], iris: RpmIris) -> str:
    actor = statement.get("actor") or {}
    if any(key in actor for key in IDENTIFYING):
        raise Unmappable("the actor carries a name or mailbox; the RPM profile allows a pseudonymous account only")
    home, pid = account_of(statement) or ("", "")
    if not home or is_platform_home(home, iris.base):
        raise Unmappable("the actor must be an account of the care organisation's platform")
    if not 0 < len(pid) <= 64:
        raise Unmappable("the actor's account name must be 1 to 64 characters")
    return pid


def _day(value: object, name: str) -> date:
    if not isinstance(value, str) or not DAY.match(value):
        raise Unmappable(f"extension '{name}' must be a date YYYY-MM-DD, not {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Unmappable(f"extension '{name}' is not a real date: {value!r}") from None


def _team_id(stmt: RpmStatement, directory: Directory) -> int | None:
    pseudonym = stmt.context.get("team")
    if pseudonym is None:
        return None
    team = directory.team_of(str(pseudonym))
    if team is None or team[1] != stmt.organisation_id:
        raise Unmappable(f"team {pseudonym!r} is not a team of the programme's organisation")
    return team[0]


def _new_enrolment(stmt: RpmStatement) -> dict[str, Any]:
    names = ("team", "offered_at", "enrolled_at", "first_measurement_at", "disenrolled_at", "disenrol_reason")
    return {"programme": stmt.programme_id, "patient_pid": stmt.actor_pid} | dict.fromkeys(names)


def _enrolled(stmt: RpmStatement, directory: Directory, batch: RpmBatch, by: str) -> None:
    """Set the enrolment day; enrolling after having left is a re-enrolment, which clears the leaving."""
    record = batch.enrolment(stmt.programme_id, stmt.actor_pid) or _new_enrolment(stmt)
    on = stmt.on.isoformat()
    if record["disenrolled_at"] is not None and record["disenrolled_at"] < on:
        record |= {"disenrolled_at": None, "disenrol_reason": None}
        if record["first_measurement_at"] is not None and record["first_measurement_at"] < on:
            record["first_measurement_at"] = None
    record["enrolled_at"] = on
    record["team"] = _team_id(stmt, directory) or record["team"]
    offered = stmt.context.get("offered-on")
    if offered is not None:
        record["offered_at"] = _day(offered, "offered-on").isoformat()
    batch.put(Kind.ENROLMENTS, (stmt.programme_id, stmt.actor_pid), stmt.organisation_id, record, by)


def _disenrolled(stmt: RpmStatement, directory: Directory, batch: RpmBatch, by: str) -> None:
    reason = stmt.need("result", "disenrol-reason")
    record = batch.enrolment(stmt.programme_id, stmt.actor_pid)
    if record is None or record["enrolled_at"] is None:
        raise Unmappable(f"no enrolment of this patient in programme {stmt.programme_id} is known")
    record |= {"disenrolled_at": stmt.on.isoformat(), "disenrol_reason": reason}
    batch.put(Kind.ENROLMENTS, (stmt.programme_id, stmt.actor_pid), stmt.organisation_id, record, by)


def _transmitted(stmt: RpmStatement, directory: Directory, batch: RpmBatch, by: str) -> None:
    """Record the day's counts; the first day with measurements after enrolment is the first measurement."""
    day = _day(stmt.need("context", "day"), "day").isoformat()
    received = stmt.need("result", "received-counts")
    record = {"programme": stmt.programme_id, "patient_pid": stmt.actor_pid, "day": day}
    record |= {"expected": stmt.need("context", "expected"), "received": received}
    record["manual"] = stmt.result.get("manual-counts")
    batch.put(Kind.DAILY, (stmt.programme_id, stmt.actor_pid, day), stmt.organisation_id, record, by)
    enrolment = batch.enrolment(stmt.programme_id, stmt.actor_pid)
    if enrolment is None or enrolment["enrolled_at"] is None or day < enrolment["enrolled_at"]:
        return
    measured = any(type(n) is int and n > 0 for n in received.values())
    first = enrolment["first_measurement_at"]
    if measured and (first is None or day < first):
        enrolment["first_measurement_at"] = day
        with suppress(Unmappable):  # the day's counts stand even if the enrolment is not consistent right now
            batch.put(Kind.ENROLMENTS, (stmt.programme_id, stmt.actor_pid), stmt.organisation_id, enrolment, by)


def _alert_id(stmt: RpmStatement) -> str:
    alert_id = stmt.need("context", "alert-id")
    if not isinstance(alert_id, str):
        raise Unmappable("extension 'alert-id' must be text")
    return alert_id


def _alert_raised(stmt: RpmStatement, directory: Directory, batch: RpmBatch, by: str) -> None:
    """Set who, how severe and when; what was done about it (if known already) stays."""
    alert_id = _alert_id(stmt)
    record = batch.alert(stmt.programme_id, alert_id) or dict.fromkeys(("first_action_at", "action_type", "outcome"))
    record |= {"programme": stmt.programme_id, "external_id": alert_id, "patient_pid": stmt.actor_pid}
    record |= {"severity": stmt.need("context", "severity"), "created_at": stmt.at.isoformat()}
    record["team"] = _team_id(stmt, directory) or record.get("team")
    batch.put(Kind.ALERTS, (stmt.programme_id, alert_id), stmt.organisation_id, record, by)


def _alert_handled(stmt: RpmStatement, directory: Directory, batch: RpmBatch, by: str) -> None:
    """Set the first action (the earliest one reported wins) on an alert raised before."""
    alert_id = _alert_id(stmt)
    action = stmt.need("result", "action-type")
    record = batch.alert(stmt.programme_id, alert_id)
    if record is None or record["patient_pid"] != stmt.actor_pid:
        raise Unmappable(f"alert {alert_id!r} of this patient is not known (alert-raised must come first)")
    earlier = record["first_action_at"]
    if earlier is None or stmt.at < datetime.fromisoformat(earlier):
        record["first_action_at"] = stmt.at.isoformat()
    record["action_type"] = action
    record["outcome"] = stmt.result.get("outcome", record["outcome"])
    batch.put(Kind.ALERTS, (stmt.programme_id, alert_id), stmt.organisation_id, record, by)


def _staff_acted(stmt: RpmStatement, directory: Directory, batch: RpmBatch, by: str) -> None:
    day = _day(stmt.need("context", "day"), "day").isoformat()
    record = {"programme": stmt.programme_id, "staff_pid": stmt.actor_pid, "day": day}
    record["actions"] = stmt.need("result", "action-counts")
    batch.put(Kind.STAFF_ACTIVITY, (stmt.programme_id, stmt.actor_pid, day), stmt.organisation_id, record, by)


MERGE: dict[str, Callable[[RpmStatement, Directory, RpmBatch, str], None]] = {
    "enrolled": _enrolled,
    "disenrolled": _disenrolled,
    "transmitted": _transmitted,
    "alert-raised": _alert_raised,
    "alert-handled": _alert_handled,
    "staff-acted": _staff_acted,
}
