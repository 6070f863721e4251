"""Learning metrics (Kirkpatrick L1/L2) per team x month for staff, and the patient education metrics.

Staff: MOD_COMPLETION, MOD_PASS_FIRST, MOD_TIME, CONF_GAIN and RELEVANCE count the learners in S(t,b) (see
compute_staff) over (learner, module) or (learner, item) pairs. Patients: ONBOARD_FIDELITY and PT_CONFIDENCE follow
the consented PatientLink from the programme's patient pseudonym to a VTC account, and count for the enrolment's
team. Survey conventions (item ids of Likert items): 'confidence-…' after a module, 'pre-confidence-…' the same
question before it, 'relevance-…' the relevance item.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select

from learning.accounts.models import User
from learning.db import db
from learning.environments.models import Curriculum, PatientLink
from learning.metrics.compute_staff import PATIENT_ROLE, Roster, staff_who
from learning.metrics.patient_facts import ACTIVATION_DAYS, Enrolled
from learning.metrics.periods import Period, midnight
from learning.metrics.rollup import Accumulator
from learning.metrics.training import (
    CONFIDENCE_PREFIX,
    PRE_PREFIX,
    RELEVANCE_PREFIX,
    ActorFacts,
    TrainingFacts,
    month_key,
)


def confidence_pairs(learner: ActorFacts) -> list[tuple[str, int]]:
    """Return (month of the post answer, post - pre) per item whose first pre answer came before its first post."""
    pairs = []
    for item, (post_at, post_value) in learner.first_answer.items():
        pre = learner.first_answer.get(PRE_PREFIX + item) if item.startswith(CONFIDENCE_PREFIX) else None
        if pre is not None and pre[0] <= post_at:
            pairs.append((month_key(post_at), post_value - pre[1]))
    return pairs


def compute_staff_learning(
    period: Period, roster: Roster, members: dict[int, dict[int, frozenset[str]]], facts: TrainingFacts,
    acc: Accumulator,
) -> None:  # fmt: skip
    """Count the module-level learning metrics of every member of S(t,b)."""
    key = period.key
    for team, staff in members.items():
        cell = (team, None)
        for staff_id in staff:
            who = staff_who(staff_id)
            learner = facts.of(roster.actor[staff_id])
            started = learner.initialized.get(key, set())
            if started:
                done = len(started & learner.completed.get(key, set()))
                acc.count("MOD_COMPLETION", cell, done, len(started), who)
            for month, passed in learner.first_judged.values():
                if month == key:
                    acc.count("MOD_PASS_FIRST", cell, passed, 1, who)
            for module, first in learner.first_completed.items():
                if month_key(first) == key:
                    acc.sample("MOD_TIME", cell, learner.completion_seconds.get(module, 0.0) / 60, who)
            for month, gain in confidence_pairs(learner):
                if month == key:
                    acc.count("CONF_GAIN", cell, gain, 1, who)
            answers = learner.last_answers(RELEVANCE_PREFIX, key)
            if answers:
                acc.count("RELEVANCE", cell, sum(v >= 4 for v in answers), len(answers), who)


def load_patient_links() -> dict[tuple[int, str], str]:
    """Return (programme, patient pseudonym) → xAPI actor of the consented, linked account."""
    query = select(PatientLink.programme_id, PatientLink.patient_pid, User.xapi_pid).join(
        User, User.id == PatientLink.user_id
    )
    return {(p, pid): actor for p, pid, actor in db.session.execute(query)}


def load_patient_curricula() -> dict[int, frozenset[str]]:
    """Return per programme the modules its patients must do (the curriculum whose role is 'patient')."""
    modules: dict[int, set[str]] = defaultdict(set)
    query = select(Curriculum.programme_id, Curriculum.module_slugs).where(Curriculum.role_code == PATIENT_ROLE)
    for programme_id, slugs in db.session.execute(query):
        modules[programme_id].update(slugs or ())
    return {p: frozenset(m) for p, m in modules.items() if m}


def compute_patient_learning(
    period: Period, enrolments: list[Enrolled], links: dict[tuple[int, str], str],
    curricula: dict[int, frozenset[str]], facts: TrainingFacts, acc: Accumulator,
) -> None:  # fmt: skip
    """Count ONBOARD_FIDELITY for the month's enrolment cohort and PT_CONFIDENCE for linked patients."""
    for e in enrolments:
        if e.enrolled_at is None:
            continue
        learner = facts.of(links.get((e.programme_id, e.pid)))
        required = curricula.get(e.programme_id)
        if required and period.start <= e.enrolled_at < period.end:
            done_at = learner.satisfied_at(required)
            deadline = midnight(e.enrolled_at + timedelta(days=ACTIVATION_DAYS + 1))
            acc.count("ONBOARD_FIDELITY", e.cell, done_at is not None and done_at < deadline, 1, e.who)
        answers = learner.last_answers(CONFIDENCE_PREFIX, period.key)
        if answers:
            acc.count("PT_CONFIDENCE", e.cell, sum(v >= 4 for v in answers), len(answers), e.who)
