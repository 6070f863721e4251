"""`flask privacy erase|retention|rotate-pseudonyms`: a paper erasure request from the shell, the retention job for
cron, and the rotation of the pseudonym key."""

from __future__ import annotations

import getpass
import json

import click
from flask.cli import AppGroup

from learning.db import db
from learning.privacy.erasure import Eraser, ErasureRefused, erase_person, find_person, summarise
from learning.privacy.retention import apply_retention
from learning.privacy.rotation import rotate_pseudonyms

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


@privacy_cli.command("rotate-pseudonyms")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def rotate_command(yes: bool) -> None:
    """Re-derive every xAPI, organisation and team pseudonym under a new key, in the LMS and the LRS; the old key
    file is replaced. Stop the web app and the workers first (docs/privacy.md, "Pseudonyms")."""
    if not yes:
        click.confirm(
            "Give every account, organisation and team a new pseudonym in the LMS and the LRS and replace the key "
            "file? Stop the web app and workers first; tools that keep pseudonyms must read them again",
            abort=True,
        )
    done = rotate_pseudonyms(f"cli:{getpass.getuser()}", "cli", "flask privacy rotate-pseudonyms")
    if done.resumed:
        click.echo("An interrupted rotation was found and finished with its key.")
    click.echo(
        f"New pseudonyms: {done.accounts} account(s), {done.organisations} organisation(s), {done.teams} team(s); "
        f"{done.lms_rows} LMS row(s) rewritten; {done.access_log} access-log entries made anonymous."
    )
    if done.lrs is not None:
        click.echo(
            f"LRS: {done.lrs.statements} statement(s), {done.lrs.agent_links} agent link(s), "
            f"{done.lrs.documents} document(s), {done.lrs.credentials} credential tenant(s) rewritten."
        )
    elif done.mapping_file:
        click.echo(f"The LRS is remote: copy {done.mapping_file} there, run")
        click.echo(f"  flask lrs rewrite-pseudonyms {done.mapping_file}")
        click.echo("and then delete the file on both machines: it links old and new pseudonyms.")
    click.echo(f"Key {done.fingerprint} is now in use; back the key file up with the other secrets.")
