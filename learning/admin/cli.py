"""`flask admin ...`: the same administration as the pages, for the operator's shell (a regional administrator).

Organisations and teams are named by id or by exact name, people by e-mail address, codes by their text.
Every command writes the same access-log entry as the page does, with the actor `cli:<user>`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from learning.accounts import mfa
from learning.accounts.models import Invitation, Organisation, Role, User
from learning.accounts.services import code_key, normalise_email, stored_code_key
from learning.admin import imports, invitations, log, organisations, people
from learning.admin.scope import Actor, AdminError
from learning.db import db

cli = AppGroup("admin", help="Administer organisations, teams, people, invitation codes, environments and programmes.")
ROLE = click.Choice([role.value for role in Role])


def _fail(error: AdminError) -> click.ClickException:
    params = ", ".join(f"{k}={v}" for k, v in error.params.items())
    return click.ClickException(f"refused: {error.reason}" + (f" ({params})" if params else ""))


def _organisation(ref: str) -> Organisation:
    org = db.session.get(Organisation, int(ref)) if ref.isdigit() else None
    org = org or db.session.scalar(select(Organisation).where(func.lower(Organisation.name) == ref.lower()))
    if org is None:
        raise click.BadParameter(f"no organisation {ref!r}", param_hint="ORGANISATION")
    return org


def _team(org: Organisation, ref: str | None) -> int | None:
    if not ref:
        return None
    for team in org.teams:
        if str(team.id) == ref or team.name.lower() == ref.lower():
            return team.id
    raise click.BadParameter(f"no team {ref!r} in {org.name}", param_hint="--team")


def _person(org: Organisation, email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or user.organisation_id != org.id:
        raise click.BadParameter(f"nobody with {email!r} in {org.name}", param_hint="EMAIL")
    return user


@cli.command("organisations")
def list_organisations() -> None:
    """List every organisation with its teams."""
    for org in organisations.visible_organisations(Actor.shell()):
        click.echo(f"{org.id}\t{org.name}\t{org.kind}\t{org.agb_code or '-'}")
        for row in organisations.team_tree(org.id):
            click.echo(f"\t{'  ' * row.depth}{row.team.id} {row.team.name} ({row.people})")


@cli.command("create-organisation")
@click.argument("name")
@click.option("--kind", type=click.Choice(organisations.ORGANISATION_KINDS), required=True)
@click.option("--agb", default="", help="The eight-digit AGB code.")
def create_organisation(name: str, kind: str, agb: str) -> None:
    try:
        org = organisations.create_organisation(Actor.shell(), organisations.OrganisationData(name, kind, agb))
    except AdminError as error:
        raise _fail(error) from None
    click.echo(f"Organisation {org.id} created: {org.name}")


@cli.command("team")
@click.argument("organisation")
@click.argument("name")
@click.option("--kind", type=click.Choice(organisations.TEAM_KINDS), default="ward", show_default=True)
@click.option("--parent", help="The team (id or name) this team is part of.")
@click.option("--rename-from", help="Rename (and move) this existing team instead of creating one.")
def team(organisation: str, name: str, kind: str, parent: str | None, rename_from: str | None) -> None:
    """Create a team, or with --rename-from change an existing one's name, kind or parent."""
    org = _organisation(organisation)
    data = organisations.TeamData(name, kind, _team(org, parent))
    try:
        if rename_from:
            team_id = _team(org, rename_from)
            if team_id is None:
                raise click.BadParameter("name the team to change", param_hint="--rename-from")
            made = organisations.update_team(Actor.shell(), org.id, team_id, data)
        else:
            made = organisations.create_team(Actor.shell(), org.id, data)
    except AdminError as error:
        raise _fail(error) from None
    click.echo(f"Team {made.id}: {made.name}")


@cli.command("person")
@click.argument("organisation")
@click.argument("email")
@click.option("--name", help="Display name (required for a new person).")
@click.option("--role", type=ROLE)
@click.option("--team")
@click.option("--new-email", help="Change the e-mail address.")
@click.option("--care-role", help='Care role code (staff_role, e.g. hf_nurse) in the team; "" for none.')
def person(organisation: str, email: str, name: str | None, role: str | None, team: str | None,
           new_email: str | None, care_role: str | None) -> None:  # fmt: skip
    """Create a person, or change an existing one's name, role, team, care role or e-mail address."""
    org = _organisation(organisation)
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    try:
        if user is None:
            data = people.PersonData(
                email, name or "", Role(role or "professional"), _team(org, team), care_role or None
            )
            user = people.create_person(Actor.shell(), org.id, data)
            click.echo(f"Created {user.email} (id {user.id})")
            return
        user = _person(org, email)
        data = people.PersonData(new_email or user.email, name or user.display_name, Role(role) if role else user.role,
                                 _team(org, team) if team else user.team_id,
                                 people.care_role_of(user.id) if care_role is None else care_role or None)  # fmt: skip
        people.update_person(Actor.shell(), org.id, user.id, data)
    except AdminError as error:
        raise _fail(error) from None
    click.echo(f"Updated {user.email} (id {user.id})")


@cli.command("end-membership")
@click.argument("organisation")
@click.argument("email")
def end_membership(organisation: str, email: str) -> None:
    """A leaver: disable the account and end its sessions; records stay."""
    org = _organisation(organisation)
    user = people.end_membership(Actor.shell(), org.id, _person(org, email).id)
    click.echo(f"Membership of {user.email} ended: the account cannot log in.")


@cli.command("mfa-reset")
@click.argument("email")
def mfa_reset(email: str) -> None:
    """A lost phone: forget the person's authenticator app and recovery codes, end their sessions (logged)."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise click.BadParameter(f"nobody with {email!r}", param_hint="EMAIL")
    mfa.reset(user)
    log.record(Actor.shell(), "admin.person.mfa_reset", f"user:{user.id}")
    click.echo(f"Authenticator app of {user.email} reset: they set it up again at their next log-in.")


@cli.command("line-manager")
@click.argument("organisation")
@click.argument("email")
@click.argument("manager_email", required=False)
def line_manager(organisation: str, email: str, manager_email: str | None) -> None:
    """Set (or, without MANAGER_EMAIL, clear) a member of staff's line manager."""
    org = _organisation(organisation)
    manager = _person(org, manager_email).id if manager_email else None
    try:
        people.set_line_manager(Actor.shell(), org.id, _person(org, email).id, manager)
    except AdminError as error:
        raise _fail(error) from None
    click.echo("Line manager set." if manager else "Line manager cleared.")


@cli.command("invite")
@click.argument("organisation")
@click.option("--role", type=ROLE, default="patient", show_default=True)
@click.option("--team")
@click.option("--uses", type=int, default=1, show_default=True)
@click.option("--expires", type=click.DateTime(["%Y-%m-%d"]), help="Last day the code works (default: in 30 days).")
@click.option("--label", default="", help="What the code is for, e.g. a patient's pseudonym.")
def invite(organisation: str, role: str, team: str | None, uses: int, expires: object, label: str) -> None:
    """Make an invitation code."""
    org = _organisation(organisation)
    expires_on: date | None = expires.date() if expires is not None else None  # type: ignore[attr-defined]
    data = invitations.InvitationData(Role(role), _team(org, team), uses, expires_on, label)
    try:
        made = invitations.create_invitation(Actor.shell(), org.id, data)
    except AdminError as error:
        raise _fail(error) from None
    click.echo(f"{made.code}\t{made.max_uses} use(s)\tuntil {made.expires_at:%Y-%m-%d %H:%M} UTC")


@cli.command("invitations")
@click.argument("organisation")
def list_invitations(organisation: str) -> None:
    """List an organisation's codes with how often each was used."""
    org = _organisation(organisation)
    for inv in invitations.invitations_of(Actor.shell(), org.id):
        until = f"{inv.expires_at:%Y-%m-%d}" if inv.expires_at else "-"
        click.echo(f"{inv.code}\t{inv.role.value}\t{inv.uses}/{inv.max_uses}\t{until}\t"
                   f"{invitations.status(inv).value}\t{inv.label or ''}")  # fmt: skip


@cli.command("revoke")
@click.argument("organisation")
@click.argument("code")
def revoke(organisation: str, code: str) -> None:
    """Withdraw a code at once."""
    org = _organisation(organisation)
    found = db.session.scalar(
        select(Invitation).where(Invitation.organisation_id == org.id, stored_code_key() == code_key(code))
    )
    if found is None:
        raise click.BadParameter(f"no code {code!r} in {org.name}", param_hint="CODE")
    invitations.revoke(Actor.shell(), org.id, found.id)
    click.echo(f"Code {found.code} revoked.")


@cli.command("import")
@click.argument("organisation")
@click.argument("kind", type=click.Choice(imports.KINDS))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only check the file and list its problems.")
def import_file(organisation: str, kind: str, file: Path, dry_run: bool) -> None:
    """Import staff (HR export) or patients (pseudonyms) from CSV; nothing is imported while a row is wrong."""
    org = _organisation(organisation)
    checked = imports.preview(Actor.shell(), org.id, kind, file.read_bytes())
    for problem in checked.problems:
        column = f" {problem.field}" if problem.field else ""
        click.echo(f"row {problem.row}{column}: {problem.message}", err=True)
    if not checked.ok:
        raise click.ClickException(f"{len(checked.problems)} problem(s): nothing imported.")
    if dry_run:
        click.echo(f"{len(checked.rows)} row(s) can be imported.")
        return
    result = imports.run(Actor.shell(), org.id, kind, file.read_bytes())
    if kind == "staff":
        click.echo(f"{result.created} created, {result.updated} updated.")
    for inv in result.invitations:
        click.echo(f"{inv.label}\t{inv.code}")
