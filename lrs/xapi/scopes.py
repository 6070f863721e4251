"""Authorization scopes (xAPI 1.0.3 Communication 4.2): which scope lets a client use which resource and method.

One pure table, so the HTTP layer enforces it in a single place and the rules can be read and tested apart from
the views. Resources are named as the spec's table of resources names them ("statements", "activities/state", …).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum, StrEnum


class Scope(StrEnum):
    """The scopes this LRS grants, in the order an administrator should read them (broadest first)."""

    ALL = "all"
    ALL_READ = "all/read"
    STATEMENTS_WRITE = "statements/write"
    STATEMENTS_READ = "statements/read"
    STATEMENTS_READ_MINE = "statements/read/mine"
    STATE = "state"
    PROFILE = "profile"
    # Not an xAPI scope, and not implied by "all": voiding what other credentials stored is an administrator's
    # decision (a credential otherwise voids only its own statements; the platform's own, nobody but the platform).
    STATEMENTS_VOID_ANY = "statements/void-any"


class Access(Enum):
    """How much of a resource a request may use."""

    DENIED = "denied"
    OWN = "own"  # statements/read/mine: only the statements this credential stored
    FULL = "full"


class UnknownScope(ValueError):
    """A scope name this LRS does not know; the message lists the ones it does."""


DEFAULT_SCOPES = (Scope.ALL,)
"""What a credential gets when nobody chose: every credential made before scopes existed has exactly this."""

READ_METHODS = frozenset({"GET", "HEAD"})
RESOURCES = (
    # Longest first, so a path ending in "/activities/state" is not taken for "/activities".
    "activities/profile",
    "activities/state",
    "agents/profile",
    "statements",
    "activities",
    "agents",
    "about",
)
_READ: dict[str, tuple[Scope, ...]] = {
    "statements": (Scope.STATEMENTS_READ,),
    "activities/state": (Scope.STATE,),
    "activities/profile": (Scope.PROFILE,),
    "agents/profile": (Scope.PROFILE,),
}
_WRITE: dict[str, tuple[Scope, ...]] = {
    "statements": (Scope.STATEMENTS_WRITE,),
    "activities/state": (Scope.STATE,),
    "activities/profile": (Scope.PROFILE,),
    "agents/profile": (Scope.PROFILE,),
}


def resource_of(path: str) -> str | None:
    """Return the xAPI resource a URL path (or route rule) addresses, whatever prefix the LRS is mounted at."""
    trimmed = path.rstrip("/")
    return next((name for name in RESOURCES if trimmed.endswith("/" + name)), None)


def scopes_for(method: str, resource: str | None) -> tuple[Scope, ...]:
    """Return the scopes any one of which lets a client use `method` on `resource`, narrowest first."""
    if method.upper() in READ_METHODS:
        own = (Scope.STATEMENTS_READ_MINE,) if resource == "statements" else ()
        return (*own, *_READ.get(resource or "", ()), Scope.ALL_READ, Scope.ALL)
    return (*_WRITE.get(resource or "", ()), Scope.ALL)


def access(granted: Iterable[str], method: str, resource: str | None) -> Access:
    """Return how much of `resource` a credential with the `granted` scopes may use with `method`."""
    held = set(granted).intersection(scopes_for(method, resource))
    if not held:
        return Access.DENIED
    return Access.OWN if held == {Scope.STATEMENTS_READ_MINE} else Access.FULL


def parse_scopes(names: Iterable[str]) -> tuple[Scope, ...]:
    """Return the scopes named, without duplicates and in the canonical order (empty when none are named).

    No names is not read as "all": an administrator who ticked nothing must not get a credential for everything.

    :raises UnknownScope: naming each unknown scope and listing the known ones.
    """
    wanted = {name.strip() for name in names if name.strip()}
    unknown = sorted(wanted - set(Scope))
    if unknown:
        known = ", ".join(Scope)
        raise UnknownScope(f"unknown scope(s): {', '.join(unknown)}; choose from: {known}")
    return tuple(scope for scope in Scope if scope in wanted)
