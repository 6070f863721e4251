"""Patients of the region's programmes: offers, enrolments, activation and disenrolment, patient accounts with
consented links, and their (and their relatives') education in the real patient modules.

Everything RPM-side is keyed by the programme's pseudonym (pt-…); a patient account is linked to it only through
PatientLink, as the consent flow would.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from learning.accounts.models import Role, User
from learning.demo.attempts import Learner, Plan, take_module
from learning.demo.bulk import ChunkedInsert, insert_all, insert_returning_ids
from learning.demo.clock import evening_moment, new_uuid
from learning.demo.region import CAREGIVER_MODULE, PATIENT_MODULES
from learning.demo.staff import UNUSABLE_PASSWORD, apportion
from learning.demo.structure import ProgrammeRow, Region
from learning.demo.training import Trainer
from learning.environments.models import PatientLink
from learning.rpm.models import Enrolment

ACCOUNT_SHARE = 0.3  # of enrolled patients in a programme with a patient module
CAREGIVER_SHARE = 0.08  # caregiver accounts per enrolled patient
# reason, weight: drop-out (patient_choice, technical, other) and not (death, transfer, planned_end, graduation)
DISENROL = (
    ("patient_choice", 35),
    ("technical", 10),
    ("other", 8),
    ("death", 20),
    ("transfer", 12),
    ("planned_end", 10),
    ("graduation", 5),
)


@dataclass
class PatientPlan:
    programme: ProgrammeRow
    pid: str
    team: str
    offered: date
    enrolled: date | None
    first_measurement: date | None
    disenrolled: date | None
    reason: str | None
    plateau: float  # steady adherence after the first two weeks
    silent_from: date | None  # stops measuring while still enrolled (silent drop-out)


def _pid(rng: random.Random, taken: set[str]) -> str:
    while True:
        pid = f"pt-{rng.getrandbits(40):010x}"
        if pid not in taken:
            taken.add(pid)
            return pid


def _offer_day(rng: random.Random, programme: ProgrammeRow, start: date, end: date) -> date:
    """Offers clear a backlog in the programme's first month, then spread out.

    Programmes running from the start of the demo year move their existing telemonitoring patients over first.
    """
    span = max((end - programme.start).days - 3, 1)
    backlog = 0.45 if programme.start <= start else 0.2
    days = rng.randint(0, min(30, span)) if rng.random() < backlog else rng.randint(0, span)
    return programme.start + timedelta(days=days)


def _first_measurement(rng: random.Random, enrolled: date) -> date | None:
    draw = rng.random()
    if draw < 0.05:
        return None
    if draw < 0.15:
        return enrolled + timedelta(days=rng.randint(8, 30))
    return enrolled + timedelta(days=int(rng.triangular(0, 7, 0)))


def _patient(rng: random.Random, region: Region, programme: ProgrammeRow, taken: set[str]) -> PatientPlan:
    window = region.window
    offered = _offer_day(rng, programme, window.start, window.end)
    plan = PatientPlan(programme, _pid(rng, taken), rng.choice(programme.spec.teams), offered, None, None, None, None,
                       min(rng.betavariate(8.5, 1.5), 0.99), None)  # fmt: skip
    if rng.random() >= 0.8:
        return plan  # declined the offer
    plan.enrolled = min(offered + timedelta(days=rng.randint(0, 10)), window.last_day)
    first = _first_measurement(rng, plan.enrolled)
    plan.first_measurement = first if first is not None and first < window.end else None
    if rng.random() < 0.16:
        stop = plan.enrolled + timedelta(days=rng.randint(14, 320))
        if stop < window.end:
            plan.disenrolled = stop
            plan.reason = rng.choices([r for r, _ in DISENROL], [w for _, w in DISENROL])[0]
    elif plan.first_measurement is not None and rng.random() < 0.05:
        plan.silent_from = plan.first_measurement + timedelta(days=rng.randint(20, 200))
    return plan


def plan_patients(rng: random.Random, region: Region, total: int) -> list[PatientPlan]:
    """Return `total` patients, shared over the programmes by their size."""
    shares = [round(p.spec.patient_share * 1000) for p in region.programmes]
    taken: set[str] = set()
    return [
        _patient(rng, region, programme, taken)
        for programme, count in zip(region.programmes, apportion(total, shares), strict=True)
        for _ in range(count)
    ]


def write_enrolments(region: Region, plans: list[PatientPlan]) -> None:
    """Insert one enrolment row per patient offered RPM."""
    rows = ChunkedInsert(Enrolment.__table__)  # type: ignore[arg-type]
    for plan in plans:
        rows.add(
            {
                "programme_id": plan.programme.id,
                "patient_pid": plan.pid,
                "team_id": region.teams[plan.team].id,
                "offered_at": plan.offered,
                "enrolled_at": plan.enrolled,
                "first_measurement_at": plan.first_measurement,
                "disenrolled_at": plan.disenrolled,
                "disenrol_reason": plan.reason,
            }
        )
    rows.flush()


def _account(
    rng: random.Random, region: Region, role: Role, programme: ProgrammeRow, at: datetime
) -> dict[str, object]:
    """An account with its own random actor id and address: neither reveals the programme's pseudonym."""
    word, name = ("patient", "Patiënt") if role is Role.PATIENT else ("naaste", "Naaste")
    token = rng.getrandbits(40)
    return {
        "email": f"{word}-{token:010x}@demo.invalid",
        "password_hash": UNUSABLE_PASSWORD,
        "display_name": f"{name} {token % 100_000}",
        "role": role,
        "organisation_id": region.organisations[programme.spec.organisation],
        "team_id": None,
        "locale": "nl",
        "xapi_pid": new_uuid(rng),
        "created_at": at,
        "is_active_account": True,
    }


def _education(trainer: Trainer, slug: str, learner: Learner, day: date) -> None:
    """One evening with the module: nine in ten finish it in one go, the others stop somewhere."""
    rng, module = trainer.rng, trainer.modules[slug]
    steps = len(module.nl.steps)
    before = rng.choice((2, 2, 3, 3, 4))
    finished = rng.random() >= 0.1 or steps == 1
    plan = Plan(
        steps=steps if finished else rng.randint(1, steps - 1),
        finished=finished,
        ability=rng.uniform(0.65, 0.97),
        confidence=(before, min(5, before + rng.choice((0, 1, 1, 2)))),
        relevance=rng.choice((3, 4, 4, 5, 5)),
        split_after=None,
    )
    trainer.emitter.add(take_module(rng, trainer.base_iri, module, learner, evening_moment(rng, day), plan).statements)


def _education_day(rng: random.Random, offered: date, enrolled: date, last: date) -> date | None:
    """Most learn between the offer and a week after enrolment (onboarding); some later, some never."""
    draw = rng.random()
    if draw < 0.6:
        day = offered + timedelta(days=rng.randint(0, (enrolled - offered).days + 7))
    elif draw < 0.8:
        day = enrolled + timedelta(days=rng.randint(8, 60))
    else:
        return None
    return day if day <= last else None


def _link_demo_patient(
    rng: random.Random, plans: list[PatientPlan], linked: list[PatientPlan], user_id: int
) -> dict[str, object] | None:
    """Link the README's patient@example.org to an enrolled ZTO heart-failure patient, without records."""
    chosen = next((p for p in plans if p.enrolled and p.programme.spec.key == "hf-zto" and p not in linked), None)
    if chosen is None:
        return None
    return {"programme_id": chosen.programme.id, "patient_pid": chosen.pid, "user_id": user_id,
            "consented_at": evening_moment(rng, chosen.offered)}  # fmt: skip


def write_patient_accounts(trainer: Trainer, plans: list[PatientPlan], demo_patient_id: int) -> None:
    """Create consenting patients' accounts and links, and emit their onboarding education."""
    rng, region = trainer.rng, trainer.region
    last = region.window.end - timedelta(days=8)
    linked = [
        p for p in plans if p.enrolled and p.programme.condition in PATIENT_MODULES and rng.random() < ACCOUNT_SHARE
    ]
    consents = [evening_moment(rng, plan.offered) for plan in linked]
    rows = [_account(rng, region, Role.PATIENT, plan.programme, at) for plan, at in zip(linked, consents, strict=True)]
    ids = insert_returning_ids(User.__table__, rows)  # type: ignore[arg-type]
    links = [
        {"programme_id": plan.programme.id, "patient_pid": plan.pid, "user_id": user_id, "consented_at": at}
        for plan, user_id, at in zip(linked, ids, consents, strict=True)
    ]
    demo = _link_demo_patient(rng, plans, linked, demo_patient_id)
    insert_all(PatientLink, links + ([demo] if demo else []))
    for plan, row in zip(linked, rows, strict=True):
        day = _education_day(rng, plan.offered, plan.enrolled or plan.offered, last)
        if day is not None:
            home = trainer.home_of(int(str(row["organisation_id"])))
            learner = Learner(str(row["xapi_pid"]), home, "patient", None, "nl")
            _education(trainer, PATIENT_MODULES[plan.programme.condition], learner, day)
    _caregivers(trainer, [p for p in plans if p.enrolled], last)
    trainer.emitter.flush()


def _caregivers(trainer: Trainer, enrolled: list[PatientPlan], last: date) -> None:
    """Relatives who learn to help with home measurements; they are not linked to a patient."""
    rng, region = trainer.rng, trainer.region
    chosen = [rng.choice(enrolled) for _ in range(round(CAREGIVER_SHARE * len(enrolled)))] if enrolled else []
    days = [region.window.clamp(p.enrolled + timedelta(days=rng.randint(0, 30))) for p in chosen if p.enrolled]
    rows = [
        _account(rng, region, Role.CAREGIVER, p.programme, evening_moment(rng, d))
        for p, d in zip(chosen, days, strict=True)
    ]
    insert_returning_ids(User.__table__, rows)  # type: ignore[arg-type]
    for row, day in zip(rows, days, strict=True):
        if day <= last:
            home = trainer.home_of(int(str(row["organisation_id"])))
            learner = Learner(str(row["xapi_pid"]), home, "caregiver", None, "nl")
            _education(trainer, CAREGIVER_MODULE, learner, day)
