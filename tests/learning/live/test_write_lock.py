"""The live job never locks people out: while it computes, a log-in (a write) goes through at once.

Observed on the SQLite demo: the first live run after a seed held SQLite's single write lock for the whole
recompute (24 s at a tenth of the demo), so a log-in waited the 10 s busy_timeout and got the "busy" page (503).
The test pauses a real run in the middle of computing a month (the pause is the only thing added; every query and
write is the product's own) and logs in with a busy_timeout of 0.3 s: a lock held while computing refuses the
log-in, none lets it through. Then the run finishes and its figures equal a full recompute's.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from helpers import PASSWORD, csrf_token
from sqlalchemy import func, select

from bench.live_lock import WriteLockClock
from learning.accounts.models import Role
from learning.db import db, utcnow
from learning.live import run_once
from learning.metrics import services
from learning.metrics.arrivals import queue_months
from learning.metrics.models import MetricDirty, MetricValue
from learning.metrics.periods import Period
from learning.metrics.services import recompute_all
from tests.learning.tracking.test_sync import take_module

WAIT = 20.0  # seconds a step may take on a loaded CI machine before the test gives up (never reached when right)


@pytest.fixture
def paused_compute(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, threading.Event]]:
    """Stop the live run inside its first month's computation until the test says go."""
    computing, go = threading.Event(), threading.Event()
    real = services.month_cells

    def pausing(*args: Any, **kwargs: Any) -> Any:
        if not computing.is_set():
            computing.set()
            go.wait(WAIT)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "month_cells", pausing)
    yield computing, go
    go.set()


def cells(app) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    with app.app_context():
        rows = db.session.scalars(select(MetricValue)).all()
        found = {
            (r.metric_code, r.definition_version, r.scope_type, r.scope_id, r.period_start): (
                r.numerator, r.denominator, r.value, r.suppressed)
            for r in rows
        }  # fmt: skip
        db.session.remove()
    return found


def test_a_log_in_goes_through_while_the_live_job_computes(app, make_app, make_user, content, paused_compute):
    computing, go = paused_compute
    learner, nurse = make_user(Role.PATIENT), make_user(Role.PROFESSIONAL)
    served = make_app(SQLITE_BUSY_TIMEOUT_MS=300)  # a lock held longer than 0.3 s refuses the log-in
    patient = served.test_client()
    form = {"email": learner.email, "password": PASSWORD, "csrf_token": csrf_token(patient, "/login")}
    assert patient.post("/login", data=form).status_code == 302
    take_module(patient)  # statements for the job to read and months for it to recompute

    outcome: dict[str, Any] = {}
    with app.app_context():
        clock = WriteLockClock(db.engine)

    def job() -> None:
        with app.app_context():
            try:
                outcome["report"] = run_once()
            finally:
                db.session.remove()

    worker = threading.Thread(target=job, name="live-lock-test")
    worker.start()
    try:
        assert computing.wait(WAIT), "the live run never reached the computation"
        staff = served.test_client()
        form = {"email": nurse.email, "password": PASSWORD, "csrf_token": csrf_token(staff, "/login")}
        answer = staff.post("/login", data=form)
    finally:
        go.set()
        worker.join(WAIT)
        clock.remove()
    print(f"write transactions of the run: {len(clock.holds)}, longest {max(clock.holds, default=0):.3f} s")
    assert answer.status_code == 302, f"log-in refused while the live job computed: {answer.status_code}"
    report = outcome["report"]
    assert report is not None
    assert report.error is None
    assert report.recomputed_months >= 1
    assert report.training_events > 0
    after_job = cells(app)
    assert after_job
    with app.app_context():
        recompute_all()
        db.session.remove()
    assert cells(app) == after_job


def test_a_run_that_stops_halfway_is_repaired_by_the_next(app, client, login, make_user, content, monkeypatch):
    login(make_user(Role.PATIENT))
    take_module(client)
    real = services.month_cells
    months: list[Any] = []

    def crashing(period: Any, *args: Any, **kwargs: Any) -> Any:
        months.append(period)
        if len(months) == 2:
            raise RuntimeError("worker killed")  # as a crash between two months' transactions would
        return real(period, *args, **kwargs)

    with app.app_context():
        this_month = Period.of(utcnow().date())
        last_month = Period.of(this_month.start - timedelta(days=1))
        queue_months([(None, last_month.start)])  # late data for last month: the run spans two months
        db.session.commit()
        monkeypatch.setattr(services, "month_cells", crashing)
        with pytest.raises(RuntimeError):
            run_once()
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(MetricDirty)), "the crash emptied the queue"
        stored = set(db.session.scalars(select(MetricValue.period_start).distinct()))
        assert stored == {last_month.start}, "the first month is stored, the second is not"
        monkeypatch.setattr(services, "month_cells", real)
        report = run_once()
        assert report is not None
        assert report.recomputed_months == 2
        assert not db.session.scalar(select(func.count()).select_from(MetricDirty))
        db.session.remove()
    after_repair = cells(app)
    with app.app_context():
        recompute_all([last_month, this_month])  # the same months from scratch, in a run that did not stop
        db.session.remove()
    assert cells(app) == after_repair
