"""`flask lrs erase-agent|retention`: erasure and retention where the LRS runs on its own.

Where the LMS and the LRS run in one app, `flask privacy erase` and `flask privacy retention` call the same
service and also clean the LMS; these commands are for an LRS deployed apart (LMS_LRS_ENDPOINT pointing at it),
whose operator receives the erasure request the LMS could not carry out over xAPI.
"""

from __future__ import annotations

import click
import orjson
from flask import current_app

from lrs.cli import cli
from lrs.service.erasure import delete_statements_before, erase_agents, retention_cutoff
from lrs.xapi.agent import ifi_key


@cli.command("erase-agent")
@click.argument("agent")
@click.option("--email", "emails", multiple=True, help="An e-mail address the person may appear under (mbox).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_agent_command(agent: str, emails: tuple[str, ...], yes: bool) -> None:
    """Hard-delete every statement, document and attachment about AGENT (xAPI agent JSON). Cannot be undone."""
    try:
        parsed = orjson.loads(agent)
    except orjson.JSONDecodeError:
        raise click.BadParameter("give the agent as xAPI JSON, e.g. '{\"account\": {...}}'") from None
    if not isinstance(parsed, dict) or ifi_key(parsed) is None:
        raise click.BadParameter("the agent needs an identifier (account, mbox, mbox_sha1sum or openid)")
    name = parsed.get("account", {}).get("name") if isinstance(parsed.get("account"), dict) else None
    if not yes:
        click.confirm("Delete everything this LRS holds about this agent, for good?", abort=True)
    erased = erase_agents(current_app.extensions["lrs"].engine, parsed, emails=emails, texts=[name] if name else [])
    click.echo(
        f"Erased {erased.statements} statement(s), {erased.documents} document(s) and "
        f"{erased.attachments} attachment(s)."
    )


@cli.command("retention")
def retention_command() -> None:
    """Delete statements stored longer ago than LRS_RETENTION_DAYS (run it from cron; 0 keeps everything)."""
    days = int(current_app.config["LRS_RETENTION_DAYS"])
    cutoff = retention_cutoff(days)
    if cutoff is None:
        click.echo("LRS_RETENTION_DAYS is 0: every statement is kept.")
        return
    deleted = delete_statements_before(current_app.extensions["lrs"].engine, cutoff)
    click.echo(f"Deleted {deleted} statement(s) stored before {cutoff:%Y-%m-%d %H:%M} UTC ({days} days).")
