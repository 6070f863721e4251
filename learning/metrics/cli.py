"""`flask metrics recompute`: recompute the stored metric values (start-up work belongs in commands)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from learning.metrics.changes import data_range
from learning.metrics.periods import Period, months_between
from learning.metrics.services import RunReport, recompute_all, recompute_incremental

metrics_cli = AppGroup("metrics", help="Adoption and training metrics.")


def _month(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Period | None:
    if value is None:
        return None
    try:
        return Period.parse(value)
    except ValueError:
        raise click.BadParameter("use YYYY-MM, e.g. 2026-03") from None


@metrics_cli.command("recompute")
@click.option("--full", is_flag=True, help="Recompute every month with data from scratch.")
@click.option("--since", callback=_month, metavar="YYYY-MM", help="Recompute from this month to the newest.")
def recompute_command(full: bool, since: Period | None) -> None:
    """Recompute metric values: new data since the last run by default, or --full, or --since a month."""
    if full and since is not None:
        raise click.UsageError("use --full or --since, not both")
    if full:
        report = recompute_all()
    elif since is not None:
        span = data_range()
        report = recompute_all(months_between(since.start, max(span[1], since.start)) if span else [since])
    else:
        report = recompute_incremental()
    _echo(report)


def _echo(report: RunReport) -> None:
    if not report.periods:
        click.echo("Nothing to recompute.")
        return
    first, last = report.periods[0].key, report.periods[-1].key
    click.echo(f"Recomputed {report.values} values for {first} … {last} in {report.seconds:.1f} s.")


def init_app(app: Flask) -> None:
    app.cli.add_command(metrics_cli)
