"""`flask privacy erase|retention`: a paper erasure request from the shell, and the retention job for cron."""

from __future__ import annotations

import getpass
import json

import click
from flask.cli import AppGroup

from learning.db import db
from learning.privacy.erasure import Eraser, ErasureRefused, erase_person, find_person, summarise
from learning.privacy.retention import apply_retention

privacy_cli = AppGroup("privacy", help="Erasure of a person and retention of records (docs/privacy.md).")


@privacy_cli.command("erase")
@click.argument("who")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_command(who: str, yes: bool) -> None:
    """Erase the person WHO (e-mail address, xAPI account name or RPM/roster pseudonym) in the LMS and the LRS.

    Everything about them is deleted for good; the access log keeps an anonymous entry of the erasure.
    """
    user = find_person(who)
    if user is None:
        raise click.ClickException(f"no account is known by {who!r} (e-mail address, account name or pseudonym)")
    found = summarise(user)
    click.echo(
        f"Account {user.email} ({user.role.value}): {found.attempts} module attempt(s) with {found.answers} "
        f"answer(s), {found.care_links} caregiver link(s), {found.programme_links} programme link(s)."
    )
    if not yes:
        click.confirm(
            "Erase this account and everything about it, in the LMS and the LRS? This cannot be undone", abort=True
        )
    try:
        done = erase_person(user, Eraser(f"cli:{getpass.getuser()}", "cli", "flask privacy erase"))
    except ErasureRefused as refused:
        db.session.rollback()
        raise click.ClickException(
            f"not erased: {refused.count} module draft or review record(s) name this person and must be kept; "
            "end the account instead (Administration, People)"
        ) from None
    if done.lrs_remote:
        click.echo("The LRS is remote: run this on the LRS to erase its records too:")
        click.echo(f"flask lrs erase-agent '{json.dumps(done.remote_agent)}' --email '{done.email}'")
    click.echo(
        f"Erased: {done.statements if done.statements is not None else '?'} statement(s), "
        f"{done.documents if done.documents is not None else '?'} document(s) in the LRS; "
        f"{done.access_log} access-log entries made anonymous."
    )


@privacy_cli.command("retention")
def retention_command() -> None:
    """Delete raw records older than LMS_RETENTION_DAYS / LMS_LRS_RETENTION_DAYS (run it daily from cron)."""
    report = apply_retention()
    if report.cutoff is None and report.total == 0:
        click.echo("Retention is off (LMS_RETENTION_DAYS=0): nothing was deleted.")
        return
    parts = ", ".join(f"{name}: {count}" for name, count in sorted(report.deleted.items()))
    since = f" older than {report.cutoff:%Y-%m-%d}" if report.cutoff else ""
    click.echo(f"Deleted {report.total} row(s){since} ({parts}).")
