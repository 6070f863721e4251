"""NASSS and CFIR assessments of RPM programmes: the canonical domains and ratings, who may see or add them, the
record of a programme's assessments, and the latest one per domain that a dashboard shows beside the numbers.

Assessments are judgements by people, never computed. They are a record: nothing here changes or deletes one; a
correction is a new assessment, and the latest (by date, then by entry) counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import LazyString, force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from learning.accounts.models import Role, User
from learning.dashboards.access import may_view_environment
from learning.db import db
from learning.environments import roles
from learning.environments.models import Assessment, Framework, Programme, StaffRole

LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")
EARLIEST_BEFORE_START_YEARS = 1  # a baseline assessment may precede the programme's start by up to a year

# Greenhalgh et al., JMIR 2017;19(11):e367: the seven NASSS domains.
NASSS_DOMAINS: tuple[str, ...] = (
    "1 condition",
    "2 technology",
    "3 value proposition",
    "4 adopter system",
    "5 organisation",
    "6 wider system",
    "7 embedding and adaptation",
)
# Damschroder et al., Implement Sci 2022;17:75 (CFIR 2.0). Append new constructs at the end: the demo judges the
# first four in this order. "implementation climate" is the CFIR 2009 construct the programmes already use.
CFIR_CONSTRUCTS: tuple[str, ...] = (
    "innovation adaptability",
    "implementation climate",
    "access to knowledge and information",
    "engaging",
    "available resources",
    "reflecting and evaluating",
)
DOMAINS: dict[Framework, tuple[str, ...]] = {Framework.NASSS: NASSS_DOMAINS, Framework.CFIR: CFIR_CONSTRUCTS}

DOMAIN_LABELS: dict[str, LazyString] = {
    "1 condition": _l("1. The condition"),
    "2 technology": _l("2. The technology"),
    "3 value proposition": _l("3. The value proposition"),
    "4 adopter system": _l("4. The adopter system (staff, patients, carers)"),
    "5 organisation": _l("5. The organisation(s)"),
    "6 wider system": _l("6. The wider system"),
    "7 embedding and adaptation": _l("7. Embedding and adaptation over time"),
    "innovation adaptability": _l("Innovation: adaptability"),
    "implementation climate": _l("Inner setting: implementation climate"),
    "access to knowledge and information": _l("Inner setting: access to knowledge and information"),
    "engaging": _l("Implementation process: engaging"),
    "available resources": _l("Inner setting: available resources"),
    "reflecting and evaluating": _l("Implementation process: reflecting and evaluating"),
}


@dataclass(frozen=True)
class Rating:
    """A rating as stored (`code`), as shown (`label`) and what it means in its framework's rubric."""

    code: str
    label: str | LazyString
    meaning: LazyString


RATINGS: dict[Framework, dict[str, Rating]] = {
    # NASSS rubric (Healthcare 2021, PMC7916542)
    Framework.NASSS: {
        r.code: r
        for r in (
            Rating("simple", _l("Simple"), _l("straightforward, predictable, few components")),
            Rating("complicated", _l("Complicated"), _l("multiple interacting components or issues")),
            Rating("complex", _l("Complex"), _l("dynamic, unpredictable, not easily broken down into parts")),
        )
    },
    # CFIR construct ratings as used in qualitative coding; stored without a plus sign ("2"), shown signed
    Framework.CFIR: {
        r.code: r
        for r in (
            Rating("-2", "\u22122", _l("strongly negative influence on implementation")),
            Rating("-1", "\u22121", _l("weakly negative influence on implementation")),
            Rating("0", "0", _l("neutral or mixed influence")),
            Rating("1", "+1", _l("weakly positive influence on implementation")),
            Rating("2", "+2", _l("strongly positive influence on implementation")),
        )
    },
}

# Who judged, besides the care roles of the staff_role table.
OTHER_ROLES: dict[str, LazyString] = {
    "manager": _l("Manager"),
    "project_lead": _l("Project lead"),
    "external": _l("External (researcher, adviser)"),
}
NOT_ASSESSORS = frozenset({"patient"})  # a module audience in staff_role, not a care role


def is_domain_of(framework: Framework, domain: str) -> bool:
    """True when the domain (NASSS) or construct (CFIR) belongs to the framework."""
    return domain in DOMAINS[framework]


def is_rating_of(framework: Framework, rating: str) -> bool:
    """True when the rating is on the framework's scale."""
    return rating in RATINGS[framework]


def _manager_of(user: User) -> int | None:
    """Return the organisation of an active manager, else None."""
    if user.role is not Role.MANAGER or not user.is_active:
        return None
    return user.organisation_id


def may_assess(user: User, programme: Programme) -> bool:
    """True for administrators and for managers of the organisation that runs the programme."""
    if user.role is Role.ADMIN:
        return user.is_active
    organisation_id = _manager_of(user)
    return organisation_id is not None and organisation_id == programme.organisation_id


def may_view_assessments(user: User, programme: Programme) -> bool:
    """True for whoever may assess, and for whoever may open the environment's dashboard, where the latest
    assessments stand beside the numbers (one rule for both: learning.dashboards.access)."""
    if may_assess(user, programme):
        return True
    return _manager_of(user) is not None and may_view_environment(user, programme.environment_id)


def _order(framework: Framework, domain: str) -> tuple[int, str]:
    """Sort domains in the framework's canonical order; unknown (older) names after them, alphabetically."""
    known = DOMAINS[framework]
    return (known.index(domain) if domain in known else len(known), domain)


def _by_framework(assessments: Iterable[Assessment]) -> dict[Framework, list[Assessment]]:
    grouped: dict[Framework, list[Assessment]] = defaultdict(list)
    for assessment in assessments:
        grouped[assessment.framework].append(assessment)
    return {framework: grouped[framework] for framework in Framework if framework in grouped}


def latest_assessments(programme_ids: list[int]) -> dict[int, dict[Framework, list[Assessment]]]:
    """Return, per programme, the latest assessment of each domain, by framework, in canonical domain order.

    Every requested programme is a key (an empty dict when it has no assessments). "Latest" is the latest
    `assessed_on`; of two on the same day the one entered last, so a correction wins.
    """
    if not programme_ids:
        return {}
    rank = (
        func.row_number()
        .over(
            partition_by=(Assessment.programme_id, Assessment.framework, Assessment.domain),
            order_by=(Assessment.assessed_on.desc(), Assessment.id.desc()),
        )
        .label("rank")
    )
    ranked = select(Assessment.id, rank).where(Assessment.programme_id.in_(programme_ids)).subquery()
    latest = db.session.scalars(select(Assessment).join(ranked, ranked.c.id == Assessment.id).where(ranked.c.rank == 1))
    per_programme: dict[int, list[Assessment]] = defaultdict(list)
    for assessment in sorted(latest, key=lambda a: _order(a.framework, a.domain)):
        per_programme[assessment.programme_id].append(assessment)
    return {programme_id: _by_framework(per_programme[programme_id]) for programme_id in programme_ids}


def assessment_history(programme_id: int) -> dict[Framework, list[tuple[str, list[Assessment]]]]:
    """Return every assessment of the programme by framework, then domain (canonical order), newest first."""
    query = select(Assessment).where(Assessment.programme_id == programme_id)
    rows = db.session.scalars(query.order_by(Assessment.assessed_on.desc(), Assessment.id.desc()))
    history: dict[Framework, dict[str, list[Assessment]]] = defaultdict(lambda: defaultdict(list))
    for assessment in rows:
        history[assessment.framework][assessment.domain].append(assessment)
    return {
        framework: sorted(history[framework].items(), key=lambda item: _order(framework, item[0]))
        for framework in Framework
        if framework in history
    }


def role_labels(locale: str) -> dict[str, str]:
    """Return every assessor role code with its label in the locale: other roles first, then care roles."""
    with force_locale(locale):
        labels = {code: str(label) for code, label in OTHER_ROLES.items()}
    care = db.session.scalars(select(StaffRole).where(StaffRole.code.not_in(NOT_ASSESSORS)))
    named = sorted(((role.code, roles.label(role, locale)) for role in care), key=_label)
    return labels | dict(named)


def _label(item: tuple[str, str]) -> str:
    return item[1].casefold()


def local_today() -> date:
    """Return today's date on the care organisations' clock (Europe/Amsterdam)."""
    return datetime.now(LOCAL_ZONE).date()


def earliest_assessment_date(programme: Programme) -> date:
    """Return the first date an assessment of the programme may carry: its start minus a year."""
    start = programme.start
    year = start.year - EARLIEST_BEFORE_START_YEARS
    return start.replace(year=year) if (start.month, start.day) != (2, 29) else date(year, 2, 28)


@dataclass(frozen=True)
class NewAssessment:
    """The checked fields of one assessment (the form has validated them against the framework)."""

    framework: Framework
    domain: str
    rating: str
    rationale: str
    assessed_by_role: str
    assessed_on: date


def add_assessment(programme: Programme, author: User, new: NewAssessment) -> Assessment:
    """Store one assessment of the programme and commit.

    :raises ValueError: when the domain or rating does not belong to the framework.
    """
    if not is_domain_of(new.framework, new.domain) or not is_rating_of(new.framework, new.rating):
        raise ValueError(f"{new.domain!r} / {new.rating!r} is not a {new.framework} domain and rating")
    assessment = Assessment(
        programme_id=programme.id,
        framework=new.framework,
        domain=new.domain,
        rating=new.rating,
        rationale=new.rationale,
        assessed_by_role=new.assessed_by_role,
        assessed_on=new.assessed_on,
        created_by_user_id=author.id,
    )
    db.session.add(assessment)
    db.session.commit()
    return assessment
