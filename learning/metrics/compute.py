"""Everything a run reads, loaded once, and the computation of one month from it.

The fact tables are read for the whole run in a few grouped queries; each month is then counted from those
summaries, so a run over twelve months costs little more than one over a single month.
"""

from __future__ import annotations

from dataclasses import dataclass

from learning.metrics.compute_alerts import AlertFact, compute_alerts, load_alerts
from learning.metrics.compute_learning import (
    compute_patient_learning,
    compute_staff_learning,
    load_patient_curricula,
    load_patient_links,
)
from learning.metrics.compute_patients import compute_patients
from learning.metrics.compute_staff import Activity, Roster, compute_staff, load_activity, load_roster
from learning.metrics.learner_state import ensure_learners
from learning.metrics.patient_facts import PatientInputs, load_patient_inputs
from learning.metrics.periods import Period, months_between
from learning.metrics.rollup import Accumulator
from learning.metrics.scopes import Structure, load_structure
from learning.metrics.training import TrainingFacts, load_training_facts

NARROW_MONTHS = 2


@dataclass
class Inputs:
    structure: Structure
    roster: Roster
    facts: TrainingFacts
    activity: Activity
    patients: PatientInputs
    alerts: dict[str, list[AlertFact]]
    links: dict[tuple[int, str], str]
    patient_curricula: dict[int, frozenset[str]]


def load_inputs(first: Period, last: Period) -> Inputs:
    """Read what the months first…last need: the frame, summaries of the facts, and the alerts.

    A run over at most NARROW_MONTHS months (an incremental one) reads those months' statements and daily rows,
    and the histories from the per learner and per patient-month summaries; a longer run reduces the statement and
    daily tables in one pass (see load_training_facts and load_patient_inputs).
    """
    structure = load_structure()
    narrow = len(months_between(first.start, last.start)) <= NARROW_MONTHS
    if narrow:
        ensure_learners()
    return Inputs(
        structure=structure,
        roster=load_roster(structure),
        facts=load_training_facts(before=last.end_at, since=first.start_at if narrow else None),
        activity=load_activity(before=last.end, since=first.start if narrow else None),
        patients=load_patient_inputs(structure, first, last, narrow=narrow),
        alerts=load_alerts(structure, first, last),
        links=load_patient_links(),
        patient_curricula=load_patient_curricula(),
    )


def compute_month(period: Period, inputs: Inputs) -> Accumulator:
    """Return every metric's contributions per base cell for one month."""
    acc = Accumulator()
    members = inputs.roster.members_at(period.last_day)
    compute_staff(period, inputs.roster, members, inputs.facts, inputs.activity, acc)
    compute_staff_learning(period, inputs.roster, members, inputs.facts, acc)
    compute_patients(period, inputs.patients, inputs.structure, acc)
    compute_patient_learning(
        period, inputs.patients.enrolments, inputs.links, inputs.patient_curricula, inputs.facts, acc
    )
    compute_alerts(period, inputs.alerts, acc)
    return acc
