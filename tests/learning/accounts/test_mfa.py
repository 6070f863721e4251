"""The second factor of staff roles: set-up, codes, replay, recovery codes, throttling, and who is never asked."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from helpers import PASSWORD, TEST_SECRET_KEY, TEST_TOTP_SECRET, csrf_token, log_in
from sqlalchemy import select

from learning.accounts import mfa, throttle
from learning.accounts.models import RecoveryCode, Role, User
from learning.accounts.services import Throttled
from learning.db import db

KEYS = [TEST_SECRET_KEY]


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    assert user is not None
    return user


def _not_enrolled(app, user_id: int) -> None:
    """As after an administrator's reset: the next log-in sets the app up."""
    with app.app_context():
        mfa.reset(_user(user_id))
        db.session.remove()


def _password(client, email: str):
    return client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(client)})


def _code_page_post(client, code: str):
    return client.post("/login/code", data={"code": code, "csrf_token": csrf_token(client, "/login/code")})


# --- services -----------------------------------------------------------------------------------------------------


def test_a_code_works_once_within_its_window(ctx, make_user):
    user = _user(make_user(Role.MANAGER).id)
    now = time.time()
    code = pyotp.TOTP(TEST_TOTP_SECRET).at(now)
    assert mfa.verify(user, code, "10.0.0.1", KEYS, now=now).recovery_left is None
    with pytest.raises(mfa.CodeWrong):  # the same code again, as seen over a shoulder: refused
        mfa.verify(user, code, "10.0.0.1", KEYS, now=now)
    previous = pyotp.TOTP(TEST_TOTP_SECRET).at(now - 30)
    with pytest.raises(mfa.CodeWrong):  # an older step than the last one used: refused too
        mfa.verify(user, previous, "10.0.0.1", KEYS, now=now)
    later = pyotp.TOTP(TEST_TOTP_SECRET).at(now + 30)
    assert mfa.verify(user, later, "10.0.0.1", KEYS, now=now).recovery_left is None  # the next step: a phone ahead
    with pytest.raises(mfa.CodeWrong):
        mfa.verify(user, pyotp.TOTP(TEST_TOTP_SECRET).at(now + 120), "10.0.0.1", KEYS, now=now)  # too far off


def test_the_secret_is_stored_encrypted_and_unreadable_with_another_key(ctx, make_user):
    user = _user(make_user(Role.AUTHOR).id)
    assert user.mfa_secret is not None
    assert TEST_TOTP_SECRET not in user.mfa_secret
    assert mfa.decrypt(user.mfa_secret, KEYS) == TEST_TOTP_SECRET
    assert mfa.decrypt(user.mfa_secret, ["another-secret-key"]) is None
    assert mfa.decrypt(user.mfa_secret, ["another-secret-key", TEST_SECRET_KEY]) == TEST_TOTP_SECRET  # fallback


def test_enrolment_gives_ten_single_use_recovery_codes_stored_hashed(ctx, make_user):
    user = _user(make_user(Role.REVIEWER).id)
    mfa.reset(user)
    secret = mfa.new_secret()
    with pytest.raises(mfa.CodeWrong):
        mfa.enrol(user, secret, "123456" if pyotp.TOTP(secret).now() != "123456" else "654321", "10.0.0.1", KEYS)
    assert not mfa.is_enrolled(user)
    codes = mfa.enrol(user, secret, pyotp.TOTP(secret).now(), "10.0.0.1", KEYS)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10
    assert not set(codes) & set(stored)
    assert all(h.startswith("$argon2id$") for h in stored)

    assert mfa.verify(user, codes[3].upper(), "10.0.0.1", KEYS).recovery_left == 9  # case and hyphen do not matter
    with pytest.raises(mfa.CodeWrong):
        mfa.verify(user, codes[3], "10.0.0.1", KEYS)  # spent
    assert mfa.recovery_codes_left(user) == 9


def test_wrong_codes_are_throttled_like_passwords(ctx, make_user):
    user = _user(make_user(Role.ADMIN).id)
    for _ in range(throttle.FREE_FAILURES):
        with pytest.raises(mfa.CodeWrong):
            mfa.verify(user, "000000" if pyotp.TOTP(TEST_TOTP_SECRET).now() != "000000" else "111111", "10.0.0.9", KEYS)
    with pytest.raises(Throttled):  # the right code is not even checked while the back-off runs
        mfa.verify(user, pyotp.TOTP(TEST_TOTP_SECRET).now(), "10.0.0.9", KEYS)


# --- pages --------------------------------------------------------------------------------------------------------


def test_first_log_in_of_a_staff_role_sets_up_the_app_before_any_page(app, client, make_user):
    author = make_user(Role.AUTHOR)
    _not_enrolled(app, author.id)
    assert _password(client, author.email).headers["Location"] == "/login/setup"
    assert client.get("/author/").headers["Location"].startswith("/login")  # nothing before the second factor
    assert _password(client, author.email).headers["Location"] == "/login/setup"

    page = client.get("/login/setup").get_data(as_text=True)
    secret = re.search(r"<code>([A-Z2-7 ]+)</code>", page).group(1).replace(" ", "")
    assert 'src="data:image/svg+xml' in page
    assert 'autocomplete="one-time-code"' in page
    assert client.get("/login/setup").get_data(as_text=True).count(mfa.grouped(secret)) == 1  # same key on reload

    wrong = "123456" if pyotp.TOTP(secret).now() != "123456" else "654321"
    token = csrf_token(client, "/login/setup")
    refused = client.post("/login/setup", data={"code": wrong, "csrf_token": token})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert 'role="alert"' in html
    assert "Deze code klopt niet" in html
    assert f'value="{wrong}"' in html

    done = client.post("/login/setup", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token})
    assert done.status_code == 200
    assert done.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10
    assert 'download="vtc-recovery-codes.txt"' in done.get_data(as_text=True)
    assert client.get("/author/").status_code == 200  # logged in
    with app.app_context():
        assert mfa.decrypt(_user(author.id).mfa_secret, KEYS) == secret
        assert "Je herstelcodes" not in client.get("/login/setup").get_data(as_text=True)  # shown once


def test_later_log_ins_ask_a_code_and_refuse_a_wrong_or_replayed_one(app, client, make_user):
    manager = make_user(Role.MANAGER)
    assert _password(client, manager.email).headers["Location"] == "/login/code"
    assert client.get("/dashboards/").headers["Location"].startswith("/login")
    wrong = _code_page_post(client, "12345")
    assert wrong.status_code == 400
    assert 'role="alert"' in wrong.get_data(as_text=True)
    assert 'value="12345"' in wrong.get_data(as_text=True)
    code = pyotp.TOTP(TEST_TOTP_SECRET).now()
    assert _code_page_post(client, code).status_code == 302
    assert client.get("/dashboards/").status_code == 200

    other = app.test_client()
    _password(other, manager.email)
    replayed = _code_page_post(other, code)
    assert replayed.status_code == 400
    assert "werkt maar één keer" in replayed.get_data(as_text=True)


def test_a_recovery_code_logs_in_and_says_how_many_are_left(app, client, make_user):
    privacy = make_user(Role.PRIVACY_OFFICER)
    with app.app_context():
        codes = mfa.enrol(_user(privacy.id), TEST_TOTP_SECRET, pyotp.TOTP(TEST_TOTP_SECRET).now(), "", KEYS)
        db.session.remove()
    _password(client, privacy.email)
    response = _code_page_post(client, codes[0])
    assert response.status_code == 302
    assert "Je hebt nog 9 herstelcodes" in client.get(response.headers["Location"]).get_data(as_text=True)
    again = app.test_client()
    _password(again, privacy.email)
    assert _code_page_post(again, codes[0]).status_code == 400


@pytest.mark.parametrize("role", [Role.PATIENT, Role.CAREGIVER, Role.PROFESSIONAL])
def test_patients_caregivers_and_professionals_are_never_asked(client, make_user, role):
    user = make_user(role)
    response = _password(client, user.email)
    assert response.headers["Location"] == "/"
    assert client.get("/progress").status_code == 200


def test_a_role_given_while_logged_in_asks_for_the_app_at_the_next_page(app, client, make_user, login):
    nurse = make_user(Role.PROFESSIONAL)
    login(nurse)
    with app.app_context():
        _user(nurse.id).role = Role.MANAGER
        db.session.commit()
    response = client.get("/dashboards/")
    assert response.headers["Location"] == "/login/setup"
    assert client.get("/dashboards/").headers["Location"].startswith("/login")


def test_a_password_reset_link_does_not_skip_the_code(app, client, make_user):
    from learning.accounts.reset import make_token

    admin = make_user(Role.ADMIN)
    with app.app_context():
        token = make_token(_user(admin.id), app.secret_key)
    form = {"password": "een heel nieuw wachtwoord", "confirm": "een heel nieuw wachtwoord",
            "csrf_token": csrf_token(client, f"/password/reset/{token}")}  # fmt: skip
    response = client.post(f"/password/reset/{token}", data=form)
    assert response.headers["Location"] == "/login/code"
    assert client.get("/admin/lrs/").status_code == 403  # not logged in yet
    assert log_in(app.test_client(), admin.email, "een heel nieuw wachtwoord", app).status_code == 302


def test_registering_with_a_staff_code_sets_up_the_app_first(client, make_invitation):
    code = make_invitation("AUTEUR-01", Role.AUTHOR)
    form = {"code": code, "email": "docent@example.org", "password": "een lang wachtwoord", "display_name": "Docent",
            "confirm": "een lang wachtwoord",
            "csrf_token": csrf_token(client, "/register")}  # fmt: skip
    assert client.post("/register", data=form).headers["Location"] == "/login/setup"
    assert client.get("/author/").headers["Location"].startswith("/login")


def test_the_demo_code_command_prints_the_code_of_the_published_demo_key(runner):
    from learning.demo.accounts import DEMO_TOTP_SECRET

    now = time.time()
    result = runner.invoke(args=["demo", "code"])
    assert result.exit_code == 0
    assert result.output.strip() in {pyotp.TOTP(DEMO_TOTP_SECRET).at(now + d) for d in (0, 30)}
