"""Who administers what: the one rule every admin page, command and service asks.

- An account with the admin role is a regional administrator: it manages every organisation, creates new ones and
  may give the admin role. (The role is regional everywhere in the app: dashboards and uploads treat it so too;
  its organisation, if any, is only where the account itself belongs.)
- A manager of organisation X administers X only: its teams, people, invitation codes and line managers. For a
  manager, another organisation's things do not exist (404), and the admin role cannot be given or taken away.
- The shell (`flask admin ...`) is run by whoever operates the server, so it acts as a regional administrator and
  is logged as `cli:<operating-system user>`.
Every other role administers nothing (403).
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from learning.accounts.models import Role, User

ADMINISTRATORS = frozenset({Role.MANAGER, Role.ADMIN})


class AdminError(Exception):
    """A refusal the administrator can act on; `reason` keys a translated message in the views and the CLI."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


class OutOfScope(Exception):
    """The thing addressed does not exist for this actor (another organisation's, or no such id): a 404."""


class NotAdministrator(Exception):
    """This role administers nothing: a 403."""


@dataclass(frozen=True)
class Actor:
    """Who does an administrative action, as the rules and the audit log need it."""

    label: str  # "user:<id>" or "cli:<os user>", as the audit log names actors
    role: str
    user_id: int | None
    organisation_id: int | None
    regional: bool

    @classmethod
    def of(cls, user: User) -> Actor:
        """The actor for a logged-in account; raises NotAdministrator for roles that administer nothing."""
        if user.role not in ADMINISTRATORS:
            raise NotAdministrator
        return cls(f"user:{user.id}", user.role.value, user.id, user.organisation_id, user.role is Role.ADMIN)

    @classmethod
    def shell(cls) -> Actor:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):  # no passwd entry in a container
            name = "unknown"
        return cls(f"cli:{name}", "cli", None, None, True)


def may_manage(actor: Actor, organisation_id: int) -> bool:
    return actor.regional or actor.organisation_id == organisation_id


def require(actor: Actor, organisation_id: int | None) -> int:
    """Return the organisation id when the actor manages it; raise OutOfScope otherwise."""
    if organisation_id is None or not may_manage(actor, organisation_id):
        raise OutOfScope
    return organisation_id


def assignable_roles(actor: Actor) -> list[Role]:
    """Roles this actor may give: a manager every role but admin, a regional administrator all."""
    return [role for role in Role if actor.regional or role is not Role.ADMIN]
