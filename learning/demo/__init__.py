"""The demo region of Twente: a realistic, reproducible year of training and remote-monitoring data.

Three implementation environments, six organisations, twenty teams, 400 staff and 2,000 patients at scale 1
(`scale` multiplies staff and patients for benchmarks). Learning records go through the LMS's own tracking path
(statement builders, outbox, whichever LRS is wired); RPM data are counts keyed by pseudonyms. Only
`flask demo seed` calls this; demo accounts never exist outside a demo database.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from learning.accounts.models import User
from learning.db import db
from learning.demo.accounts import DEMO_PASSWORD, ensure_demo_accounts
from learning.demo.activity import write_assessments, write_eligible_counts, write_staff_activity
from learning.demo.attempts import DemoError, Emitter, load_modules
from learning.demo.clock import Window
from learning.demo.measurements import write_measurements
from learning.demo.patients import plan_patients, write_enrolments, write_patient_accounts
from learning.demo.region import CAREGIVER_MODULE, MARKER_ENVIRONMENT, PATIENT_MODULES, PROFESSIONAL_MODULE
from learning.demo.staff import plan_staff, write_staff
from learning.demo.structure import SEEDING_SUFFIX, write_structure
from learning.demo.training import Trainer, emit_staff_training
from learning.environments.models import Environment

__all__ = ["DEFAULT_SEED", "DEMO_PASSWORD", "DemoError", "seed_demo"]
DEFAULT_SEED = 20_260_301
STAFF_AT_SCALE_1 = 400
PATIENTS_AT_SCALE_1 = 2_000
Progress = Callable[[str], None]


def region_exists() -> bool:
    """Return whether the region is there; refuse when an earlier seeding stopped halfway.

    :raises DemoError: when only a half-seeded region exists.
    """
    names = set(
        db.session.scalars(
            select(Environment.name).where(
                Environment.name.in_([MARKER_ENVIRONMENT, MARKER_ENVIRONMENT + SEEDING_SUFFIX])
            )
        )
    )
    if MARKER_ENVIRONMENT + SEEDING_SUFFIX in names:
        raise DemoError("an earlier `flask demo seed` stopped halfway; start from an empty database (make clean)")
    return MARKER_ENVIRONMENT in names


class _Stopwatch:
    def __init__(self, progress: Progress | None) -> None:
        self.progress, self.started = progress, time.perf_counter()

    def lap(self, message: str) -> None:
        if self.progress is not None:
            self.progress(f"{message} ({time.perf_counter() - self.started:.1f} s)")


def seed_demo(
    scale: float = 1.0, *, seed: int = DEFAULT_SEED, today: date | None = None, progress: Progress | None = None
) -> bool:
    """Create the demo region unless it exists; return whether anything was created.

    The same seed and day give the same region. The marker environment keeps a temporary name until the last
    row is written, so an interrupted run is recognised instead of being taken for a finished one.

    :raises DemoError: for a half-seeded database, a scale of 0 or less, or a missing module.
    """
    if region_exists():
        return False
    if scale <= 0:
        raise DemoError("scale must be more than 0")
    slugs = [PROFESSIONAL_MODULE, *PATIENT_MODULES.values(), CAREGIVER_MODULE]
    modules = load_modules(Path(current_app.config["CONTENT_DIR"]), slugs)
    rng = random.Random(seed)  # noqa: S311 — demo data, reproducible on purpose; not a secret
    clock = _Stopwatch(progress)
    region = write_structure(rng, Window.ending(today or date.today()))
    demo_ids = ensure_demo_accounts(region)
    trainer = Trainer(rng, region, current_app.config["XAPI_BASE_IRI"], modules, Emitter())
    _seed_staff(trainer, demo_ids, round(STAFF_AT_SCALE_1 * scale), clock)
    _seed_patients(trainer, demo_ids, round(PATIENTS_AT_SCALE_1 * scale), clock)
    region.marker.name = MARKER_ENVIRONMENT
    db.session.commit()
    return True


def _seed_staff(trainer: Trainer, demo_ids: dict[str, int], total: int, clock: _Stopwatch) -> None:
    """Roster, accounts and a year of training, then what staff did in RPM (more once trained)."""
    rng, region = trainer.rng, trainer.region
    nurse = db.session.get(User, demo_ids["nurse@example.org"])
    staff = plan_staff(rng, region.window, total)
    write_staff(rng, region, staff, demo_ids, nurse.xapi_pid if nurse else "")
    db.session.commit()
    clock.lap(f"structure, accounts and {len(staff)} staff")
    trained = emit_staff_training(trainer, staff)
    clock.lap(f"staff training: {trainer.emitter.sent} statements")
    activity = write_staff_activity(rng, region, staff, trained)
    clock.lap(f"{activity} staff activity rows")


def _seed_patients(trainer: Trainer, demo_ids: dict[str, int], total: int, clock: _Stopwatch) -> None:
    """Enrolments, patient education, daily counts, alerts, eligible counts and assessments."""
    rng, region = trainer.rng, trainer.region
    patients = plan_patients(rng, region, total)
    write_enrolments(region, patients)
    write_patient_accounts(trainer, patients, demo_ids["patient@example.org"])
    clock.lap(f"{len(patients)} patients; {trainer.emitter.sent} statements in all")
    days, alerts = write_measurements(rng, region, patients)
    write_eligible_counts(rng, region, patients)
    write_assessments(rng, region)
    clock.lap(f"{days} daily rows, {alerts} alerts, eligible counts and assessments")
