"""Implementation environments: a regional administrator creates and edits them (they span organisations).

Every administrator sees the list (a manager needs it to add a programme of their organisation to one); the page
/admin/environments and `flask admin environment add|edit` call these services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from learning.admin import log
from learning.admin.scope import Actor, AdminError, OutOfScope
from learning.db import db
from learning.environments.models import Condition, Environment, Phase, Programme


@dataclass(frozen=True)
class EnvironmentData:
    name: str
    condition: str
    phase: str
    start: date | None
    end: date | None = None
    funding_end: date | None = None


def all_environments() -> list[Environment]:
    """Every environment of the region by name: shared by its organisations, so no administrator's scope narrows it."""
    return list(db.session.scalars(select(Environment).order_by(Environment.name)))


def get_environment(environment_id: int) -> Environment:
    environment = db.session.get(Environment, environment_id)
    if environment is None:
        raise OutOfScope()
    return environment


def _check(data: EnvironmentData, current_id: int | None) -> None:
    """Refuse before anything is stored, so a refused form changes nothing."""
    name = " ".join(data.name.split())
    if not name or len(name) > 200:
        raise AdminError("environment_name_missing")
    if data.condition not in {c.value for c in Condition}:
        raise AdminError("environment_condition_unknown")
    if data.phase not in {p.value for p in Phase}:
        raise AdminError("environment_phase_unknown")
    if data.start is None:
        raise AdminError("environment_start_missing")
    if data.end is not None and data.end < data.start:
        raise AdminError("environment_end_before_start")
    if data.funding_end is not None and data.funding_end < data.start:
        raise AdminError("environment_funding_end_before_start")
    clash = db.session.scalar(select(Environment.id).where(func.lower(Environment.name) == name.lower()))
    if clash is not None and clash != current_id:
        raise AdminError("environment_name_taken")
    if current_id is not None:
        # a programme's condition is its environment's (the metrics group by it): changing it under them would split
        other = db.session.scalar(
            select(Programme.name).where(
                Programme.environment_id == current_id, Programme.condition != Condition(data.condition)
            )
        )
        if other is not None:
            raise AdminError("environment_condition_in_use", programme=other)


def add_environment(actor: Actor, data: EnvironmentData) -> Environment:
    """Create an environment; only a regional administrator may, as it is shared by the region's organisations."""
    if not actor.regional:
        raise OutOfScope()
    _check(data, None)
    if data.start is None:  # _check refused this already; this tells the type checker
        raise AdminError("environment_start_missing")
    environment = Environment(
        name=" ".join(data.name.split()),
        condition=Condition(data.condition),
        phase=Phase(data.phase),
        start=data.start,
        end=data.end,
        funding_end=data.funding_end,
    )
    db.session.add(environment)
    db.session.commit()
    log.record(actor, "admin.environment.create", f"environment:{environment.id}")
    return environment


def edit_environment(actor: Actor, environment_id: int, data: EnvironmentData) -> Environment:
    """Change an environment's name, condition, phase and dates; its programmes stay attached."""
    if not actor.regional:
        raise OutOfScope()
    environment = get_environment(environment_id)
    _check(data, environment.id)
    if data.start is None:  # _check refused this already; this tells the type checker
        raise AdminError("environment_start_missing")
    environment.name, environment.condition = " ".join(data.name.split()), Condition(data.condition)
    environment.phase, environment.start, environment.end = Phase(data.phase), data.start, data.end
    environment.funding_end = data.funding_end
    db.session.commit()
    log.record(actor, "admin.environment.update", f"environment:{environment.id}")
    return environment
