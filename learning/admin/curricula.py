"""A programme's curricula: per care role the modules its staff must complete, how soon, and how often again.

The curricula are the training half of the platform's link between training and adoption: TRN_COVERAGE counts a
member of staff as trained when they did every module of the curricula for their role(s) in their team's programmes,
and a line manager's "still to complete" list names the modules each report still misses, with the due date
(`due_days` after the later of joining and the programme's start). One role of one programme has one curriculum.

The role "patient" is not a care role: its curriculum lists the education the programme's patients follow (the
onboarding metrics read it). So staff roles choose modules written for professionals, the patient role modules
written for patients; a module nobody of that audience can open would count as never done.

Only published modules (a reviewer approved a version) can be chosen: a module a learner cannot open yet would make
everyone overdue. A change queues the programme's months for the metrics' next drain, so coverage follows by itself.
Who may change them is the programme's rule (learning.admin.programmes): a manager of the programme's organisation
or a regional administrator.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from learning.accounts.models import Audience
from learning.admin import log
from learning.admin.programmes import get_programme
from learning.admin.scope import Actor, AdminError, OutOfScope
from learning.content.services import PublishedText, list_modules_for
from learning.db import db
from learning.environments.models import Curriculum, Programme, StaffRole
from learning.environments.roles import PATIENT_AUDIENCE_LABEL_DE, PATIENT_AUDIENCE_ROLE, label
from learning.metrics.arrivals import queue_months

PATIENT_ROLE = PATIENT_AUDIENCE_ROLE[0]  # the code the metrics read as "the programme's patients"
MAX_DUE_DAYS = 730  # two years: a longer term is no plan for training that should come with the programme
MAX_REFRESHER_MONTHS = 120


@dataclass(frozen=True)
class CurriculumData:
    role_code: str
    module_slugs: tuple[str, ...]
    due_days: int | None  # None: not filled in or not a whole number (refused)
    refresher_months: int | None = None  # None: done once is done for good
    refresher_invalid: bool = False  # something was typed that is not a whole number


@dataclass(frozen=True)
class ModuleChoice:
    """A module that may be chosen for a role, with its title in the reader's language."""

    slug: str
    title: str


def audience_of(role_code: str) -> Audience:
    """Who the modules of a role's curriculum must be written for."""
    return Audience.PATIENT if role_code == PATIENT_ROLE else Audience.PROFESSIONAL


def module_choices(role_code: str, language: str) -> list[ModuleChoice]:
    """The published modules a curriculum for this role may list, by title."""
    texts: list[PublishedText] = [text for _module, text in list_modules_for(audience_of(role_code).value, language)]
    return sorted((ModuleChoice(t.slug, t.title) for t in texts), key=lambda c: c.title.lower())


def titles(language: str) -> dict[str, str]:
    """Every published module's title in the reader's language (a slug no longer published shows as itself)."""
    return {text.slug: text.title for _module, text in list_modules_for(None, language)}


def roles() -> list[StaffRole]:
    """The roles a curriculum can target: every care role, and the programme's patients (stored on first use)."""
    known = list(db.session.scalars(select(StaffRole).order_by(StaffRole.code)))
    if all(role.code != PATIENT_ROLE for role in known):
        known.append(
            StaffRole(
                code=PATIENT_ROLE,
                label_nl=PATIENT_AUDIENCE_ROLE[1],
                label_en=PATIENT_AUDIENCE_ROLE[2],
                label_de=PATIENT_AUDIENCE_LABEL_DE,
            )
        )
    return known


def role_label(role: StaffRole, language: str) -> str:
    return label(role, language)


def queue_recompute(programme: Programme) -> None:
    """Queue the programme's teams from its first month for the metrics' next drain (cron, or every xAPI sync), in
    the change's own transaction: a curriculum or a norm changes every month's values, not only new data's."""
    first = programme.start.replace(day=1)
    queue_months([(team.id, first) for team in programme.teams] or [(None, first)])


def curricula_of(actor: Actor, organisation_id: int, programme_id: int) -> list[Curriculum]:
    """The programme's curricula, the patients' last (staff training is what the page is mostly about)."""
    programme = get_programme(actor, organisation_id, programme_id)
    rows = db.session.scalars(select(Curriculum).where(Curriculum.programme_id == programme.id))
    return sorted(rows, key=lambda c: (c.role_code == PATIENT_ROLE, c.role_code))


def get_curriculum(actor: Actor, organisation_id: int, programme_id: int, role_code: str) -> Curriculum:
    programme = get_programme(actor, organisation_id, programme_id)
    found = _stored(programme.id, role_code)
    if found is None:
        raise OutOfScope
    return found


def _stored(programme_id: int, role_code: str) -> Curriculum | None:
    query = select(Curriculum).where(Curriculum.programme_id == programme_id, Curriculum.role_code == role_code)
    return db.session.scalar(query)


def _check(data: CurriculumData) -> tuple[str, list[str], int]:
    """Refuse before anything is stored; return the role, the modules (sorted) and the due days."""
    role = data.role_code.strip()
    if role not in {r.code for r in roles()}:
        raise AdminError("curriculum-role-unknown")
    if not data.module_slugs:
        raise AdminError("curriculum-modules-missing")
    allowed = {text.slug for _module, text in list_modules_for(audience_of(role).value, "nl")}
    chosen = set(data.module_slugs)
    if not chosen <= allowed:
        published = {text.slug for _module, text in list_modules_for(None, "nl")}
        wrong = sorted(chosen - allowed)[0]
        raise AdminError("curriculum-module-audience" if wrong in published else "curriculum-module-unknown")
    if data.due_days is None or not 0 < data.due_days <= MAX_DUE_DAYS:
        raise AdminError("curriculum-due-out-of-range", maximum=MAX_DUE_DAYS)
    if data.refresher_invalid or (
        data.refresher_months is not None and not 0 < data.refresher_months <= MAX_REFRESHER_MONTHS
    ):
        raise AdminError("curriculum-refresher-out-of-range", maximum=MAX_REFRESHER_MONTHS)
    return role, sorted(chosen), data.due_days


def set_curriculum(actor: Actor, organisation_id: int, programme_id: int, data: CurriculumData) -> Curriculum:
    """Give a role of the programme its curriculum, or change the one it has (one per role and programme)."""
    programme = get_programme(actor, organisation_id, programme_id)
    role, modules, due_days = _check(data)
    if role == PATIENT_ROLE and db.session.get(StaffRole, role) is None:
        db.session.add(
            StaffRole(
                code=role,
                label_nl=PATIENT_AUDIENCE_ROLE[1],
                label_en=PATIENT_AUDIENCE_ROLE[2],
                label_de=PATIENT_AUDIENCE_LABEL_DE,
            )
        )
    curriculum = _stored(programme.id, role)
    if curriculum is None:
        curriculum = Curriculum(programme_id=programme.id, role_code=role)
        db.session.add(curriculum)
    curriculum.module_slugs, curriculum.due_days = modules, due_days
    curriculum.refresher_months = data.refresher_months
    queue_recompute(programme)
    db.session.commit()
    log.record(actor, "admin.curriculum.set", f"programme:{programme.id} role:{role}")
    return curriculum


def remove_curriculum(actor: Actor, organisation_id: int, programme_id: int, role_code: str) -> None:
    """Remove a role's curriculum: its staff no longer count in TRN_COVERAGE; what they did stays in their records."""
    curriculum = get_curriculum(actor, organisation_id, programme_id, role_code)
    subject = f"programme:{curriculum.programme_id} role:{curriculum.role_code}"
    queue_recompute(get_programme(actor, organisation_id, programme_id))
    db.session.delete(curriculum)
    db.session.commit()
    log.record(actor, "admin.curriculum.remove", subject)
