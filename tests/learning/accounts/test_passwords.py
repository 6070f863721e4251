"""NIST SP 800-63B rules for new passwords: length, no composition rules, the bundled list of common ones."""

from __future__ import annotations

import pytest
from helpers import csrf_token

from learning.accounts.models import Role
from learning.accounts.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    PasswordProblem,
    common_passwords,
    password_problem,
)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("kort-12", PasswordProblem.TOO_SHORT),
        ("x" * (MAX_PASSWORD_LENGTH + 1), PasswordProblem.TOO_LONG),
        ("password1", PasswordProblem.TOO_COMMON),
        ("Welkom01", PasswordProblem.TOO_COMMON),  # case does not make a listed password safe
        ("  qwertyuiop ", PasswordProblem.TOO_COMMON),
        ("jan.jansen@example.org", PasswordProblem.IS_EMAIL),
        ("Jan.Jansen", PasswordProblem.IS_EMAIL),
    ],
)
def test_refused_passwords_name_their_problem(password, problem):
    assert password_problem(password, "jan.jansen@example.org") is problem


@pytest.mark.parametrize(
    "password",
    [
        "tuinkabouter"[:MIN_PASSWORD_LENGTH],  # no composition rules: 8 lower-case letters will do
        "blauwe fiets op de dijk",  # spaces are allowed
        "x" * MAX_PASSWORD_LENGTH,
        "zürich-ölfass-ß",  # any character
    ],
)
def test_long_enough_unlisted_passwords_are_accepted(password):
    assert password_problem(password, "jan.jansen@example.org") is None


def test_the_bundled_list_is_the_twenty_thousand_of_the_licensed_source():
    listed = common_passwords()
    assert 19_000 < len(listed) < 21_000
    assert {"123456", "password", "iloveyou", "welkom01"} <= listed


def register(client, password: str):
    return client.post(
        "/register",
        data={"code": "CODE", "email": "nieuw@example.org", "password": password, "confirm": password,
              "csrf_token": csrf_token(client, "/register")},
    )  # fmt: skip


def test_registration_refuses_a_common_password_with_advice_and_keeps_the_address(client, make_invitation):
    make_invitation("CODE", Role.PATIENT)
    response = register(client, "iloveyou1")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Veel mensen gebruiken dit wachtwoord" in html
    assert 'value="nieuw@example.org"' in html
    assert register(client, "blauwe fiets op de dijk").status_code == 302


def test_password_change_refuses_the_own_address(app, client, login, make_user):
    user = make_user(Role.PATIENT)
    login(user)
    password = user.email.upper()
    response = client.post(
        "/account/password",
        data={"current": "correct-horse-battery", "password": password, "confirm": password,
              "csrf_token": csrf_token(client, "/account/password")},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Gebruik niet je e-mailadres als wachtwoord" in response.get_data(as_text=True)
