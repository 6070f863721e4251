"""One's own second factor: new recovery codes and a move to a new phone, each after proving it is you again (a
recovery code does, for a lost phone); a wrong code from the new phone changes nothing and says what to do."""

from __future__ import annotations

import re

import pyotp
import pytest
from helpers import PASSWORD, TEST_TOTP_SECRET, csrf_token, log_in

from learning.accounts import login_flow, mfa
from learning.accounts.models import Role, User
from learning.db import db


def _codes(page: str) -> list[str]:
    return re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", page)


def test_new_codes_then_a_new_phone_after_proving_it_is_you_with_a_recovery_code(app, client, make_user):
    manager = make_user(Role.MANAGER)
    assert log_in(client, manager.email, PASSWORD, app).status_code == 302
    assert "Je tweede factor" in client.get("/account/second-factor").get_data(as_text=True)
    made = client.post("/account/second-factor/recovery-codes", data={"csrf_token": csrf_token(client, "/")})
    first = _codes(made.get_data(as_text=True))
    assert len(first) == 10
    assert made.headers["Cache-Control"] == "no-store"

    app.config["REAUTH_MAX_AGE"] = 0  # from now on every change asks again
    asked = client.get("/account/second-factor/new-phone")
    assert asked.status_code == 302
    assert asked.headers["Location"].startswith("/account/confirm")
    proof = {"reauth_password": PASSWORD, "reauth_code": first[0], "next": "/account/second-factor/new-phone",
             "csrf_token": csrf_token(client, "/")}  # fmt: skip
    assert client.post("/account/confirm", data=proof).status_code == 302  # the phone is lost: a recovery code
    app.config["REAUTH_MAX_AGE"] = 600
    page = client.get("/account/second-factor/new-phone").get_data(as_text=True)
    secret = re.search(r'<p class="mfa-secret" id="mfa-secret">.*?<code>([A-Z2-7 ]+)</code>', page).group(1)
    secret = secret.replace(" ", "")
    assert secret != TEST_TOTP_SECRET

    wrong = client.post(
        "/account/second-factor/new-phone", data={"code": "000000", "csrf_token": csrf_token(client, "/")}
    )
    assert wrong.status_code == 400
    assert 'role="alert"' in wrong.get_data(as_text=True)
    assert 'value="000000"' in wrong.get_data(as_text=True)  # what was typed stays
    with app.app_context():
        user = db.session.get(User, manager.id)
        assert mfa.decrypt(user.mfa_secret, login_flow.secret_keys()) == TEST_TOTP_SECRET  # the old phone still works

    right = {"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token(client, "/")}
    moved = client.post("/account/second-factor/new-phone", data=right)
    assert moved.status_code == 200
    assert len(_codes(moved.get_data(as_text=True))) == 10
    with app.app_context():
        user = db.session.get(User, manager.id)
        assert mfa.decrypt(user.mfa_secret, login_flow.secret_keys()) == secret
        with pytest.raises(mfa.CodeWrong):  # the codes made before the move are worthless
            mfa.verify(user, first[1], "127.0.0.1", login_flow.secret_keys())


def test_roles_without_a_second_factor_have_no_such_page(client, make_user):
    patient = make_user(Role.PATIENT)
    assert log_in(client, patient.email).status_code == 302
    assert client.get("/account/second-factor").status_code == 404
