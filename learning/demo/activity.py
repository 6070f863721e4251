"""What staff do in RPM, how many patients were eligible, and how the programmes judged themselves.

Staff act far more once trained (so STAFF_APPLIED and TT_FIRST_USE show an association, not a cause); staff
without an account act at an in-between rate, since the LMS cannot know whether they trained elsewhere.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta

from learning.assessments.services import CFIR_CONSTRUCTS, NASSS_DOMAINS
from learning.demo.bulk import ChunkedInsert, insert_all
from learning.demo.patients import PatientPlan
from learning.demo.region import ROLES
from learning.demo.staff import Membership, StaffPlan
from learning.demo.structure import ProgrammeRow, Region
from learning.environments.models import Assessment, Framework
from learning.rpm.models import EligibleCount, StaffActivity

BEFORE_TRAINING = 0.12  # share of the trained rate before training
WITHOUT_ACCOUNT = 0.45
NASSS_TEXTS = (  # one per NASSS_DOMAINS, in its order
    "Hartfalen, diabetes en COPD zijn goed omschreven, maar multimorbiditeit maakt het lastiger.",
    "Koppeling van meetapparaten aan de app werkt meestal; koppeling met het EPD nog handmatig.",
    "Minder poliklinische controles; de businesscase hangt af van de NZa-prestatie.",
    "Verpleegkundigen enthousiast; niet alle artsen kijken in het dashboard.",
    "Capaciteit van het servicecentrum en roosters bepalen de reactietijden.",
    "Afspraken met zorgverzekeraars over bekostiging lopen per jaar.",
    "Werkafspraken worden aangepast na de evaluatie per kwartaal.",
)
NASSS_RATINGS = ("simple", "complicated", "complicated", "complex")
CFIR_TEXTS = (  # for the first four of CFIR_CONSTRUCTS, in its order
    "Meetschema en grenzen zijn per patiënt aan te passen.",
    "Thuismonitoring staat in het jaarplan; er is tijd voor scholing.",
    "E-learning beschikbaar; nieuwe collega's volgen die bij de start.",
    "Patiënten en naasten denken mee via het patiëntenpanel.",
)


def _works_on(membership: Membership, day: date) -> bool:
    """`end` is the last day worked (as the metrics read it)."""
    return membership.start <= day and (membership.end is None or day <= membership.end)


def _actions(rng: random.Random, role: str, enrols: bool) -> dict[str, int]:
    counts = {
        "enrolments": 1 if enrols and rng.random() < 0.12 else 0,
        "reviews": rng.randint(1, 8),
        "alerts_handled": rng.randint(0, 4) if role == "monitoring_nurse" else rng.randint(0, 2),
        "contacts": rng.randint(0, 2),
    }
    return {name: count for name, count in counts.items() if count}


def _rate(plan: StaffPlan, role: str, trained: datetime | None, day: date) -> float:
    rate = ROLES[role][2]
    if not plan.has_account:
        return rate * WITHOUT_ACCOUNT
    return rate * BEFORE_TRAINING if trained is None or trained.date() >= day else rate


def _staff_days(
    rng: random.Random, region: Region, plan: StaffPlan, trained: datetime | None
) -> list[dict[str, object]]:
    rows = []
    for programme in region.programmes:
        mine = [m for m in plan.memberships if m.team in programme.staff_teams and m.role in programme.curriculum]
        day = max(programme.start, region.window.start)
        while mine and day < region.window.end:
            working = next((m for m in mine if _works_on(m, day)), None)
            weekend_shift = working is not None and working.team == programme.spec.monitoring_centre
            on_duty = working is not None and (day.weekday() < 5 or weekend_shift)
            if working is not None and on_duty and rng.random() < _rate(plan, working.role, trained, day):
                enrols = working.team in programme.spec.teams
                rows.append({"programme_id": programme.id, "staff_pid": plan.pid, "day": day,
                             "actions": _actions(rng, working.role, enrols)})  # fmt: skip
            day += timedelta(days=1)
    return rows


def write_staff_activity(
    rng: random.Random, region: Region, plans: list[StaffPlan], trained: dict[str, datetime]
) -> int:
    """Insert one row per member of staff per day with RPM actions; return how many."""
    rows = ChunkedInsert(StaffActivity.__table__)  # type: ignore[arg-type]
    for plan in plans:
        rows.extend(_staff_days(rng, region, plan, trained.get(plan.pid)))
    rows.flush()
    return rows.written


def _enrolled_during(plans: list[PatientPlan], first: date, after: date) -> int:
    return sum(
        1
        for p in plans
        if p.enrolled is not None and p.enrolled < after and (p.disenrolled is None or p.disenrolled >= first)
    )


def write_eligible_counts(rng: random.Random, region: Region, plans: list[PatientPlan]) -> None:
    """One count per programme per month: reach grows from about a quarter to over half of those eligible."""
    rows = []
    months = list(region.window.months())
    for programme in region.programmes:
        mine = [p for p in plans if p.programme is programme]
        source = "ehr" if programme.spec.organisation in {"zto", "mce"} else "manual"
        for index, (first, after) in enumerate(months):
            if after <= programme.start:
                continue
            reach = 0.25 + 0.3 * index / max(len(months) - 1, 1) + rng.uniform(-0.04, 0.04)
            count = max(10, math.ceil(_enrolled_during(mine, first, after) / reach))
            rows.append({"programme_id": programme.id, "period_start": first, "period_end": after,
                         "count": count, "source": source})  # fmt: skip
    insert_all(EligibleCount, rows)


def write_assessments(rng: random.Random, region: Region) -> None:
    """NASSS at the start and half a year later, CFIR once, per programme (judgements, never computed)."""
    rows = []
    for programme in region.programmes:
        moments = [programme.start + timedelta(days=30), programme.start + timedelta(days=210)]
        for when in (d for d in moments if d < region.window.end):
            rows += [_row(programme, Framework.NASSS, domain, rng.choice(NASSS_RATINGS), text, when)
                     for domain, text in zip(NASSS_DOMAINS, NASSS_TEXTS, strict=True)]  # fmt: skip
        when = programme.start + timedelta(days=120)
        if when < region.window.end:
            rows += [_row(programme, Framework.CFIR, construct, str(rng.randint(-1, 2)), text, when)
                     for construct, text in zip(CFIR_CONSTRUCTS, CFIR_TEXTS, strict=False)]  # fmt: skip
    insert_all(Assessment, rows)


def _row(
    programme: ProgrammeRow, framework: Framework, domain: str, rating: str, text: str, when: date
) -> dict[str, object]:
    return {"programme_id": programme.id, "framework": framework, "domain": domain, "rating": rating,
            "rationale": text, "assessed_by_role": "project_lead", "assessed_on": when}  # fmt: skip
