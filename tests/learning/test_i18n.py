"""Language negotiation over real HTTP: stored choice, then session, then Accept-Language, then Dutch."""

from __future__ import annotations

import pytest
from helpers import PASSWORD, csrf_token

from learning.accounts.models import Role
from learning.i18n import negotiate

SLUG = "elke-dag-wegen-hartfalen"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("en-GB,en;q=0.9", "en"),
        ("fr-FR,fr;q=0.9", "nl"),
        ("", "nl"),
        ("en;q=0.5, de;q=0.8, nl;q=0.1", "de"),
        ("de;q=0, en;q=0.2", "en"),
        ("de-AT;q=bad, en;q=0.3", "en"),
        ("*", "nl"),
    ],
)
def test_accept_language_is_negotiated_with_q_values(header, expected):
    assert negotiate(header) == expected


def test_visitor_gets_the_browsers_language(client):
    page = client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="de"' in page
    assert "Passwort" in page


def test_visitor_without_a_known_language_gets_dutch(client):
    page = client.get("/login", headers={"Accept-Language": "fr-FR"}).get_data(as_text=True)
    assert '<html lang="nl"' in page
    assert "Wachtwoord" in page


def test_visitors_choice_beats_the_header(client):
    client.post("/language/en", data={"csrf_token": csrf_token(client, "/login"), "next": "/login"})
    page = client.get("/login", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="en"' in page


def test_stored_choice_beats_the_header(app, client, login, make_user):
    user = make_user(Role.PATIENT)
    login(user)
    client.post("/language/de", data={"csrf_token": csrf_token(client, "/"), "next": "/progress"})
    other_device = app.test_client()  # a new session: only the account remembers the choice
    other_device.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(other_device)}
    )
    page = other_device.get("/progress", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="de"' in page
    assert "Mein Fortschritt" in page


def test_german_reader_gets_the_english_module_with_a_note_and_lang(client, login, make_user, content):
    user = make_user(Role.PATIENT)
    login(user)
    client.post("/language/de", data={"csrf_token": csrf_token(client, "/"), "next": "/"})
    catalog = client.get("/").get_data(as_text=True)
    assert '<html lang="de"' in catalog
    assert '<h2 lang="en">' in catalog  # module titles are English for a German reader, marked as such
    page = client.get(f"/modules/{SLUG}/").get_data(as_text=True)
    assert "Dieses Modul gibt es nicht in Ihrer Sprache. Sie lesen die englische Fassung." in page
    assert 'class="module-intro" lang="en"' in page
