"""Registration with invitation codes, log-in, throttling, CSRF and cookies through the real app."""

from __future__ import annotations

from datetime import timedelta

from helpers import PASSWORD, csrf_token
from sqlalchemy import select

from learning.accounts.models import Invitation, Role, User
from learning.db import db, utcnow


def register(client, code: str, email: str = "nieuw@example.org", password: str = "lang-genoeg-1"):
    return client.post(
        "/register",
        data={
            "code": code,
            "email": email,
            "password": password,
            "confirm": password,
            "display_name": "Nieuw",
            "csrf_token": csrf_token(client, "/register"),
        },
    )


def test_invitation_code_fixes_role_and_organisation(app, client, make_invitation, organisation_id):
    code = make_invitation("HF-CAREGIVER", Role.CAREGIVER)
    response = register(client, code.lower())
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "nieuw@example.org"))
        assert user is not None
        assert user.role is Role.CAREGIVER
        assert user.organisation_id == organisation_id
        assert user.password_hash.startswith("$argon2id$")
        assert db.session.scalar(select(Invitation.uses).where(Invitation.code == code)) == 1
    assert "Je modules" in client.get("/").get_data(as_text=True)


def test_unknown_code_is_refused_with_advice(client, make_invitation):
    response = register(client, "DOES-NOT-EXIST")
    assert response.status_code == 400
    assert "Vraag je zorgverlener om een nieuwe code" in response.get_data(as_text=True)


def test_used_up_and_expired_codes_are_refused(app, client, make_invitation):
    make_invitation("ONCE", Role.PATIENT, max_uses=1)
    assert register(client, "ONCE", email="a@example.org").status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert register(client, "ONCE", email="b@example.org").status_code == 400
    make_invitation("OLD", Role.PATIENT, expires_at=utcnow() - timedelta(days=1))
    assert register(client, "OLD", email="c@example.org").status_code == 400


def test_duplicate_email_is_refused(client, make_invitation, make_user):
    make_user(Role.PATIENT, email="bestaat@example.org")
    make_invitation("CODE", Role.PATIENT, max_uses=5)
    response = register(client, "CODE", email="Bestaat@Example.org")
    assert response.status_code == 400
    assert "al een account" in response.get_data(as_text=True)


def test_short_password_and_mismatch_are_explained(client, make_invitation):
    make_invitation("CODE", Role.PATIENT)
    response = register(client, "CODE", password="kort")
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_login_with_wrong_password_is_401_and_generic(client, make_user):
    user = make_user(Role.PATIENT)
    response = client.post("/login", data={"email": user.email, "password": "wrong", "csrf_token": csrf_token(client)})
    assert response.status_code == 401
    assert "Het e-mailadres of het wachtwoord klopt niet" in response.get_data(as_text=True)


def test_login_is_throttled_after_five_failures(client, make_user):
    user = make_user(Role.PATIENT)
    for _ in range(5):
        client.post("/login", data={"email": user.email, "password": "wrong", "csrf_token": csrf_token(client)})
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert response.status_code == 429
    assert "Te veel pogingen" in response.get_data(as_text=True)


def test_form_post_without_csrf_token_is_refused(client, make_user):
    user = make_user(Role.PATIENT)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "formulier is verlopen" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still logged out


def test_htmx_post_without_csrf_header_is_refused(client, login, make_user, content):
    login(make_user(Role.PATIENT))
    response = client.post(
        "/modules/elke-dag-wegen-hartfalen/item/when-to-weigh", data={"choice": "0"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400


def test_session_cookie_is_secure_httponly_and_samesite(make_app, make_user):
    user = make_user(Role.PATIENT)
    client = make_app(TESTING=None).test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)})
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Expires=" in cookie


def test_login_does_not_redirect_off_site(client, make_user):
    user = make_user(Role.PATIENT)
    response = client.post(
        "/login?next=https://evil.example/",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.headers["Location"] == "/"


def test_pages_need_login(client):
    response = client.get("/progress")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_language_switch_is_remembered_for_the_account(app, client, login, make_user):
    user = make_user(Role.PATIENT)
    login(user)
    client.post("/language/en", data={"csrf_token": csrf_token(client, "/"), "next": "/progress"})
    assert "My progress" in client.get("/progress").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user.id).locale == "en"


def test_security_headers_are_sent(client):
    response = client.get("/login")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
