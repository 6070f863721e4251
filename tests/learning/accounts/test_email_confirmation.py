"""Confirming an e-mail address: the mail after registration, the bar until the link is used (one click, in any
browser, never a log-in), "send again" with its limit, expired and outdated links, and what counts as confirmed."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pyotp
import pytest
from helpers import PASSWORD, TEST_TOTP_SECRET, csrf_token
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from mail_sink import Browser, MailSink, link_in, running_sink

from learning.accounts import confirm, mail_limits, reset
from learning.accounts.models import Role, User
from learning.db import db

BAR = "Bevestig je e-mailadres. Open de link in de e-mail"
NEW_PASSWORD = "paarse olifant op de fiets"


@pytest.fixture
def mail() -> Iterator[MailSink]:
    with running_sink() as sink:
        yield sink


@pytest.fixture
def app_config(app_config, mail):
    return {**app_config, **mail.config(), "SESSION_COOKIE_SECURE": False}


def test_registration_mails_a_link_and_the_bar_stays_until_it_is_used(live_server, mail, make_invitation):
    code = make_invitation("WELKOM-01", max_uses=5)
    browser = Browser(live_server.url)
    form = {"code": code, "email": "nieuw@example.org", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    status, page = browser.post("/register", form)
    assert status == 200
    assert BAR in page
    (message,) = mail.wait_for(1)
    assert message["To"] == "nieuw@example.org"
    assert message["Subject"] == "Bevestig je e-mailadres voor VTC Twente"
    link = link_in(message)

    scanner = Browser(live_server.url)  # a mail filter opens the link: that confirms nothing
    status, page = scanner.get(link)
    assert status == 200
    assert "Is nieuw@example.org jouw e-mailadres?" in page
    assert BAR in browser.get("/")[1]

    tablet = Browser(live_server.url)  # not logged in: confirming works, and logs nobody in
    status, page = tablet.post(link, {})
    assert status == 200
    assert "Je e-mailadres nieuw@example.org is bevestigd." in page
    assert 'href="/progress"' not in page
    assert BAR not in browser.get("/")[1]
    status, page = scanner.get(link)  # a second time only says so
    assert status == 200
    assert "is bevestigd" in page


def test_send_again_mails_a_new_link_until_the_hourly_limit(live_server, mail, make_user):
    user = make_user(Role.PROFESSIONAL, email_confirmed_at=None)
    browser = Browser(live_server.url)
    browser.post("/login", {"email": user.email, "password": PASSWORD})
    for n in range(1, mail_limits.MAILS_PER_ADDRESS + 1):
        status, page = browser.post("/account/email/confirm", {"next": "/progress"}, page_url="/progress")
        assert status == 200
        assert f"We hebben een e-mail gestuurd naar {user.email}." in page
        mail.wait_for(n)
    status, page = browser.post("/account/email/confirm", {"next": "/progress"}, page_url="/progress")
    assert status == 429
    assert re.search(r'role="alert">We stuurden je dit uur al een paar e-mails\..*Over \d+ minuten', page)
    assert 'href="/progress"' in page
    assert browser.post(link_in(mail.messages[0]), {})[0] == 200  # the first of them still works


def test_an_expired_or_outdated_link_is_refused_with_what_to_do(app, client, make_user):
    user = make_user(Role.PATIENT, email_confirmed_at=None)

    class EightDaysAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 8 * 24 * 3600

    with app.app_context():
        account = db.session.get(User, user.id)
        fresh = confirm.make_token(account, app.secret_key)
        payload = URLSafeTimedSerializer(app.secret_key, salt=confirm.SALT).loads(fresh)
        account.email = "ander@example.org"
        db.session.commit()
    old = URLSafeTimedSerializer(app.secret_key, salt=confirm.SALT, signer=EightDaysAgo).dumps(payload)
    response = client.get(f"/email/confirm/{old}")
    assert response.status_code == 410
    assert "Deze link is ouder dan 7 dagen." in response.text
    response = client.post(f"/email/confirm/{fresh}", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 410  # sent to the address the account had before
    assert "niet meer bij je account hoort" in response.text
    assert 'href="/login"' in response.text
    with app.app_context():
        assert db.session.get(User, user.id).email_confirmed_at is None


def test_a_completed_password_reset_confirms_the_address(ctx, make_user):
    user = db.session.get(User, make_user(Role.CAREGIVER, email_confirmed_at=None).id)
    assert reset.request_reset(user.email, "10.0.0.1", "k") is not None  # unconfirmed addresses get reset mails
    reset.reset_password(reset.make_token(user, "k"), NEW_PASSWORD, "k")
    assert user.email_confirmed_at is not None


def test_a_new_address_set_by_an_administrator_gets_its_own_link(live_server, mail, make_user, organisation_id):
    nurse = make_user(Role.PROFESSIONAL)
    admin = make_user(Role.ADMIN, email="beheer@example.test")
    browser = Browser(live_server.url)
    browser.post("/login", {"email": admin.email, "password": PASSWORD})
    assert browser.post("/login/code", {"code": pyotp.TOTP(TEST_TOTP_SECRET).now()})[0] == 200  # staff: a code
    path = f"/admin/organisations/{organisation_id}/people/{nurse.id}"
    form = {"display_name": "Verpleegkundige", "email": "nieuw-adres@example.org", "role": "professional",
            "team_id": "", "line_manager_id": ""}  # fmt: skip
    assert browser.post(path, form)[0] == 200
    (message,) = mail.wait_for(1)
    assert message["To"] == "nieuw-adres@example.org"
    assert "/email/confirm/" in link_in(message)
    with live_server.app.app_context():
        assert db.session.get(User, nurse.id).email_confirmed_at is None
