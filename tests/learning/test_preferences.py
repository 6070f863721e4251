"""Reading preferences over real HTTP: stored per account (every device), in the session for visitors, on <html>."""

from __future__ import annotations

from helpers import PASSWORD, csrf_token
from sqlalchemy import select

from learning.accounts.models import Role, User
from learning.db import db

CHOICE = {"language": "nl", "text_size": "larger", "contrast": "on", "speech_voice": "Google Deutsch",
          "speech_rate": "1.2"}  # fmt: skip


def _save(client, **changes):
    data = {**CHOICE, **changes, "csrf_token": csrf_token(client, "/settings")}
    return client.post("/settings", data=data)


def test_defaults_are_rendered_on_html(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'data-speech-rate="0.9"' in page
    assert 'data-speech-voice=""' in page
    assert "large-text" not in page.split("<head>")[0]


def test_stored_preferences_follow_the_account_to_another_device(app, client, login, make_user):
    user = make_user(Role.PATIENT)
    login(user)
    assert _save(client).status_code == 302
    with app.app_context():
        stored = db.session.get(User, user.id)
        assert (stored.text_size, stored.contrast, stored.speech_voice, stored.speech_rate) == (
            "larger", "on", "Google Deutsch", 1.2)  # fmt: skip
    other_device = app.test_client()
    other_device.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(other_device)}
    )
    html = other_device.get("/progress").get_data(as_text=True).split("<head>")[0]
    assert 'class="large-text larger-text high-contrast"' in html
    assert 'data-speech-voice="Google Deutsch"' in html
    assert 'data-speech-rate="1.2"' in html


def test_settings_form_offers_voice_select_and_rate_range(client, login, make_user):
    login(make_user(Role.PATIENT))
    _save(client, speech_voice="Anna")
    page = client.get("/settings").get_data(as_text=True)
    assert '<select id="speech_voice" name="speech_voice" data-voice-select data-current="Anna">' in page
    assert '<option value="">' in page
    assert 'type="range" id="speech_rate" name="speech_rate" min="0.5" max="1.5" step="0.1" value="1.2"' in page


def test_visitor_keeps_preferences_in_the_session(client):
    assert _save(client, contrast="off", text_size="large").status_code == 302
    html = client.get("/login").get_data(as_text=True).split("<head>")[0]
    assert 'class="large-text contrast-off"' in html


def test_bad_value_shows_a_message_and_keeps_the_choice(client, login, make_user):
    login(make_user(Role.PATIENT))
    response = _save(client, speech_rate="9", text_size="large")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'role="alert">Kies een voorleessnelheid van 0,5 tot 1,5.' in page
    assert 'value="large" checked' in page


def test_header_switch_toggles_large_text_and_returns(app, client, login, make_user):
    user = make_user(Role.PATIENT)
    login(user)
    response = client.post("/settings/large-text", data={"csrf_token": csrf_token(client, "/"), "next": "/progress"})
    assert response.headers["Location"].endswith("/progress")
    html = client.get("/progress").get_data(as_text=True)
    assert 'class="large-text"' in html.split("<head>")[0]
    assert 'class="large-text-toggle" aria-pressed="true"' in html
    with app.app_context():
        assert db.session.get(User, user.id).text_size == "large"


def test_registering_keeps_the_visitors_language_and_preferences(app, client, make_invitation):
    """Before this, session.clear() at registration dropped both: a German visitor's account became Dutch."""
    code = make_invitation("DE-01", Role.PATIENT)
    _save(client, language="de", text_size="large", contrast="on")
    client.post(
        "/register",
        data={"code": code, "email": "neu@example.org", "password": PASSWORD, "confirm": PASSWORD,
              "csrf_token": csrf_token(client, "/register")},
    )  # fmt: skip
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "neu@example.org"))
        assert user is not None
        assert (user.locale, user.text_size, user.contrast) == ("de", "large", "on")


def test_visitor_without_a_choice_registers_in_the_browsers_language(app, client, make_invitation):
    code = make_invitation("DE-02", Role.PATIENT)
    client.post(
        "/register",
        data={"code": code, "email": "neu2@example.org", "password": PASSWORD, "confirm": PASSWORD,
              "csrf_token": csrf_token(client, "/register")},
        headers={"Accept-Language": "de-DE,de;q=0.9"},
    )  # fmt: skip
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "neu2@example.org"))
        assert user is not None
        assert user.locale == "de"


def test_switches_with_a_control_character_in_next_redirect_instead_of_failing(client):
    """Found by the language-switch fuzz test: a newline in `next` made werkzeug refuse the Location header (500)."""
    for path in ("/settings/large-text", "/language/de"):
        response = client.post(path, data={"csrf_token": csrf_token(client, "/login"), "next": "/\n"})
        assert response.status_code == 302, path
        assert "\n" not in response.headers["Location"]
