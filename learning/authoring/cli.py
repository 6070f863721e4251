"""`flask content export`, `flask content approve`: the git side of the review workflow."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from learning.accounts.models import User
from learning.authoring.archive import to_zip
from learning.authoring.services import approver_for, can_review, published_files
from learning.cli import content_cli
from learning.content.models import Module
from learning.content.publishing import approvals, approve_version, version_hash
from learning.content.services import get_module
from learning.db import db


def reviewer_account(email: str) -> User:
    """The active reviewer (or admin) account with this e-mail address, or a ClickException saying why not."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active_account:
        raise click.ClickException(f"no active account {email}: give a reviewer's e-mail address")
    if not can_review(user):
        raise click.ClickException(f"{email} is no reviewer: only reviewers and admins approve modules")
    return user


def approve_newest(user: User) -> list[str]:
    """Approve every module's newest stored version that has no approval yet; return 'slug version' of each."""
    from learning.authoring.services import newest_version

    approver, done = approver_for(user), []
    for module in db.session.scalars(select(Module).order_by(Module.slug)):
        version = newest_version(module)
        if version and version not in approvals(module):
            approve_version(module, version, version_hash(published_files(module, version)), approver)
            done.append(f"{module.slug} {version}")
    db.session.commit()
    return done


@content_cli.command("approve")
@click.option("--as", "email", required=True, help="The reviewer's e-mail address.")
def approve_command(email: str) -> None:
    """Approve every module's newest loaded version that is not approved yet (learners then see it)."""
    done = approve_newest(reviewer_account(email))
    for line in done:
        click.echo(f"Approved {line}.")
    click.echo(f"{len(done)} version(s) approved.")


@content_cli.command("export")
@click.argument("slug")
@click.option(
    "--to", "target", type=click.Path(file_okay=False), help="Folder to write into (default: the content folder)."
)
@click.option("--version", "version", help="A stored version (default: the one learners see).")
@click.option("--zip", "as_zip", is_flag=True, help="Write <slug>.zip instead of the folder.")
def export_command(slug: str, target: str | None, version: str | None, as_zip: bool) -> None:
    """Write a module's published version back as its modules_content/ folder, byte for byte."""
    module = get_module(slug)
    if module is None:
        raise click.ClickException(f"no module {slug}")
    version = version or module.current_version
    if not version or version not in {t.version for t in module.texts}:
        raise click.ClickException(f"{slug} has no published version {version or ''}".strip())
    files = published_files(module, version)
    root = Path(target or current_app.config["CONTENT_DIR"])
    if as_zip:
        root.mkdir(parents=True, exist_ok=True)
        (root / f"{slug}.zip").write_bytes(to_zip(slug, files))
    else:
        folder = root / slug
        for path, data in files.items():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_bytes(data)
    click.echo(f"Exported {slug} {version} ({len(files)} files) to {root}.")
