"""Which LRS credentials may send RPM statements for which organisation (rpm_source).

A credential is named by the authority the LRS stamps on what it stores: an Agent whose account name is the
credential's key (README, "Statements stored with a credential carry it as their authority"). The LMS never reads
the LRS's tables: an operator links the key that `flask lrs create-credential` printed (KEY of KEY:SECRET), and
the sync compares it with the `authority` of each statement as it reads it through xAPI.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from learning.accounts.models import Organisation
from learning.db import db
from learning.rpm.models import RpmSource

Authority = tuple[str, str]  # (account homePage, account name), as the statement's authority carries it


class SourceError(Exception):
    """A link that cannot be made or removed; the message says why."""


def find_organisation(id_or_name: str) -> Organisation:
    """Return the organisation with this id (a number) or exact name.

    :raises SourceError: when there is none.
    """
    found = db.session.get(Organisation, int(id_or_name)) if id_or_name.isdigit() else None
    found = found or db.session.scalar(select(Organisation).where(Organisation.name == id_or_name))
    if found is None:
        raise SourceError(f"no organisation with id or name {id_or_name!r}")
    return found


def link_credential(organisation: Organisation, key: str, label: str, home_page: str | None = None) -> RpmSource:
    """Let the LRS credential with this key send RPM statements for the organisation's programmes.

    :raises SourceError: when the key is not a plausible account name or is linked to the organisation already.
    """
    if not key or len(key) > 100 or any(c.isspace() or c == ":" for c in key):
        raise SourceError("give the credential's key: the part before ':' of the KEY:SECRET line")
    if home_page is not None and not home_page.startswith(("https://", "http://")):
        raise SourceError(f"home page {home_page!r} must be an http(s) address")
    if _source(organisation.id, key) is not None:
        raise SourceError(f"credential {key} is linked to {organisation.name} already")
    source = RpmSource(
        organisation_id=organisation.id, authority_name=key, authority_home_page=home_page, label=label or key
    )
    db.session.add(source)
    db.session.commit()
    return source


def unlink_credential(organisation: Organisation, key: str) -> None:
    """Stop accepting RPM statements of this credential for the organisation (rows imported before stay).

    :raises SourceError: when the credential is not linked to the organisation.
    """
    source = _source(organisation.id, key)
    if source is None:
        raise SourceError(f"credential {key} is not linked to {organisation.name}")
    db.session.delete(source)
    db.session.commit()


def list_sources() -> list[tuple[RpmSource, str]]:
    """Return every link with its organisation's name, by organisation and then newest first."""
    query = (
        select(RpmSource, Organisation.name)
        .join(Organisation, Organisation.id == RpmSource.organisation_id)
        .order_by(Organisation.name, RpmSource.created_at.desc(), RpmSource.id.desc())
    )
    return [(source, name) for source, name in db.session.execute(query)]


def linked_authorities(organisation_id: int) -> list[tuple[str | None, str]]:
    """Return (homePage or None for any, account name) of every credential linked to the organisation."""
    query = select(RpmSource.authority_home_page, RpmSource.authority_name).where(
        RpmSource.organisation_id == organisation_id
    )
    return [(home, name) for home, name in db.session.execute(query)]


def is_linked(authority: Authority, linked: Collection[tuple[str | None, str]]) -> bool:
    """Tell whether a statement's authority is one of the linked ones (a homePage is compared only when pinned)."""
    home, name = authority
    return any(name == linked_name and (pinned is None or _same_page(pinned, home)) for pinned, linked_name in linked)


def _same_page(pinned: str, home: str) -> bool:
    return pinned.rstrip("/") == home.rstrip("/")


def _source(organisation_id: int, key: str) -> RpmSource | None:
    return db.session.scalar(
        select(RpmSource).where(RpmSource.organisation_id == organisation_id, RpmSource.authority_name == key)
    )
