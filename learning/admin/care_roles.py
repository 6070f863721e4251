"""The region's care roles ("functies"): a regional administrator adds one, renames its labels, removes an unused one.

Care roles are reference data every organisation shares (learning.environments.roles): curricula target them, the
roster's memberships name them, the person forms and staff imports offer them. So they belong to the region, like
implementation environments: only a regional administrator (or the shell) changes them; a manager reads the list.

- The code is what curricula, memberships, imports (`care_role` column) and `flask admin` use, so it never changes
  once stored: a rename changes the three labels only. It is lower-case letters, digits and `_`, at most 40 (the
  column), and unique; `patient` is taken by the programmes' patients (learning.admin.curricula), even before it is
  stored on first use.
- Every role has a Dutch, an English and a German label (the interface's three languages). No two roles share a name:
  a staff import finds a role by its code or any of its labels (learning.environments.roles.find_care_role), and an
  ambiguous name would silently pick one.
- A role in use cannot be removed: a curriculum or a membership of the roster refers to it, ended memberships too
  (the monthly roll-up counts turnover from them, so the history keeps its roles). Rename it instead.
The page /admin/roles and `flask admin role ...` call these services; every change is in the access log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from learning.accounts.models import Organisation, Team
from learning.admin import log
from learning.admin.scope import Actor, AdminError, OutOfScope
from learning.db import db
from learning.environments.models import Curriculum, Programme, StaffMembership, StaffRole
from learning.environments.roles import PATIENT_AUDIENCE_ROLE, care_roles

CODE = re.compile(r"[a-z0-9_]+")
MAX_CODE, MAX_LABEL = 40, 100  # the lengths staff_role's columns hold
LANGUAGES = ("nl", "en", "de")


@dataclass(frozen=True)
class RoleData:
    """A role as the form and the shell give it; `code` is read only when a role is added."""

    code: str
    label_nl: str
    label_en: str
    label_de: str

    def label(self, language: str) -> str:
        return {"nl": self.label_nl, "en": self.label_en, "de": self.label_de}[language]


@dataclass(frozen=True)
class RoleUse:
    """A care role with where it is used, as far as the reader may see (a manager: their own organisation)."""

    role: StaffRole
    curricula: list[str]  # "programme (organisation)", by name
    people_now: int  # distinct people with an open membership in this role
    people_before: int  # distinct people with an ended membership in this role (the roster's history)

    @property
    def in_use(self) -> bool:
        return bool(self.curricula) or self.people_now > 0 or self.people_before > 0


def _clean(text: str) -> str:
    return " ".join(text.split())


def _check_labels(data: RoleData, code: str) -> dict[str, str]:
    """The three labels, each required, at most 100 characters, and no name another role already has."""
    labels = {language: _clean(data.label(language)) for language in LANGUAGES}
    others = [role for role in care_roles() if role.code != code]
    taken = {_name.casefold() for role in others for _name in (role.code, role.label_nl, role.label_en, role.label_de)
             if _name}  # fmt: skip
    for language, text in labels.items():
        if not text or len(text) > MAX_LABEL:
            raise AdminError("role-label-required", maximum=MAX_LABEL, field=f"label_{language}")
        if text.casefold() in taken:
            raise AdminError("role-label-taken", label=text, field=f"label_{language}")
    return labels


def _check_code(text: str) -> str:
    code = text.strip().lower()
    if not CODE.fullmatch(code) or len(code) > MAX_CODE:
        raise AdminError("role-code-invalid", maximum=MAX_CODE)
    if code == PATIENT_AUDIENCE_ROLE[0] or db.session.get(StaffRole, code) is not None:
        raise AdminError("role-code-taken", code=code)
    return code


def _require_regional(actor: Actor) -> None:
    if not actor.regional:  # the pages answer 403 before this; a service called directly refuses all the same
        raise OutOfScope()


def get_role(code: str) -> StaffRole:
    """A care role by its code; the patients' curriculum code is not one (OutOfScope, a 404)."""
    role = db.session.get(StaffRole, code) if code != PATIENT_AUDIENCE_ROLE[0] else None
    if role is None:
        raise OutOfScope()
    return role


def roles_in_use(actor: Actor) -> list[RoleUse]:
    """Every care role by code, with the curricula and roster that use it; a manager sees only their own
    organisation's (another organisation's programmes and staff are not theirs to count)."""
    return _uses(None if actor.regional else actor.organisation_id)


def role_in_use(code: str) -> RoleUse:
    """One role with its use across the region: what decides whether it may be removed."""
    role = get_role(code)
    return next(use for use in _uses(None) if use.role.code == role.code)


def _uses(organisation_id: int | None) -> list[RoleUse]:
    curricula: dict[str, list[str]] = {}
    query = (
        select(Curriculum.role_code, Programme.name, Organisation.name)
        .join(Programme, Programme.id == Curriculum.programme_id)
        .join(Organisation, Organisation.id == Programme.organisation_id)
        .order_by(Programme.name, Organisation.name)
    )
    if organisation_id is not None:
        query = query.where(Programme.organisation_id == organisation_id)
    for code, programme, organisation in db.session.execute(query):
        curricula.setdefault(code, []).append(f"{programme} ({organisation})")
    counts = (
        select(
            StaffMembership.role_code,
            func.count(func.distinct(StaffMembership.staff_id)).filter(StaffMembership.end.is_(None)),
            func.count(func.distinct(StaffMembership.staff_id)).filter(StaffMembership.end.is_not(None)),
        )
        .join(Team, Team.id == StaffMembership.team_id)
        .group_by(StaffMembership.role_code)
    )
    if organisation_id is not None:
        counts = counts.where(Team.organisation_id == organisation_id)
    roster = {code: (int(now), int(ended)) for code, now, ended in db.session.execute(counts)}
    return [RoleUse(role, curricula.get(role.code, []), *roster.get(role.code, (0, 0))) for role in care_roles()]


def add_role(actor: Actor, data: RoleData) -> StaffRole:
    """Store a new care role; refused as a whole (a bad or taken code, a missing or taken label) before any write."""
    _require_regional(actor)
    code = _check_code(data.code)
    labels = _check_labels(data, code)
    role = StaffRole(code=code, label_nl=labels["nl"], label_en=labels["en"], label_de=labels["de"])
    db.session.add(role)
    try:
        db.session.commit()
    except IntegrityError:  # another administrator stored the same code a moment ago
        db.session.rollback()
        raise AdminError("role-code-taken", code=code) from None
    log.record(actor, "admin.role.create", f"role:{code}")
    return role


def rename_role(actor: Actor, code: str, data: RoleData) -> StaffRole:
    """Change a role's three labels; its code stays, so curricula, the roster and imports keep referring to it."""
    _require_regional(actor)
    role = get_role(code)
    labels = _check_labels(data, role.code)
    role.label_nl, role.label_en, role.label_de = labels["nl"], labels["en"], labels["de"]
    db.session.commit()
    log.record(actor, "admin.role.update", f"role:{role.code}")
    return role


def remove_role(actor: Actor, code: str) -> None:
    """Remove a care role nothing refers to; one in use is refused with where it is used (rename it instead)."""
    _require_regional(actor)
    use = role_in_use(code)
    if use.in_use:
        raise AdminError("role-in-use", code=use.role.code)
    db.session.delete(use.role)
    try:
        db.session.commit()
    except IntegrityError:  # a membership or curriculum arrived between the check and the delete
        db.session.rollback()
        raise AdminError("role-in-use", code=use.role.code) from None
    log.record(actor, "admin.role.remove", f"role:{code}")
