"""`flask xapi sync`: read statements back from the LRS into the LMS's tables (run from cron or a worker)."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

from learning.tracking.reader import current_reader
from learning.tracking.sync import sync
from learning.tracking.sync_training import Unmappable, parse_timestamp

xapi_cli = AppGroup("xapi", help="Read statements back from the LRS (xAPI) into the LMS.")


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_timestamp(value)
    except Unmappable:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 time, e.g. 2026-01-01T00:00:00Z") from None


@xapi_cli.command("sync")
@click.option("--since", help="Re-read everything stored after this ISO 8601 time (safe: writes are idempotent).")
def sync_command(since: str | None) -> None:
    """Read statements stored since the last run into training events and RPM tables."""
    report = sync(current_reader(), since=_since(since))
    for skipped in report.skipped:
        what = "rejected" if skipped.rejected else "skipped"
        click.echo(f"{what} {skipped.statement_id}: {skipped.reason}", err=True)
    rejected = len(report.rejected)
    click.echo(
        f"Read {report.read} statement(s): {report.training_events} new training event(s), "
        f"{report.rpm_statements} RPM statement(s), {report.voided} voided, {report.ignored} ignored, "
        f"{len(report.skipped) - rejected} skipped, {rejected} rejected (credential not linked to the programme's "
        f"organisation). Metrics recomputed for {report.recomputed_months} month(s). "
        f"Position: {report.position or 'start'}."
    )
    if report.error:
        raise click.ClickException(f"stopped early: {report.error}")
