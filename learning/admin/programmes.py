"""RPM programmes of an organisation: added to an implementation environment, edited, and ended (records stay).

A manager of X runs X's programmes only, with X's teams; a regional administrator those of every organisation. The
environment is the region's (learning.admin.environments) and sets the condition: the metrics and dashboards group a
programme under its environment, so a heart-failure programme in a diabetes environment would count in the wrong
place. Measurement schedule, alert norms (SLA) and business hours start from the same defaults per condition as the
demo region, so uploads and metrics treat a programme made here like a demo one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from learning.accounts.models import Team
from learning.admin import log
from learning.admin.scope import Actor, AdminError, OutOfScope, require
from learning.db import db
from learning.demo.region import ALERT_SLA_MINUTES, DAILY_8_TO_22, SCHEDULES, WEEKDAYS_8_TO_17
from learning.environments.models import Condition, Environment, Programme

ACTIVE, ENDED = "active", "ended"
LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")  # "today" on the care organisations' clock
DEFAULT_ADHERENCE = 0.8  # the demo's and the dashboards' norm: a measurement on 8 of 10 expected days
# conditions the demo region does not run get a plain schedule of their own main measurement and the demo's norms
OTHER_SCHEDULES: dict[Condition, dict[str, str]] = {
    Condition.HTN: {"bp": "daily"},
    Condition.OA: {"steps": "daily", "pain": "1/wk"},
    Condition.DEM: {"activity": "daily"},
}
PLAIN_SLA = ALERT_SLA_MINUTES[Condition.HF]


@dataclass(frozen=True)
class ProgrammeData:
    environment_id: int | None
    name: str
    condition: str  # "" takes the environment's
    platform_name: str
    start: date | None
    team_ids: tuple[int, ...]
    monitoring_centre_team_id: int | None = None
    adherence_threshold: float | None = None  # a share (0.8); None takes DEFAULT_ADHERENCE
    around_the_clock: bool = False  # alerts are answered 08-22 every day instead of 08-17 on weekdays


@dataclass(frozen=True)
class _Checked:
    """Programme data that passed every rule: names tidied, the threshold filled in, the teams looked up."""

    environment_id: int
    name: str
    condition: Condition
    platform_name: str
    start: date
    threshold: float
    teams: list[Team]
    monitoring_centre_team_id: int | None
    around_the_clock: bool


def default_schedule(condition: Condition) -> dict[str, str]:
    return dict(SCHEDULES.get(condition) or OTHER_SCHEDULES.get(condition, {}))


def default_sla(condition: Condition) -> dict[str, int]:
    return dict(ALERT_SLA_MINUTES.get(condition, PLAIN_SLA))


def programmes_of(actor: Actor, organisation_id: int) -> list[Programme]:
    """The organisation's programmes, running ones first, each by name."""
    query = select(Programme).where(Programme.organisation_id == require(actor, organisation_id))
    return sorted(db.session.scalars(query), key=lambda p: (p.status == ENDED, p.name.lower()))


def get_programme(actor: Actor, organisation_id: int, programme_id: int) -> Programme:
    programme = db.session.get(Programme, programme_id)
    if programme is None or programme.organisation_id != require(actor, organisation_id):
        raise OutOfScope
    return programme


def _teams(organisation_id: int, data: ProgrammeData) -> list[Team]:
    """The teams taking part, the monitoring centre among them (as in the demo region); only this organisation's."""
    if not data.team_ids:
        raise AdminError("programme-teams-missing")
    wanted = set(data.team_ids)
    teams = list(db.session.scalars(select(Team).where(Team.id.in_(wanted), Team.organisation_id == organisation_id)))
    if len(teams) != len(wanted):
        raise AdminError("programme-team-unknown")
    centre_id = data.monitoring_centre_team_id
    if centre_id is not None and centre_id not in wanted:
        centre = db.session.get(Team, centre_id)
        if centre is None or centre.organisation_id != organisation_id:
            raise AdminError("monitoring-team-unknown")
        teams.append(centre)
    return sorted(teams, key=lambda team: team.name.lower())


def _check(organisation_id: int, data: ProgrammeData, programme: Programme | None) -> _Checked:
    """Refuse before anything is stored, so a refused form changes nothing."""
    name, platform = " ".join(data.name.split()), " ".join(data.platform_name.split())
    environment = db.session.get(Environment, data.environment_id) if data.environment_id is not None else None
    if environment is None:
        raise AdminError("programme-environment-unknown")
    if not name or len(name) > 200:
        raise AdminError("programme-name-required")
    taken = db.session.scalar(
        select(Programme.id).where(
            Programme.organisation_id == organisation_id, func.lower(Programme.name) == name.lower()
        )
    )
    if taken is not None and (programme is None or taken != programme.id):
        raise AdminError("programme-name-taken")
    condition = data.condition or environment.condition.value  # no choice: the environment's
    if condition not in {c.value for c in Condition}:
        raise AdminError("programme-condition-unknown")
    if Condition(condition) is not environment.condition:
        raise AdminError("programme-condition-mismatch", condition=environment.condition.value)
    if not platform or len(platform) > 100:
        raise AdminError("platform-required")
    if data.start is None:
        raise AdminError("programme-start-missing")
    if programme is not None and programme.end is not None and data.start > programme.end:
        raise AdminError("programme-start-after-end", end=programme.end.isoformat())
    threshold = DEFAULT_ADHERENCE if data.adherence_threshold is None else data.adherence_threshold
    if not 0 < threshold <= 1:
        raise AdminError("adherence-out-of-range")
    return _Checked(environment.id, name, environment.condition, platform, data.start, threshold,
                    _teams(organisation_id, data), data.monitoring_centre_team_id, data.around_the_clock)  # fmt: skip


def _hours(around_the_clock: bool) -> dict[str, object]:
    return dict(DAILY_8_TO_22 if around_the_clock else WEEKDAYS_8_TO_17)


def add_programme(actor: Actor, organisation_id: int, data: ProgrammeData) -> Programme:
    """Add an RPM programme of the organisation to an environment, with the demo's defaults for its condition."""
    organisation_id = require(actor, organisation_id)
    checked = _check(organisation_id, data, None)
    programme = Programme(
        environment_id=checked.environment_id,
        organisation_id=organisation_id,
        name=checked.name,
        condition=checked.condition,
        platform_name=checked.platform_name,
        measurement_schedule=default_schedule(checked.condition),
        alert_sla_minutes=default_sla(checked.condition),
        business_hours=_hours(checked.around_the_clock),
        adherence_threshold=checked.threshold,
        monitoring_centre_team_id=checked.monitoring_centre_team_id,
        start=checked.start,
        status=ACTIVE,
    )
    programme.teams = checked.teams
    db.session.add(programme)
    db.session.commit()
    log.record(actor, "admin.programme.create", f"programme:{programme.id}")
    return programme


def edit_programme(actor: Actor, organisation_id: int, programme_id: int, data: ProgrammeData) -> Programme:
    """Change a programme's name, environment, platform, start, threshold, hours and which teams take part.

    The schedule and alert norms follow a new condition only when the condition changes with the environment; its
    records (enrolments, measurements, alerts) stay with the programme whatever changes.
    """
    programme = get_programme(actor, organisation_id, programme_id)
    checked = _check(programme.organisation_id, data, programme)
    if checked.condition is not programme.condition:
        condition = checked.condition
        programme.measurement_schedule, programme.alert_sla_minutes = (
            default_schedule(condition),
            default_sla(condition),
        )
    programme.environment_id, programme.name, programme.condition = (
        checked.environment_id,
        checked.name,
        checked.condition,
    )
    programme.platform_name, programme.start = checked.platform_name, checked.start
    programme.adherence_threshold, programme.business_hours = checked.threshold, _hours(checked.around_the_clock)
    programme.monitoring_centre_team_id, programme.teams = checked.monitoring_centre_team_id, checked.teams
    db.session.commit()
    log.record(actor, "admin.programme.update", f"programme:{programme.id}")
    return programme


def local_today() -> date:
    return datetime.now(LOCAL_ZONE).date()


def is_around_the_clock(programme: Programme) -> bool:
    return len((programme.business_hours or {}).get("days", []) or []) == 7  # type: ignore[arg-type]


def end_programme(actor: Actor, organisation_id: int, programme_id: int, end: date | None) -> Programme:
    """End a programme on its last day (today or earlier: the status says it has ended); its records stay."""
    programme = get_programme(actor, organisation_id, programme_id)
    if programme.status == ENDED:
        raise AdminError("programme-ended-already", end=programme.end.isoformat() if programme.end else "")
    if end is None:
        raise AdminError("programme-end-missing")
    if end > local_today():
        raise AdminError("programme-end-in-future")
    if end < programme.start:
        raise AdminError("programme-end-before-start", start=programme.start.isoformat())
    programme.end, programme.status = end, ENDED
    db.session.commit()
    log.record(actor, "admin.programme.end", f"programme:{programme.id}")
    return programme
