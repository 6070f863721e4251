"""`flask admin curriculum ...` and `flask admin programme norms`: a programme's curricula and norms from the shell.

The same services as the programme page (learning.admin.curricula, .norms), as a regional administrator, logged as
`cli:<user>`. Programmes are named by id or name within their organisation, roles by their code (`hf_nurse`,
`patient`), modules by their slug.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from learning.admin import curricula, norms
from learning.admin.cli import _fail, _organisation, cli
from learning.admin.cli_programmes import _programme, programme_cli
from learning.admin.curricula import CurriculumData
from learning.admin.norms import NormsData
from learning.admin.scope import Actor, AdminError

curriculum_cli = AppGroup("curriculum", help="List, set and remove the curricula of a programme's roles.")
cli.add_command(curriculum_cli)
REMOVE = "-"  # `--sla orange=-` drops a severity, `--schedule bp=-` a measurement type


@curriculum_cli.command("list")
@click.argument("organisation")
@click.argument("programme")
def list_curricula(organisation: str, programme: str) -> None:
    """Every role's curriculum: role, due days, refresher months (- for none) and modules."""
    org = _organisation(organisation)
    p = _programme(org, programme)
    for c in curricula.curricula_of(Actor.shell(), org.id, p.id):
        refresher = "-" if c.refresher_months is None else str(c.refresher_months)
        click.echo(f"{c.role_code}\t{c.due_days}\t{refresher}\t{' '.join(c.module_slugs)}")


@curriculum_cli.command("set")
@click.argument("organisation")
@click.argument("programme")
@click.argument("role")
@click.option("--module", "modules", multiple=True, required=True, help="A published module's slug (repeat).")
@click.option("--due-days", type=int, required=True, help="Due this many days after joining (or the start).")
@click.option("--refresher-months", type=int, help="Do it again every this many months (default: once).")
def set_curriculum(organisation: str, programme: str, role: str, modules: tuple[str, ...], due_days: int,
                   refresher_months: int | None) -> None:  # fmt: skip
    """Give a role of the programme its curriculum, or replace the one it has."""
    org = _organisation(organisation)
    p = _programme(org, programme)
    try:
        made = curricula.set_curriculum(Actor.shell(), org.id, p.id,
                                        CurriculumData(role, modules, due_days, refresher_months))  # fmt: skip
    except AdminError as error:
        raise _fail(error) from None
    click.echo(f"Curriculum for {made.role_code} in {p.name}: {', '.join(made.module_slugs)}")


@curriculum_cli.command("remove")
@click.argument("organisation")
@click.argument("programme")
@click.argument("role")
def remove_curriculum(organisation: str, programme: str, role: str) -> None:
    """Remove a role's curriculum; what people did stays in their records."""
    org = _organisation(organisation)
    p = _programme(org, programme)
    if role not in {c.role_code for c in curricula.curricula_of(Actor.shell(), org.id, p.id)}:
        raise click.BadParameter(f"no curriculum for {role!r} in {p.name}", param_hint="ROLE")
    curricula.remove_curriculum(Actor.shell(), org.id, p.id, role)
    click.echo(f"Curriculum for {role} in {p.name} removed.")


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        key, sep, setting = value.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"write {option} KEY=VALUE, not {value!r}", param_hint=option)
        pairs[key.strip().lower()] = setting.strip()
    return pairs


def _minutes(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 10 else None


@programme_cli.command("norms")
@click.argument("organisation")
@click.argument("programme")
@click.option("--sla", multiple=True, help="SEVERITY=MINUTES, such as red=60; SEVERITY=- drops it (repeat).")
@click.option("--schedule", multiple=True, help="TYPE=HOW-OFTEN, such as weight=daily or bp=3/wk; TYPE=- drops it.")
def programme_norms(organisation: str, programme: str, sla: tuple[str, ...], schedule: tuple[str, ...]) -> None:
    """Show or change the alert norms and measurement schedule; what is not named stays as it is."""
    org = _organisation(organisation)
    p = _programme(org, programme)
    new_sla: dict[str, int | None] = dict(p.alert_sla_minutes or {})
    for severity, minutes in _pairs(sla, "--sla").items():
        if minutes == REMOVE:
            new_sla.pop(severity, None)
        else:
            new_sla[severity] = _minutes(minutes)
    new_schedule = dict(p.measurement_schedule or {})
    for kind, how in _pairs(schedule, "--schedule").items():
        if how == REMOVE:
            new_schedule.pop(kind, None)
        else:
            new_schedule[kind] = how
    if sla or schedule:
        try:
            p = norms.set_norms(Actor.shell(), org.id, p.id, NormsData(new_sla, new_schedule))
        except AdminError as error:
            raise _fail(error) from None
    click.echo("alerts: " + ", ".join(f"{k}={v}" for k, v in (p.alert_sla_minutes or {}).items()))
    click.echo("schedule: " + ", ".join(f"{k}={v}" for k, v in (p.measurement_schedule or {}).items()))
