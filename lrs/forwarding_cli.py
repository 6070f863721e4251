"""`flask lrs set-forwarding|forwarding-status|forward-flush|forward-retry-dead`: forwarding from the shell.

Added to the `flask lrs` group from here, so the credential commands in lrs/cli.py stay as they are.
`forward-flush` also suits cron, for deployments that set LRS_FORWARD_BACKGROUND = False.
"""

from __future__ import annotations

import click
from flask import current_app

from lrs.cli import cli
from lrs.service.forwarding import (
    VERSIONS,
    Forwarder,
    ForwardingError,
    forwarding_status,
    retry_dead,
    set_forwarding,
)


def _forwarder() -> Forwarder:
    forwarder: Forwarder = current_app.extensions["lrs"].forwarder
    return forwarder


@cli.command("set-forwarding")
@click.argument("key")
@click.option("--endpoint", required=True, help="The external LRS's xAPI base URL (…/statements is added).")
@click.option("--target-key", required=True, help="The Basic-auth key this LRS uses at the external LRS.")
@click.option("--target-secret", required=True, help="Its secret; stored encrypted, never shown again.")
@click.option("--version", type=click.Choice(VERSIONS), default="1.0.3", show_default=True, help="xAPI version sent.")
def set_forwarding_command(key: str, endpoint: str, target_key: str, target_secret: str, version: str) -> None:
    """Forward every statement that credential KEY stores from now on to an external LRS."""
    forwarder = _forwarder()
    try:
        set_forwarding(forwarder.engine, forwarder.settings, key, endpoint, target_key, target_secret, version)
    except ForwardingError as error:
        raise click.ClickException(str(error)) from None
    forwarder.forget_targets()
    click.echo(f"Statements stored with {key} are now forwarded to {endpoint} (xAPI {version}).")


@cli.command("forwarding-status")
def forwarding_status_command() -> None:
    """Show each forwarding target: queued, oldest waiting, dead-lettered, last error."""
    statuses = forwarding_status(_forwarder().engine)
    if not statuses:
        click.echo("No credential forwards its statements.")
    for status in statuses:
        state = "active" if status.active else "paused"
        oldest = f"{status.oldest_stored:%Y-%m-%d %H:%M:%S} UTC" if status.oldest_stored else "-"
        click.echo(f"{status.credential_key}  {state}  -> {status.endpoint} (xAPI {status.version})")
        click.echo(f"  queued: {status.queued}  oldest: {oldest}  dead-lettered: {status.dead}")
        if status.last_error:
            click.echo(f"  last error: {status.last_error}")
        if status.retry_at:
            click.echo(f"  target left alone until {status.retry_at:%Y-%m-%d %H:%M:%S} UTC (forward-flush tries now)")


@cli.command("forward-flush")
def forward_flush_command() -> None:
    """Deliver what is queued now, even to targets backing off (rejected statements keep their back-off)."""
    report = _forwarder().flush()
    click.echo(
        f"Delivered {report.delivered} statement(s); {report.rejected} rejected ({report.dead_lettered} dead-lettered)."
    )
    for key in report.failed_targets:
        click.echo(f"The target of {key} failed; its statements stay queued (see forwarding-status).")


@cli.command("forward-retry-dead")
@click.argument("key")
def forward_retry_dead_command(key: str) -> None:
    """Queue the dead-lettered statements of credential KEY's target again (after the cause is fixed)."""
    try:
        count = retry_dead(_forwarder().engine, key)
    except ForwardingError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{count} dead-lettered statement(s) queued again; run forward-flush to send them now.")
