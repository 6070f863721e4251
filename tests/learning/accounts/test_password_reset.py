"""Password reset by e-mail, over real HTTP with a real SMTP server that the tests read: single-use, expiring
links, one neutral answer whatever the address, throttled requests, and a link that beats log-in throttling."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from helpers import PASSWORD
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from mail_sink import Browser, MailSink, free_port, link_in, running_sink

from learning.accounts import reset, throttle
from learning.accounts.models import Role, User
from learning.db import db

NEW_PASSWORD = "paarse olifant op de fiets"


@pytest.fixture
def mail() -> Iterator[MailSink]:
    with running_sink() as sink:
        yield sink


@pytest.fixture
def app_config(app_config, mail):
    # The cookie jar of urllib, like a browser, sends a Secure cookie only over https: tests over plain http.
    return {**app_config, **mail.config(), "SESSION_COOKIE_SECURE": False}


def forgot(browser: Browser, email: str) -> tuple[int, str]:
    return browser.post("/password/forgot", {"email": email})


def log_in(browser: Browser, email: str, password: str) -> int:
    return browser.post("/login", {"email": email, "password": password})[0]


def test_the_whole_reset_through_the_mail(live_server, mail, make_user):
    user = make_user(Role.PATIENT)
    browser = Browser(live_server.url)
    status, page = forgot(browser, user.email)
    assert status == 200
    assert "Kijk in je e-mail" in page
    (message,) = mail.wait_for(1)
    assert message["To"] == user.email
    assert message["Subject"] == "Een nieuw wachtwoord voor VTC Twente"
    assert "De link werkt 60 minuten en maar één keer." in message.get_content()
    link = link_in(message)
    assert link.startswith(live_server.url + "/password/reset/")

    status, page = browser.get(link)
    assert status == 200
    assert "Kies een nieuw wachtwoord" in page
    status, page = browser.post(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert status == 200  # followed the redirect: logged in on the modules page
    assert "Je nieuwe wachtwoord is ingesteld" in page

    other = Browser(live_server.url)
    assert log_in(other, user.email, PASSWORD) == 401
    assert log_in(other, user.email, NEW_PASSWORD) == 200
    status, page = Browser(live_server.url).get(link)  # single use
    assert status == 410
    assert "al gebruikt" in page


def test_the_answer_is_the_same_for_an_unknown_address_and_no_mail_goes_out(live_server, mail, make_user):
    user = make_user(Role.PATIENT)
    browser = Browser(live_server.url)
    unknown_status, unknown_page = forgot(browser, "niemand@example.org")
    known_status, known_page = forgot(browser, user.email)
    assert unknown_status == known_status == 200

    def neutral(page: str, email: str) -> str:
        # the CSRF token (in forms and in htmx's headers) is signed with the second it was made: not a difference
        page = re.sub(r'"X-CSRFToken": "[^"]+"', "", page)
        return re.sub(r'value="[^"]+"', "", page).replace(email, "ADDRESS")

    assert neutral(unknown_page, "niemand@example.org") == neutral(known_page, user.email)
    mail.wait_for(1)
    assert [m["To"] for m in mail.messages] == [user.email]  # mails go in request order: none for the unknown one


def test_an_expired_link_is_refused_with_a_way_to_ask_again(app, live_server, mail, make_user):
    user = make_user(Role.PATIENT)

    class TwoHoursAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 2 * 3600

    with app.app_context():
        account = db.session.get(User, user.id)
        fresh = reset.make_token(account, app.secret_key)
        payload = URLSafeTimedSerializer(app.secret_key, salt=reset.SALT).loads(fresh)
    token = URLSafeTimedSerializer(app.secret_key, salt=reset.SALT, signer=TwoHoursAgo).dumps(payload)
    status, page = Browser(live_server.url).get(f"/password/reset/{token}")
    assert status == 410
    assert "De link is ouder dan een uur." in page
    assert 'href="/password/forgot"' in page
    status, _page = Browser(live_server.url).get(f"/password/reset/{fresh}")
    assert status == 200  # the same account's fresh link works: only the age was wrong


def test_a_forged_link_is_refused(live_server):
    status, page = Browser(live_server.url).get("/password/reset/WzEsImFiYyJd.Zm9v.YmFy")
    assert status == 410
    assert 'role="alert"' in page


def test_the_link_works_while_the_account_is_throttled_at_log_in(app, live_server, mail, make_user):
    user = make_user(Role.PROFESSIONAL)
    with app.app_context():
        for _ in range(12):  # someone guessed at this account from everywhere
            throttle.record_failure(throttle.Attempt.of(user.email, "127.0.0.1"))
        db.session.commit()
    browser = Browser(live_server.url)
    assert log_in(browser, user.email, PASSWORD) == 429
    forgot(browser, user.email)
    link = link_in(mail.wait_for(1)[0])
    status, page = browser.post(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert status == 200
    assert "Je nieuwe wachtwoord is ingesteld" in page
    assert browser.get("/progress")[0] == 200  # logged in, past the throttle


def test_a_common_new_password_is_refused_on_the_reset_page_and_the_link_still_works(live_server, mail, make_user):
    user = make_user(Role.PATIENT)
    browser = Browser(live_server.url)
    forgot(browser, user.email)
    link = link_in(mail.wait_for(1)[0])
    status, page = browser.post(link, {"password": "password123", "confirm": "password123"})
    assert status == 400
    assert "Veel mensen gebruiken dit wachtwoord" in page
    assert browser.post(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})[0] == 200


def test_the_mail_is_in_the_language_of_the_page(live_server, mail, make_user):
    user = make_user(Role.PATIENT)
    browser = Browser(live_server.url)
    browser.opener.addheaders = [("Accept-Language", "de")]
    forgot(browser, user.email)
    (message,) = mail.wait_for(1)
    assert message["Subject"] == "Ein neues Passwort für VTC Twente"
    assert "Der Link funktioniert 60 Minuten lang und nur einmal." in message.get_content()


def test_a_password_change_kills_an_earlier_link(ctx, make_user):
    user = db.session.get(User, make_user(Role.PATIENT).id)
    token = reset.make_token(user, "k")
    assert reset.user_for_token(token, "k").id == user.id
    reset.reset_password(reset.make_token(user, "k"), NEW_PASSWORD, "k")
    with pytest.raises(reset.LinkInvalid):
        reset.user_for_token(token, "k")


def test_an_address_gets_three_mails_an_hour_and_a_source_twenty_requests(ctx, make_user):
    user = make_user(Role.PATIENT)
    sent = [reset.request_reset(user.email, "10.0.0.1", "k") for _ in range(reset.MAILS_PER_ADDRESS + 1)]
    assert [mail is not None for mail in sent] == [True] * reset.MAILS_PER_ADDRESS + [False]
    for n in range(reset.REQUESTS_PER_SOURCE - len(sent)):
        reset.request_reset(f"iemand{n}@example.org", "10.0.0.1", "k")
    with pytest.raises(reset.TooManyRequests):
        reset.request_reset("nog-iemand@example.org", "10.0.0.1", "k")
    assert reset.request_reset("nog-iemand@example.org", "10.0.0.2", "k") is None  # another source goes on
    assert throttle.wait_needed(throttle.Attempt.of(user.email, "10.0.0.1")).total_seconds() == 0  # log-in unaffected


def test_a_mail_server_that_refuses_is_logged_and_the_answer_stays_neutral(app, make_app, make_user, caplog):
    user = make_user(Role.PATIENT)
    closed = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_SECURITY="none")
    client = closed.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/password/forgot").text)
    response = client.post("/password/forgot", data={"email": user.email, "csrf_token": token.group(1)})
    assert response.status_code == 200
    assert "Kijk in je e-mail" in response.text
    response.close()  # the mail goes out when the answer is done with
    assert f"mail to {user.email} could not be sent through 127.0.0.1" in caplog.text


def test_a_source_that_asks_too_often_is_told_to_wait_and_keeps_the_address(client):
    def ask(email: str):
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/password/forgot").text)
        return client.post("/password/forgot", data={"email": email, "csrf_token": token.group(1)})

    for n in range(reset.REQUESTS_PER_SOURCE):
        assert ask(f"iemand{n}@example.org").status_code == 200
    response = ask("nog-iemand@example.org")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert re.search(
        r'role="alert">Je vroeg veel e-mails aan in korte tijd. Probeer het over \d+ minuten', response.text
    )
    assert 'value="nog-iemand@example.org"' in response.text


def test_a_mistyped_mail_security_stops_the_start(make_app):
    with pytest.raises(ValueError, match="MAIL_SECURITY must be one of starttls, ssl, none, not 'tls'"):
        make_app(MAIL_SECURITY="tls")
