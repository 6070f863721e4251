"""`flask content …`, `flask demo …`, `flask tracking …`: start-up work belongs in commands, not in create_app."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from learning.content.loader import ContentError
from learning.content.readability import format_report
from learning.content.services import check_content, check_published, load_content, module_folders
from learning.db import db
from learning.demo import DEFAULT_SEED, DEMO_PASSWORD, DemoError, seed_demo
from learning.speech.cli import render_command
from learning.tracking import outbox

content_cli = AppGroup("content", help="Check and load modules_content/.")
demo_cli = AppGroup("demo", help="Demo data.")
tracking_cli = AppGroup("tracking", help="The xAPI outbox.")


def _content_dir(path: str | None) -> Path:
    return Path(path or current_app.config["CONTENT_DIR"])


@content_cli.command("check")
@click.argument("path", required=False)
def check_command(path: str | None) -> None:
    """Report every problem in the modules (file:line: problem); exit 1 if there is any."""
    root = _content_dir(path)
    problems = check_content(root)
    if not problems:  # the same checks as `content load`: also a changed text that needs a version bump
        try:
            problems = check_published(root)
        except SQLAlchemyError as exc:  # no database yet (a fresh checkout): the files alone were checked
            db.session.rollback()
            click.echo(f"Not compared with the database ({type(exc).__name__}): only the files were checked.")
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) found; nothing can be published until fixed")
    click.echo("All modules are fine.")


@content_cli.command("readability")
@click.argument("path", required=False)
def readability_command(path: str | None) -> None:
    """Print readability figures per module and per step (Dutch texts); `check` gates patient modules on them."""
    root = _content_dir(path)
    folders = [f for f in module_folders(root) if (f / "nl.md").is_file()] if root.is_dir() else []
    if not folders:
        raise click.ClickException(f"no module with an nl.md found in {root}")
    for folder in folders:
        click.echo(format_report(folder / "nl.md"))


@content_cli.command("load")
@click.argument("path", required=False)
@click.option("--approve-as", "approve_as", help="A reviewer's e-mail: approve the loaded versions (else hidden).")
def load_command(path: str | None, approve_as: str | None) -> None:
    """Store new module versions in the database (unchanged ones are left alone).

    Learners see a version only once a reviewer approved it: here with --approve-as, else in the review workflow.
    """
    from learning.authoring.cli import reviewer_account
    from learning.authoring.services import approver_for

    approver = approver_for(reviewer_account(approve_as)) if approve_as else None
    try:
        report = load_content(_content_dir(path), approver)
    except ContentError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("modules not loaded") from None
    click.echo(f"Modules: {len(report.added)} new, {len(report.updated)} updated, {len(report.unchanged)} unchanged.")
    if approver is None:
        click.echo(
            "Not shown to learners until approved: `flask content load --approve-as REVIEWER` or the review page."
        )
    if current_app.config.get("SPEECH_ON_LOAD", True):  # the test suite renders audio only where it tests it
        ctx = click.get_current_context()
        ctx.invoke(render_command)  # read-aloud audio for browsers without a voice; only missing steps are rendered


@demo_cli.command("code")
def demo_code_command() -> None:
    """Print the current log-in code of the demo staff accounts (their published secret, README)."""
    import pyotp

    from learning.demo.accounts import DEMO_TOTP_SECRET

    click.echo(pyotp.TOTP(DEMO_TOTP_SECRET).now())


@demo_cli.command("seed")
@click.option(
    "--scale",
    type=click.FloatRange(min=0, min_open=True),
    default=1.0,
    show_default=True,
    help="Multiply staff (400) and patients (2,000); 10 gives the benchmark region.",
)
@click.option("--seed", "seed", type=int, default=DEFAULT_SEED, show_default=True, help="Random seed.")
def seed_command(scale: float, seed: int) -> None:
    """Create the demo region and its accounts, the first time only."""
    try:
        created = seed_demo(scale, seed=seed, progress=click.echo)
    except DemoError as exc:
        raise click.ClickException(str(exc)) from None
    from learning.authoring.cli import approve_newest, reviewer_account

    # the bundled modules go through the same approval as any module, by the demo reviewer (no clinician: every
    # step of them says so)
    for line in approve_newest(reviewer_account("reviewer@example.org")):
        click.echo(f"Approved {line} as the demo reviewer.")
    if created:
        click.echo("Demo region created.")
    else:
        click.echo("Demo region already present; nothing changed.")
    pending = outbox.pending_count()
    if pending:
        click.echo(f"{pending} statement(s) still queued for the LRS; `flask tracking flush` delivers them.")
    _echo_set_aside_hint()
    click.echo(
        f"Demo log-ins (password '{DEMO_PASSWORD}'): patient@example.org, caregiver@example.org, "
        "nurse@example.org, author@example.org, reviewer@example.org, manager@example.org, admin@example.org, "
        "privacy@example.org"
    )
    click.echo("Invitation codes: DEMO-PATIENT, DEMO-CAREGIVER, DEMO-STAFF")


@tracking_cli.command("flush")
def flush_command() -> None:
    """Deliver queued statements to the LRS now."""
    sent = outbox.deliver_pending(current_app.extensions["vtc.tracker"].sink)
    click.echo(f"Delivered {sent} statement(s); {outbox.pending_count()} still queued.")
    _echo_set_aside_hint()


def _echo_set_aside_hint() -> None:
    refused = outbox.set_aside_count()
    if refused:
        click.echo(
            f"{refused} statement(s) set aside because the LRS refused them: `flask tracking status` lists them."
        )


@tracking_cli.command("status")
def status_command() -> None:
    """Show what waits in the outbox, and every statement the LRS refused with its reason and time."""
    state = outbox.summary()
    oldest = f", oldest from {state.oldest.isoformat(timespec='seconds')}" if state.oldest else ""
    click.echo(f"Queued: {state.queued}{oldest}.")
    if state.last_error:
        click.echo(f"Last delivery error: {state.last_error}")
    for row in state.set_aside:
        when = row.set_aside_at.isoformat(timespec="seconds")
        click.echo(f"set aside {row.statement_id} at {when} after {row.attempts} attempt(s): {row.reason}")
    hint = " `flask tracking retry-set-aside` sends them again." if state.set_aside else ""
    click.echo(f"Set aside: {len(state.set_aside)}.{hint}")


@tracking_cli.command("retry-set-aside")
@click.argument("statement_ids", nargs=-1)
def retry_set_aside_command(statement_ids: tuple[str, ...]) -> None:
    """Put statements the LRS refused back in the queue (all, or the ids given), once the cause is fixed."""
    count = outbox.retry_set_aside(statement_ids)
    click.echo(f"{count} statement(s) back in the queue; `flask tracking flush` sends them now.")


def init_app(app: Flask) -> None:
    for group in (content_cli, demo_cli, tracking_cli):
        app.cli.add_command(group)
