"""`flask audit verify`: walk the access log's hash chain and say whether it is intact."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from learning.audit.chain import REASONS
from learning.audit.service import hash_of, verify

cli = AppGroup("audit", help="The access log.")


@cli.command("verify")
@click.option("--anchor", help="ID:HASH noted from an earlier run: also check that row still has that hash.")
def verify_command(anchor: str | None) -> None:
    """Check every entry's hash and link; exit 1 naming the first broken entry.

    The chain proves that no row was changed, removed or added in the middle. Removing the newest rows, or
    rewriting the whole chain, is caught only against a head noted elsewhere: pass it as --anchor.
    """
    verdict = verify()
    if not verdict.intact:
        raise click.ClickException(
            f"the access log is broken at entry {verdict.broken_id}: {REASONS[verdict.reason]} "
            f"({verdict.checked} entries before it are intact)"
        )
    if anchor:
        _check_anchor(anchor, verdict.checked)
    click.echo(f"{verdict.checked} entries checked: the access log is intact.")
    if verdict.head_id is not None:
        click.echo(f"Head (note it to compare later with --anchor): {verdict.head_id}:{verdict.head_hash}")


def _check_anchor(anchor: str, checked: int) -> None:
    row_id, _, expected = anchor.partition(":")
    if not row_id.isdigit() or len(expected) != 64:
        raise click.BadParameter("give the ID:HASH printed by an earlier run", param_hint="--anchor")
    found = hash_of(int(row_id))
    if found != expected:
        state = "is gone" if found is None else "has another hash"
        raise click.ClickException(
            f"the access log was rewritten: entry {row_id} {state} (the {checked} entries now stored chain up)"
        )
