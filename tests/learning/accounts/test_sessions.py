"""Sessions end at logout and at a password change: a copied cookie stops working, through the real app."""

from __future__ import annotations

from helpers import PASSWORD, csrf_token, log_in

from learning.accounts.models import Role, User
from learning.db import db


def logged_in_client(app, user, password: str = PASSWORD):
    client = app.test_client()
    response = log_in(client, user.email, password, app)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def replay(app, cookie_value: str):
    """A second browser that only has a copy of the session cookie."""
    copy = app.test_client()
    copy.set_cookie("session", cookie_value)
    return copy


def test_old_session_cookie_does_not_open_dashboards_after_logout(app, make_user):
    manager = make_user(Role.MANAGER)
    client = logged_in_client(app, manager)
    assert client.get("/dashboards/").status_code == 200
    stolen = client.get_cookie("session").value
    assert replay(app, stolen).get("/dashboards/").status_code == 200  # the copy works while the session lives

    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})

    response = replay(app, stolen).get("/dashboards/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def change_password(client, current: str, new: str, confirm: str | None = None):
    return client.post(
        "/account/password",
        data={
            "current": current,
            "password": new,
            "confirm": new if confirm is None else confirm,
            "csrf_token": csrf_token(client, "/account/password"),
        },
    )


def test_password_change_ends_the_other_sessions_and_keeps_this_one(app, make_user):
    user = make_user(Role.PATIENT)
    here, elsewhere = logged_in_client(app, user), logged_in_client(app, user)
    response = change_password(here, PASSWORD, "een-nieuw-wachtwoord")
    assert response.status_code == 302
    assert "Op je andere apparaten ben je uitgelogd" in here.get("/").get_data(as_text=True)
    assert here.get("/progress").status_code == 200
    assert "/login" in elsewhere.get("/progress").headers["Location"]
    with app.app_context():
        assert db.session.get(User, user.id).session_version == 1
    assert logged_in_client(app, user, "een-nieuw-wachtwoord")
    refused = app.test_client().post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(app.test_client())}
    )
    assert refused.status_code in (400, 401)


def test_wrong_current_password_changes_nothing(app, make_user):
    user = make_user(Role.PATIENT)
    here, elsewhere = logged_in_client(app, user), logged_in_client(app, user)
    response = change_password(here, "niet-mijn-wachtwoord", "een-nieuw-wachtwoord")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'role="alert"' in page
    assert "Je huidige wachtwoord klopt niet" in page
    assert elsewhere.get("/progress").status_code == 200
    assert logged_in_client(app, user, PASSWORD)


def test_short_or_mismatched_new_password_is_explained(app, make_user):
    client = logged_in_client(app, make_user(Role.PATIENT))
    assert change_password(client, PASSWORD, "kort").status_code == 400
    response = change_password(client, PASSWORD, "een-nieuw-wachtwoord", "iets-anders-123")
    assert response.status_code == 400
    assert "De wachtwoorden zijn niet hetzelfde" in response.get_data(as_text=True)


def test_password_page_needs_login_and_a_csrf_token(app, make_user):
    assert "/login" in app.test_client().get("/account/password").headers["Location"]
    client = logged_in_client(app, make_user(Role.PATIENT))
    response = client.post("/account/password", data={"current": PASSWORD, "password": "x" * 12, "confirm": "x" * 12})
    assert response.status_code == 400
    assert "formulier is verlopen" in response.get_data(as_text=True)


def test_password_page_is_dutch_by_default(app, make_user):
    client = logged_in_client(app, make_user(Role.PATIENT))
    page = client.get("/account/password").get_data(as_text=True)
    assert "Wachtwoord wijzigen" in page
    assert "Huidig wachtwoord" in page
