"""The homePage of a learner's xAPI account: one per organisation, so the LRS can keep tenants apart.

A learner of an organisation is `{XAPI_BASE_IRI}/org/<organisation pseudonym>`; someone with no organisation
(a regional author or administrator) is `{XAPI_BASE_IRI}` itself. Statements stored before organisations had
their own homePage carry `{XAPI_BASE_IRI}` too, and are still the platform's. The pseudonym is opaque, so a
statement never names the organisation (and with it, for a patient, often the condition treated there).

A learner belongs to one organisation, and the account name (User.xapi_pid) is drawn per account, so two
organisations' credentials never see the same actor: moving someone to another organisation gives them a new
account, never the old pseudonym under a second homePage.
"""

from __future__ import annotations

ORG_PATH = "/org/"


def learner_home(base_iri: str, organisation_pseudonym: str | None) -> str:
    """Return the account homePage of a learner of this organisation (None: no organisation)."""
    base = base_iri.rstrip("/")
    return f"{base}{ORG_PATH}{organisation_pseudonym}" if organisation_pseudonym else base


def is_platform_home(home: str, base_iri: str) -> bool:
    """Tell whether a homePage is one of this platform's learner homePages (an organisation's or the regional one)."""
    base, home = base_iri.rstrip("/"), home.rstrip("/")
    return home == base or organisation_of_home(home, base_iri) is not None


def organisation_of_home(home: str, base_iri: str) -> str | None:
    """Return the organisation pseudonym a learner homePage names, or None for any other homePage."""
    prefix = base_iri.rstrip("/") + ORG_PATH
    rest = home.rstrip("/")[len(prefix) :] if home.startswith(prefix) else ""
    return rest if rest and "/" not in rest else None
