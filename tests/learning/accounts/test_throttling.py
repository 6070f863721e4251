"""Log-in throttling through the real app: guessing is slowed, the owner on her usual device never locked out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import PASSWORD, csrf_token
from sqlalchemy import func, select

from learning.accounts import throttle
from learning.accounts.devices import COOKIE
from learning.accounts.models import LoginFailure, Role
from learning.db import db, utcnow

OWNER_HOME = "192.0.2.10"
ATTACKER = "198.51.100.7"


def attempt(client, email: str, password: str, source: str):
    token = csrf_token(client)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": source},
    )


def backdate(app, seconds: int) -> None:
    """Move every recorded failure back in time, as if the test had waited."""
    with app.app_context():
        for failure in db.session.scalars(select(LoginFailure)):
            failure.at -= timedelta(seconds=seconds)
        db.session.commit()


def test_attacker_from_elsewhere_cannot_lock_the_owner_out(app, make_user):
    user = make_user(Role.PROFESSIONAL)
    owner = app.test_client()
    assert attempt(owner, user.email, PASSWORD, OWNER_HOME).status_code == 302
    assert owner.get_cookie(COOKIE) is not None  # her browser is now a known device
    owner.post("/logout", data={"csrf_token": csrf_token(owner, "/")})

    attacker = app.test_client()
    statuses = [attempt(attacker, user.email, "raden-123", ATTACKER).status_code for _ in range(12)]
    assert statuses[:5] == [401] * 5
    assert 429 in statuses[5:]
    assert attempt(attacker, user.email, PASSWORD, ATTACKER).status_code == 429  # even the right one waits

    assert attempt(owner, user.email, PASSWORD, OWNER_HOME).status_code == 302
    # ... and from the attacker's own address too: the device, not the address, is what she is known by
    owner.post("/logout", data={"csrf_token": csrf_token(owner, "/")})
    assert attempt(owner, user.email, PASSWORD, ATTACKER).status_code == 302


def test_owner_on_a_new_device_elsewhere_is_not_slowed_by_the_attacker(app, make_user):
    user = make_user(Role.PATIENT)
    attacker = app.test_client()
    for _ in range(8):
        attempt(attacker, user.email, "raden-123", ATTACKER)
    assert attempt(app.test_client(), user.email, PASSWORD, "203.0.113.5").status_code == 302


def test_throttled_page_explains_keeps_the_address_and_says_when(app, make_user):
    user = make_user(Role.PATIENT)
    client = app.test_client()
    for _ in range(5):
        attempt(client, user.email, "fout-fout", ATTACKER)
    response = attempt(client, user.email, "fout-fout", ATTACKER)
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 15
    assert 'role="alert"' in page
    assert "Te veel pogingen. Probeer het over 1 minuten opnieuw." in page
    assert "Op het apparaat waarop je meestal inlogt, kun je meteen inloggen." in page
    assert f'value="{user.email}"' in page
    with app.app_context():  # a throttled attempt is not checked, so it is no extra guess either
        assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 5


def test_back_off_lets_one_guess_through_when_it_has_passed_then_doubles(app, make_user):
    user = make_user(Role.PATIENT)
    client = app.test_client()
    for _ in range(5):
        attempt(client, user.email, "fout-fout", ATTACKER)
    assert attempt(client, user.email, PASSWORD, ATTACKER).status_code == 429
    backdate(app, seconds=16)  # let the 15 s pass
    assert attempt(client, user.email, "fout-fout", ATTACKER).status_code == 401
    backdate(app, seconds=16)
    assert attempt(client, user.email, PASSWORD, ATTACKER).status_code == 429  # now 30 s


def test_known_device_is_still_slowed_by_its_own_failures(app, make_user):
    user = make_user(Role.PATIENT)
    owner = app.test_client()
    attempt(owner, user.email, PASSWORD, OWNER_HOME)
    owner.post("/logout", data={"csrf_token": csrf_token(owner, "/")})
    for _ in range(5):
        assert attempt(owner, user.email, "vergeten", OWNER_HOME).status_code == 401
    assert (
        attempt(owner, user.email, PASSWORD, OWNER_HOME).status_code == 429
    )  # a stolen device cookie is no skeleton key


def test_a_forged_device_cookie_counts_as_no_device(app, make_user):
    user = make_user(Role.PATIENT)
    owner = app.test_client()
    attempt(owner, user.email, PASSWORD, OWNER_HOME)
    value = owner.get_cookie(COOKIE).value
    attacker = app.test_client()
    attacker.set_cookie(COOKIE, value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    for _ in range(5):
        attempt(attacker, user.email, "raden-123", ATTACKER)
    assert attempt(attacker, user.email, PASSWORD, ATTACKER).status_code == 429


def test_one_source_guessing_many_accounts_is_slowed(app, make_user):
    users = [make_user(Role.PATIENT) for _ in range(throttle.MAX_ACCOUNTS_PER_SOURCE + 1)]
    sprayer = app.test_client()
    for user in users[:-1]:
        assert attempt(sprayer, user.email, "Welkom01!", ATTACKER).status_code == 401
    assert attempt(sprayer, users[-1].email, "Welkom01!", ATTACKER).status_code == 429
    assert attempt(app.test_client(), users[-1].email, PASSWORD, OWNER_HOME).status_code == 302


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(0, 0), (4, 0), (5, 15), (6, 30), (7, 60), (10, 480), (11, 900), (40, 900)],
)
def test_delay_doubles_after_the_free_attempts_and_is_capped(failures, seconds):
    assert throttle.delay_after(failures) == timedelta(seconds=seconds)


def test_old_failures_are_forgotten(ctx):
    attempt_ = throttle.Attempt.of("iemand@example.test", ATTACKER)
    for _ in range(8):
        throttle.record_failure(attempt_)
    db.session.commit()
    assert throttle.wait_needed(attempt_) > timedelta(0)
    assert throttle.wait_needed(attempt_, now=utcnow() + throttle.WINDOW) == timedelta(0)
