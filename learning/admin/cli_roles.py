"""`flask admin role ...`: the region's care roles from the shell, as the care roles page has them.

The same services (learning.admin.care_roles), as a regional administrator, logged as `cli:<user>`. A role is named
by its code (`hf_nurse`); the code never changes, a rename changes the three labels.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from learning.admin import care_roles
from learning.admin.care_roles import RoleData
from learning.admin.cli import _fail, cli
from learning.admin.scope import Actor, AdminError, OutOfScope
from learning.environments.models import StaffRole

role_cli = AppGroup("role", help="List, add, rename and remove the region's care roles.")
cli.add_command(role_cli)


def _role(code: str) -> StaffRole:
    try:
        return care_roles.get_role(code)
    except OutOfScope:
        raise click.BadParameter(f"no care role {code!r}", param_hint="CODE") from None


@role_cli.command("list")
def list_roles() -> None:
    """Every care role: code, Dutch, English and German name, curricula, people who have it now, had it before."""
    for use in care_roles.roles_in_use(Actor.shell()):
        role = use.role
        click.echo(f"{role.code}\t{role.label_nl}\t{role.label_en}\t{role.label_de or '-'}\t{len(use.curricula)}\t"
                   f"{use.people_now}\t{use.people_before}")  # fmt: skip


@role_cli.command("add")
@click.argument("code")
@click.option("--nl", "label_nl", required=True, help="The name in Dutch.")
@click.option("--en", "label_en", required=True, help="The name in English.")
@click.option("--de", "label_de", required=True, help="The name in German.")
def add_role(code: str, label_nl: str, label_en: str, label_de: str) -> None:
    """Add a care role (code: small letters, digits and _)."""
    try:
        made = care_roles.add_role(Actor.shell(), RoleData(code, label_nl, label_en, label_de))
    except AdminError as error:
        raise _fail(error) from None
    click.echo(f"Care role {made.code} added: {made.label_nl}")


@role_cli.command("rename")
@click.argument("code")
@click.option("--nl", "label_nl", help="The name in Dutch.")
@click.option("--en", "label_en", help="The name in English.")
@click.option("--de", "label_de", help="The name in German.")
def rename_role(code: str, label_nl: str | None, label_en: str | None, label_de: str | None) -> None:
    """Change a care role's names; what is not given stays as it is."""
    role = _role(code)
    data = RoleData(role.code, role.label_nl if label_nl is None else label_nl,
                    role.label_en if label_en is None else label_en,
                    (role.label_de or "") if label_de is None else label_de)  # fmt: skip
    try:
        made = care_roles.rename_role(Actor.shell(), role.code, data)
    except AdminError as error:
        raise _fail(error) from None
    click.echo(f"Care role {made.code}: {made.label_nl} / {made.label_en} / {made.label_de}")


@role_cli.command("remove")
@click.argument("code")
def remove_role(code: str) -> None:
    """Remove a care role nothing uses (no curriculum, nobody on the roster now or before)."""
    role = _role(code)
    try:
        care_roles.remove_role(Actor.shell(), role.code)
    except AdminError as error:
        raise _fail(error) from None
    click.echo(f"Care role {role.code} removed.")
