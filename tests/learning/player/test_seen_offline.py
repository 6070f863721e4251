"""A step read offline is reported `experienced` once back online, with the device's id and time, and the bookmark
stays where the learner is now.

Plain HTTP against the live server (the same route offline.js sends its queue to); the LRS is read over its own
xAPI, the attempt from the database.
"""

from __future__ import annotations

import json
import threading
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from helpers import http_learner_in_module, http_post
from sqlalchemy import select

from learning.accounts.models import Role
from learning.db import db
from learning.player.models import Attempt, AttemptStep
from learning.tracking import outbox
from learning.tracking.statements import device_statement_id

SLUG = "elke-dag-wegen-hartfalen"
EXPERIENCED = "http://adlnet.gov/expapi/verbs/experienced"
AT_ONCE = 6


@pytest.fixture
def app_config(app_config):
    """Plain HTTP on loopback: the cookie jar would not send a Secure session cookie back."""
    return {**app_config, "SESSION_COOKIE_SECURE": False}


@pytest.fixture
def learner(live_server, make_user, content) -> tuple[urllib.request.OpenerDirector, str]:
    """A logged-in patient with the module started (step 1 shown, so bookmarked and experienced)."""
    return http_learner_in_module(live_server.url, make_user(Role.PATIENT).email, SLUG)


def seen_url(live_server, number: int) -> str:
    return f"{live_server.url}/modules/{SLUG}/seen/{number}"


def experienced(live_server, headers: dict[str, str]) -> list[dict]:
    client = live_server.app.test_client()
    found = client.get("/xapi/statements", query_string={"verb": EXPERIENCED, "limit": 100}, headers=headers).json
    return list(found["statements"])


def step_of(statement: dict) -> int:
    return int(statement["object"]["id"].rsplit("/step/", 1)[1])


def the_attempt(live_server) -> Attempt:
    with live_server.app.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert attempt is not None
        db.session.expunge(attempt)
        return attempt


def started_an_hour_ago(live_server) -> datetime:
    """The learner began the module an hour ago (on the train): a step read since then keeps the device's time."""
    with live_server.app.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert attempt is not None
        attempt.started_at = datetime.now(UTC) - timedelta(hours=1)
        db.session.commit()
        return attempt.started_at


def steps_recorded(live_server) -> list[int]:
    with live_server.app.app_context():
        return sorted(db.session.scalars(select(AttemptStep.step_number)))


def derived(device_id: str, statement: dict) -> str:
    """The statement id the device's id becomes for this learner and this step (never the device's id itself)."""
    statement_id = device_statement_id(
        device_id,
        statement["actor"]["account"]["name"],
        statement["context"]["registration"],
        statement["object"]["id"],
    )
    assert statement_id != device_id
    return statement_id


def test_a_device_id_reused_for_another_step_is_another_statement_and_holds_nothing_up(
    live_server, learner, content, lrs_auth
):
    """A device (by a bug or on purpose) sends one id for two steps: both are recorded, nothing stays queued."""
    opener, token = learner
    data = {"csrf_token": token, "seen_id": str(uuid.uuid4()), "seen_at": datetime.now(UTC).isoformat()}
    assert http_post(opener, seen_url(live_server, 3), data)[0] == 201
    assert http_post(opener, seen_url(live_server, 4), data)[0] == 201
    found = {step_of(s): s["id"] for s in experienced(live_server, lrs_auth) if step_of(s) in (3, 4)}
    assert len(set(found.values())) == 2
    with live_server.app.app_context():
        assert outbox.pending_count() == 0


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_a_seen_entry_sent_twice_is_one_statement_with_the_devices_id_and_time(live_server, learner, content, lrs_auth):
    opener, token = learner
    started_an_hour_ago(live_server)
    before = the_attempt(live_server)
    assert before.current_step == 1
    seen_id = str(uuid.uuid4())
    seen_at = datetime.now(UTC) - timedelta(seconds=30)
    data = {"csrf_token": token, "seen_id": seen_id, "seen_at": seen_at.isoformat().replace("+00:00", "Z")}
    first = http_post(opener, seen_url(live_server, 3), data)
    replay = http_post(opener, seen_url(live_server, 3), data)
    assert (first[0], json.loads(first[1])) == (201, {"recorded": True})
    assert (replay[0], json.loads(replay[1])) == (200, {"recorded": False})

    found = [s for s in experienced(live_server, lrs_auth) if step_of(s) == 3]
    assert [s["id"] for s in found] == [derived(seen_id, found[0])]
    assert abs(parse_time(found[0]["timestamp"]) - seen_at) < timedelta(milliseconds=2)
    assert found[0]["context"]["registration"] == before.registration
    after = the_attempt(live_server)
    assert after.current_step == 1  # the bookmark did not move to the step read offline
    assert steps_recorded(live_server) == [1, 3]


def test_a_json_entry_is_accepted_and_a_step_already_seen_online_reports_nothing_new(
    live_server, learner, content, lrs_auth
):
    opener, token = learner
    registration = the_attempt(live_server).registration
    body = json.dumps(
        {"seen_id": str(uuid.uuid4()), "seen_at": datetime.now(UTC).isoformat(), "registration": registration}
    )
    request = urllib.request.Request(  # noqa: S310 — loopback
        seen_url(live_server, 1), data=body.encode(), headers={"Content-Type": "application/json", "X-CSRFToken": token}
    )
    with opener.open(request) as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"recorded": False}
    assert [step_of(s) for s in experienced(live_server, lrs_auth)] == [1]


def test_the_devices_time_is_kept_within_the_attempt_and_never_in_the_future(live_server, learner, content, lrs_auth):
    opener, token = learner
    started = started_an_hour_ago(live_server)
    too_late = datetime.now(UTC) + timedelta(days=3)
    too_early = started - timedelta(days=3)
    for number, moment in ((2, too_late), (4, too_early)):
        data = {"csrf_token": token, "seen_id": str(uuid.uuid4()), "seen_at": moment.isoformat()}
        assert http_post(opener, seen_url(live_server, number), data)[0] == 201
    times = {step_of(s): parse_time(s["timestamp"]) for s in experienced(live_server, lrs_auth)}
    assert datetime.now(UTC) - timedelta(minutes=1) < times[2] <= datetime.now(UTC)
    assert abs(times[4] - started) < timedelta(milliseconds=2)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"seen_id": "not-a-uuid", "seen_at": "2026-01-01T10:00:00Z"}, "seen_id"),
        ({"seen_at": "2026-01-01T10:00:00Z"}, "seen_id"),
        ({"seen_id": str(uuid.uuid4()), "seen_at": "yesterday"}, "seen_at"),
        ({"seen_id": str(uuid.uuid4()), "seen_at": "2026-01-01T10:00:00"}, "time zone"),
        ({"seen_id": str(uuid.uuid4()), "seen_at": "2026-01-01T10:00:00Z", "registration": "x"}, "registration"),
    ],
)
def test_bad_input_is_a_400_with_the_reason_and_nothing_is_stored(
    live_server, learner, content, lrs_auth, fields, reason
):
    opener, token = learner
    status, body = http_post(opener, seen_url(live_server, 2), {"csrf_token": token, **fields})
    assert status == 400
    assert reason in json.loads(body)["error"]
    assert steps_recorded(live_server) == [1]
    assert [step_of(s) for s in experienced(live_server, lrs_auth)] == [1]


def test_an_entry_of_a_finished_attempt_is_409_and_of_an_unknown_one_or_step_404(
    live_server, learner, content, lrs_auth
):
    opener, token = learner
    old = the_attempt(live_server)
    with live_server.app.app_context():
        attempt = db.session.get(Attempt, old.id)
        assert attempt is not None
        attempt.finished_at = datetime.now(UTC)
        db.session.add(Attempt(user_id=attempt.user_id, module_id=attempt.module_id, version=attempt.version))
        db.session.commit()
    now = datetime.now(UTC).isoformat()
    cases = [
        (3, old.registration, 409),  # read in the attempt that was finished meanwhile
        (3, str(uuid.uuid4()), 404),  # an attempt this learner never had
        (99, "", 404),  # a step the module does not have
    ]
    for number, registration, expected in cases:
        data = {"csrf_token": token, "seen_id": str(uuid.uuid4()), "seen_at": now, "registration": registration}
        status, body = http_post(opener, seen_url(live_server, number), data)
        assert (status, bool(json.loads(body)["error"])) == (expected, True)
    assert steps_recorded(live_server) == [1]
    assert [step_of(s) for s in experienced(live_server, lrs_auth)] == [1]


def test_the_same_entry_sent_by_several_pages_at_once_is_one_statement(live_server, learner, content, lrs_auth):
    """Two open tabs flush the same queue when the connection returns: one records, the others find it done."""
    opener, token = learner
    started_an_hour_ago(live_server)
    data = {"csrf_token": token, "seen_id": str(uuid.uuid4()), "seen_at": datetime.now(UTC).isoformat()}
    statuses: list[int] = []
    barrier = threading.Barrier(AT_ONCE)

    def send() -> None:
        barrier.wait()
        statuses.append(http_post(opener, seen_url(live_server, 5), data)[0])

    threads = [threading.Thread(target=send) for _ in range(AT_ONCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [200] * (AT_ONCE - 1) + [201]
    found = [s for s in experienced(live_server, lrs_auth) if step_of(s) == 5]
    assert [s["id"] for s in found] == [derived(data["seen_id"], found[0])]
    assert steps_recorded(live_server) == [1, 5]
