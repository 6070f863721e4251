"""The live job: what a learner does reaches the LMS's figures within the job's interval, with one run at a time."""

from __future__ import annotations

import time

from helpers import PASSWORD, csrf_token
from sqlalchemy import func, select

from learning.accounts.models import Role
from learning.db import db
from learning.live import last_update, run_once
from learning.live.lock import exclusive_run
from learning.metrics.models import TrainingEvent
from tests.learning.tracking.test_sync import take_module


def training_events(app) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(TrainingEvent))
        db.session.remove()
    return count or 0


def test_a_run_reads_new_statements_and_stamps_the_time(app, client, login, make_user, content):
    login(make_user(Role.PATIENT))
    take_module(client)
    with app.app_context():
        assert last_update() is None
        report = run_once()
        assert report is not None
        assert report.error is None
        assert report.training_events > 0
        first = last_update()
        assert first is not None
        again = run_once()
        assert again is not None
        assert again.training_events == 0
        later = last_update()
        assert later is not None
        assert later >= first
    assert training_events(app) == report.training_events


def test_a_run_skips_its_turn_while_another_process_holds_the_lock(app, client, login, make_user, content):
    login(make_user(Role.PATIENT))
    take_module(client)
    with app.app_context():
        with exclusive_run(db.engine) as held:
            assert held
            assert run_once() is None  # a second holder (another worker, another node) would be refused
        assert run_once() is not None
    assert training_events(app) > 0


def test_the_job_brings_a_passed_module_into_the_figures_while_the_app_serves(app, make_app, make_user, content):
    live = make_app(LIVE_SYNC_SECONDS=0.2)
    client = live.test_client()
    user = make_user(Role.PATIENT)
    data = {"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client, "/login")}
    assert client.post("/login", data=data).status_code == 302
    take_module(client)  # the first request started the job in this process
    deadline = time.monotonic() + 20  # generous for a loaded CI machine; the interval is 0.2 s
    while training_events(live) == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    live.extensions["vtc.live_sync"].stop()
    assert training_events(live) > 0, "the live job did not read the statements within 20 s"
    with live.app_context():
        assert last_update() is not None


def test_the_job_is_off_under_testing_unless_asked_for(app):
    assert "vtc.live_sync" not in app.extensions
