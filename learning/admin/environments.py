"""Implementation environments: a regional administrator creates and edits them (they span organisations).

Only the service exists yet; the page under /admin and `flask admin environment add|edit` call it next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from learning.admin import log
from learning.admin.scope import Actor, AdminError, OutOfScope
from learning.db import db
from learning.environments.models import Condition, Environment, Phase


@dataclass(frozen=True)
class EnvironmentData:
    name: str
    condition: str
    phase: str
    start: date | None
    end: date | None = None


def _check(data: EnvironmentData, current_id: int | None) -> None:
    """Refuse before anything is stored, so a refused form changes nothing."""
    name = data.name.strip()
    if not name:
        raise AdminError("environment_name_missing")
    if data.condition not in {c.value for c in Condition}:
        raise AdminError("environment_condition_unknown")
    if data.phase not in {p.value for p in Phase}:
        raise AdminError("environment_phase_unknown")
    if data.start is None:
        raise AdminError("environment_start_missing")
    if data.end is not None and data.end < data.start:
        raise AdminError("environment_end_before_start")
    clash = db.session.scalar(select(Environment.id).where(Environment.name == name))
    if clash is not None and clash != current_id:
        raise AdminError("environment_name_taken")


def add_environment(actor: Actor, data: EnvironmentData) -> Environment:
    """Create an environment; only a regional administrator may, as it is shared by the region's organisations."""
    if not actor.regional:
        raise OutOfScope()
    _check(data, None)
    if data.start is None:  # _check refused this already; this tells the type checker
        raise AdminError("environment_start_missing")
    environment = Environment(
        name=data.name.strip(),
        condition=Condition(data.condition),
        phase=Phase(data.phase),
        start=data.start,
        end=data.end,
    )
    db.session.add(environment)
    db.session.commit()
    log.record(actor, "admin.environment.create", f"environment:{environment.id}")
    return environment


def edit_environment(actor: Actor, environment_id: int, data: EnvironmentData) -> Environment:
    """Change an environment's name, condition, phase and dates; its programmes stay attached."""
    if not actor.regional:
        raise OutOfScope()
    environment = db.session.get(Environment, environment_id)
    if environment is None:
        raise AdminError("environment_unknown")
    _check(data, environment.id)
    if data.start is None:  # _check refused this already; this tells the type checker
        raise AdminError("environment_start_missing")
    environment.name, environment.condition = data.name.strip(), Condition(data.condition)
    environment.phase, environment.start, environment.end = Phase(data.phase), data.start, data.end
    db.session.commit()
    log.record(actor, "admin.environment.update", f"environment:{environment.id}")
    return environment
