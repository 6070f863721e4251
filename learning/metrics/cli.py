"""`flask metrics recompute`: recompute the stored metric values (start-up work belongs in commands)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from learning.db import db
from learning.metrics import patient_months
from learning.metrics.changes import data_range
from learning.metrics.learner_state import rebuild_learners
from learning.metrics.periods import Period, months_between
from learning.metrics.services import RunReport, recompute_all, recompute_pending

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
@click.option("--pending", is_flag=True, help="Recompute only the months that imports queued (run it from cron).")
def recompute_command(full: bool, since: Period | None, pending: bool) -> None:
    """Recompute metric values: queued months and new data by default, or --full, --since a month, or --pending."""
    if full + (since is not None) + pending > 1:
        raise click.UsageError("use one of --full, --since and --pending")
    if full:
        report = recompute_all()
    elif since is not None:
        span = data_range()
        report = recompute_all(months_between(since.start, max(span[1], since.start)) if span else [since])
    elif pending:
        report = recompute_pending()
    else:
        report = recompute_pending(since_last_run=True)
    _echo(report)


@metrics_cli.command("rebuild")
def rebuild_command() -> None:
    """Rebuild the per learner and per patient-month summaries from the statements and daily rows."""
    learners, months = rebuild_learners(), patient_months.rebuild_all()
    db.session.commit()
    click.echo(f"Rebuilt {learners} learner x module and {months} patient-month summaries.")


def _echo(report: RunReport) -> None:
    if not report.periods:
        click.echo("Nothing to recompute.")
        return
    first, last = report.periods[0].key, report.periods[-1].key
    click.echo(f"Recomputed {report.values} values for {first} … {last} in {report.seconds:.1f} s.")


def init_app(app: Flask) -> None:
    app.cli.add_command(metrics_cli)
