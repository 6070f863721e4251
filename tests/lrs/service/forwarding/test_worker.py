"""The background thread delivers without anyone running the CLI, and stops when told."""

from __future__ import annotations

import time

import pytest
from xapi_helpers import make_statement, post

from lrs.service.forwarding import forwarding_status


@pytest.fixture
def worker_app(make_app):
    """The same LRS with its background delivery on, as gunicorn workers run it."""
    application = make_app(LRS_FORWARD_BACKGROUND=True, LRS_FORWARD_POLL_SECONDS=0.2, LRS_FORWARD_RETRY_SECONDS=0.5)
    yield application
    application.extensions["lrs"].forwarder.stop()


def wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_the_background_thread_delivers_after_the_request(worker_app, forwarding, target_lrs):
    target_lrs.start()
    ids = post(worker_app.test_client(), forwarding.headers, [make_statement(), make_statement()]).json
    assert wait_for(lambda: target_lrs.stored_ids() == ids)


def test_the_thread_picks_up_a_backlog_queued_before_it_started(app, worker_app, forwarding, target_lrs, make_client):
    backlog = post(app.test_client(), forwarding.headers, [make_statement(), make_statement()]).json
    target_lrs.start()
    assert post(worker_app.test_client(), make_client("other tool").headers, make_statement()).status_code == 200
    assert wait_for(lambda: target_lrs.stored_ids() == backlog)


def test_the_thread_retries_once_the_target_is_back(worker_app, forwarding, target_lrs):
    ids = post(worker_app.test_client(), forwarding.headers, make_statement()).json
    assert wait_for(lambda: target_lrs.recorder.posts == 0 and _failed_once(worker_app))
    target_lrs.start()
    assert wait_for(lambda: target_lrs.stored_ids() == ids, seconds=20)


def _failed_once(app) -> bool:
    [status] = forwarding_status(app.extensions["lrs"].engine)
    return status.last_error is not None


def test_stop_ends_the_thread(worker_app, forwarding):
    post(worker_app.test_client(), forwarding.headers, make_statement())
    forwarder = worker_app.extensions["lrs"].forwarder
    thread = forwarder._thread
    assert thread is not None
    forwarder.stop()
    assert not thread.is_alive()
