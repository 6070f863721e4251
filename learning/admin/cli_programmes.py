"""`flask admin environment ...` and `flask admin programme ...`: the environment and programme pages for the shell.

Environments are named by id or exact name, programmes by id or name within their organisation, teams as in
`flask admin team`. The services are the pages' (learning.admin.environments and .programmes), so every rule and
access-log entry is the same; the shell acts as a regional administrator.
"""

from __future__ import annotations

from datetime import date, datetime

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from learning.accounts.models import Organisation
from learning.admin import environments, programmes
from learning.admin.cli import _fail, _organisation, _team, cli
from learning.admin.environments import EnvironmentData
from learning.admin.programmes import ProgrammeData
from learning.admin.scope import Actor, AdminError
from learning.db import db
from learning.environments.models import Condition, Environment, Phase, Programme

DAY = click.DateTime(["%Y-%m-%d"])
CONDITION = click.Choice([c.value for c in Condition])
PHASE = click.Choice([p.value for p in Phase])
environment_cli = AppGroup("environment", help="List, add and change implementation environments.")
programme_cli = AppGroup("programme", help="List, add, change and end an organisation's RPM programmes.")
cli.add_command(environment_cli)
cli.add_command(programme_cli)


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def _environment(ref: str) -> Environment:
    found = db.session.get(Environment, int(ref)) if ref.isdigit() else None
    found = found or db.session.scalar(select(Environment).where(func.lower(Environment.name) == ref.lower()))
    if found is None:
        raise click.BadParameter(f"no environment {ref!r}", param_hint="ENVIRONMENT")
    return found


def _programme(org: Organisation, ref: str) -> Programme:
    for programme in programmes.programmes_of(Actor.shell(), org.id):
        if str(programme.id) == ref or programme.name.lower() == ref.lower():
            return programme
    raise click.BadParameter(f"no programme {ref!r} in {org.name}", param_hint="PROGRAMME")


def _teams(org: Organisation, refs: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(team for ref in refs if (team := _team(org, ref)) is not None)


@environment_cli.command("list")
def list_environments() -> None:
    """Every environment with its programmes."""
    for env in environments.all_environments():
        until = env.end.isoformat() if env.end else "-"
        click.echo(f"{env.id}\t{env.name}\t{env.condition.value}\t{env.phase.value}\t{env.start.isoformat()}\t{until}")
        for programme in env.programmes:
            click.echo(f"\t{programme.id} {programme.name} ({programme.organisation.name}, {programme.status})")


@environment_cli.command("add")
@click.argument("name")
@click.option("--condition", type=CONDITION, required=True)
@click.option("--phase", type=PHASE, required=True, help="Where the environment is on the CeHRes Roadmap.")
@click.option("--start", type=DAY, required=True)
@click.option("--end", type=DAY)
@click.option("--funding-end", type=DAY)
def add_environment(name: str, condition: str, phase: str, start: datetime, end: datetime | None,
                    funding_end: datetime | None) -> None:  # fmt: skip
    """Add an implementation environment."""
    data = EnvironmentData(name, condition, phase, _day(start), _day(end), _day(funding_end))
    try:
        made = environments.add_environment(Actor.shell(), data)
    except AdminError as error:
        raise _fail(error) from None
    click.echo(f"Environment {made.id} created: {made.name}")


@environment_cli.command("edit")
@click.argument("environment")
@click.option("--name")
@click.option("--condition", type=CONDITION)
@click.option("--phase", type=PHASE)
@click.option("--start", type=DAY)
@click.option("--end", type=DAY)
@click.option("--funding-end", type=DAY)
@click.option("--no-end", is_flag=True, help="Clear the end date.")
@click.option("--no-funding-end", is_flag=True, help="Clear the funding end.")
def edit_environment(environment: str, name: str | None, condition: str | None, phase: str | None,
                     start: datetime | None, end: datetime | None, funding_end: datetime | None, no_end: bool,
                     no_funding_end: bool) -> None:  # fmt: skip
    """Change an environment; what is not given stays as it is."""
    env = _environment(environment)
    data = EnvironmentData(name or env.name, condition or env.condition.value, phase or env.phase.value,
                           _day(start) or env.start, None if no_end else _day(end) or env.end,
                           None if no_funding_end else _day(funding_end) or env.funding_end)  # fmt: skip
    try:
        made = environments.edit_environment(Actor.shell(), env.id, data)
    except AdminError as error:
        raise _fail(error) from None
    click.echo(f"Environment {made.id} updated: {made.name}")


@programme_cli.command("list")
@click.argument("organisation")
def list_programmes(organisation: str) -> None:
    """An organisation's programmes with their environment, teams and status."""
    org = _organisation(organisation)
    for p in programmes.programmes_of(Actor.shell(), org.id):
        teams = ", ".join(team.name for team in p.teams)
        click.echo(f"{p.id}\t{p.name}\t{p.environment.name}\t{p.status}\t{p.start.isoformat()}\t{teams}")


@programme_cli.command("add")
@click.argument("organisation")
@click.argument("name")
@click.option("--environment", required=True, help="The environment (id or name) the programme is part of.")
@click.option("--platform", required=True, help="The monitoring platform patients measure with.")
@click.option("--start", type=DAY, required=True)
@click.option("--team", "teams", multiple=True, required=True, help="A team that takes part (repeat for more).")
@click.option("--condition", type=CONDITION, help="Default: the environment's.")
@click.option("--monitoring-centre", help="The team (id or name) that watches the alerts.")
@click.option("--adherence", type=float, help="Adherence norm in percent (default 80).")
@click.option("--around-the-clock", is_flag=True, help="Alerts are answered 08-22 every day, not 08-17 on weekdays.")
def add_programme(organisation: str, name: str, environment: str, platform: str, start: datetime,
                  teams: tuple[str, ...], condition: str | None, monitoring_centre: str | None,
                  adherence: float | None, around_the_clock: bool) -> None:  # fmt: skip
    """Add an RPM programme of the organisation to an environment."""
    org = _organisation(organisation)
    data = ProgrammeData(_environment(environment).id, name, condition or "", platform, _day(start),
                         _teams(org, teams), _team(org, monitoring_centre),
                         None if adherence is None else adherence / 100, around_the_clock)  # fmt: skip
    try:
        made = programmes.add_programme(Actor.shell(), org.id, data)
    except AdminError as error:
        raise _fail(error) from None
    click.echo(f"Programme {made.id} created: {made.name}")


@programme_cli.command("edit")
@click.argument("organisation")
@click.argument("programme")
@click.option("--name")
@click.option("--environment")
@click.option("--platform")
@click.option("--start", type=DAY)
@click.option("--team", "teams", multiple=True, help="The teams that take part from now on (repeat for more).")
@click.option("--monitoring-centre", help="The team that watches the alerts; 'none' for none.")
@click.option("--adherence", type=float, help="Adherence norm in percent.")
@click.option("--around-the-clock/--weekdays", default=None, help="When alerts are answered.")
def edit_programme(organisation: str, programme: str, name: str | None, environment: str | None,
                   platform: str | None, start: datetime | None, teams: tuple[str, ...],
                   monitoring_centre: str | None, adherence: float | None,
                   around_the_clock: bool | None) -> None:  # fmt: skip
    """Change a programme; what is not given stays as it is."""
    org = _organisation(organisation)
    p = _programme(org, programme)
    env = _environment(environment) if environment else p.environment
    centre = p.monitoring_centre_team_id if monitoring_centre is None else (
        None if monitoring_centre.lower() == "none" else _team(org, monitoring_centre))  # fmt: skip
    hours = programmes.is_around_the_clock(p) if around_the_clock is None else around_the_clock
    data = ProgrammeData(env.id, name or p.name, env.condition.value, platform or p.platform_name,
                         _day(start) or p.start, _teams(org, teams) if teams else tuple(t.id for t in p.teams),
                         centre, p.adherence_threshold if adherence is None else adherence / 100, hours)  # fmt: skip
    try:
        made = programmes.edit_programme(Actor.shell(), org.id, p.id, data)
    except AdminError as error:
        raise _fail(error) from None
    click.echo(f"Programme {made.id} updated: {made.name}")


@programme_cli.command("end")
@click.argument("organisation")
@click.argument("programme")
@click.option("--on", "last_day", type=DAY, help="The programme's last day (default: today).")
def end_programme(organisation: str, programme: str, last_day: datetime | None) -> None:
    """End a programme; its records stay."""
    org = _organisation(organisation)
    p = _programme(org, programme)
    try:
        made = programmes.end_programme(Actor.shell(), org.id, p.id, _day(last_day) or programmes.local_today())
    except AdminError as error:
        raise _fail(error) from None
    click.echo(f"Programme {made.id} ended on {made.end}: its records stay.")
