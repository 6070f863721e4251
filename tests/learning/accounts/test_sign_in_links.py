"""Signing in with a link by e-mail (patients and caregivers), over real HTTP with a real SMTP server that the
tests read: the link works once, in another browser, only after a click; it expires; the answer never tells who
has an account; staff and unconfirmed addresses get no link."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from helpers import csrf_token
from mail_sink import Browser, MailSink, link_in, running_sink
from sqlalchemy import delete, select, update

from learning.accounts import links, mail_limits, reset, services
from learning.accounts.models import LoginFailure, Role, SignInLink, User
from learning.admin import people
from learning.admin.scope import Actor
from learning.db import db, utcnow


@pytest.fixture
def mail() -> Iterator[MailSink]:
    with running_sink() as sink:
        yield sink


@pytest.fixture
def app_config(app_config, mail):
    # The cookie jar of urllib, like a browser, sends a Secure cookie only over https: tests over plain http.
    return {**app_config, **mail.config(), "SESSION_COOKIE_SECURE": False}


def ask(browser: Browser, email: str) -> tuple[int, str]:
    """The button "Send me a log-in link" of the log-in form, with the address typed there."""
    return browser.post("/login/link", {"email": email, "password": ""}, page_url="/login")


def test_the_whole_sign_in_through_the_mail_on_another_device(live_server, mail, make_user):
    user = make_user(Role.PATIENT)
    phone = Browser(live_server.url)
    status, page = ask(phone, user.email)
    assert status == 200
    assert "Kijk in je e-mail" in page
    (message,) = mail.wait_for(1)
    assert message["To"] == user.email
    assert message["Subject"] == "Je inloglink voor VTC Twente"
    assert "De link werkt 15 minuten en maar één keer." in message.get_content()
    link = link_in(message)
    assert link.startswith(live_server.url + "/login/link/")

    scanner = Browser(live_server.url)  # a mail filter that opens every link to check it
    for _ in range(2):
        status, page = scanner.get(link)
        assert status == 200
        assert f"Je logt in als {user.email}." in page
    tablet = Browser(live_server.url)
    status, page = tablet.post(link, {})
    assert status == 200  # followed the redirect: logged in on the modules page
    assert "Je bent ingelogd." in page
    assert 'href="/progress"' in page  # the menu of someone logged in

    for status, page in (Browser(live_server.url).get(link), tablet.post(link, {}, page_url="/")):
        assert status == 410
        assert "Deze link is al gebruikt. Een inloglink werkt maar één keer." in page
        assert 'href="/login/link"' in page


def test_an_expired_link_is_refused_with_a_way_to_ask_again(app, live_server, mail, make_user):
    user = make_user(Role.PATIENT)
    ask(Browser(live_server.url), user.email)
    link = link_in(mail.wait_for(1)[0])
    with app.app_context():
        db.session.execute(update(SignInLink).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    status, page = Browser(live_server.url).get(link)
    assert status == 410
    assert "Deze link is ouder dan 15 minuten." in page
    assert 'href="/login/link"' in page


def test_the_answer_never_tells_who_has_an_account_and_staff_get_no_link(live_server, mail, make_user):
    nurse, patient = make_user(Role.PROFESSIONAL), make_user(Role.PATIENT)
    browser = Browser(live_server.url)

    def neutral(page: str, email: str) -> str:
        # the CSRF token (in forms and in htmx's headers) is signed with the second it was made: not a difference
        page = re.sub(r'"X-CSRFToken": "[^"]+"', "", page)
        return re.sub(r'value="[^"]+"', "", page).replace(email, "ADDRESS")

    answers = [(email, *ask(browser, email)) for email in (nurse.email, "niemand@example.org", patient.email)]
    assert {status for _email, status, _page in answers} == {200}
    assert len({neutral(page, email) for email, _status, page in answers}) == 1
    mail.wait_for(1)
    assert [m["To"] for m in mail.messages] == [patient.email]  # mails go in request order: none before it


def test_an_unconfirmed_address_gets_a_confirmation_link_instead(live_server, mail, make_user):
    user = make_user(Role.PATIENT, email_confirmed_at=None)
    browser = Browser(live_server.url)
    ask(browser, user.email)
    (message,) = mail.wait_for(1)
    assert message["Subject"] == "Bevestig je e-mailadres voor VTC Twente"
    assert "Die kunnen we pas sturen als je je e-mailadres hebt bevestigd." in message.get_content()
    link = link_in(message)
    assert "/email/confirm/" in link
    assert browser.post(link, {})[0] == 200
    ask(browser, user.email)
    assert "/login/link/" in link_in(mail.wait_for(2)[1])


def test_a_link_is_for_an_active_patient_or_caregiver_only(ctx, make_user):
    patient = db.session.get(User, make_user(Role.PATIENT).id)
    mail = links.request_link(patient.email, "10.0.0.1", "k")
    assert isinstance(mail, links.LinkMail)
    patient.role = Role.MANAGER  # became staff after the link was sent
    db.session.commit()
    with pytest.raises(links.LinkInvalid):
        links.use_link(mail.token)
    patient.role, patient.is_active_account = Role.PATIENT, False  # a membership ended
    db.session.commit()
    with pytest.raises(links.LinkInvalid):
        links.use_link(mail.token)
    assert links.request_link(patient.email, "10.0.0.1", "k") is None


def test_using_a_link_or_a_new_password_or_address_ends_the_other_links(ctx, make_user):
    user = db.session.get(User, make_user(Role.PATIENT).id)

    def fresh() -> str:
        db.session.execute(delete(LoginFailure))  # this test is about links, not the mails' hourly limit
        mail = links.request_link(user.email, "10.0.0.9", "k")
        assert isinstance(mail, links.LinkMail)
        return mail.token

    first, second = fresh(), fresh()
    assert links.use_link(second).id == user.id
    with pytest.raises(links.LinkUsed):
        links.use_link(second)
    with pytest.raises(links.LinkUsed):
        links.use_link(first)  # sent before the one used

    token = fresh()
    reset.reset_password(reset.make_token(user, "k"), "paarse olifant op de fiets", "k")
    with pytest.raises(links.LinkUsed):
        links.user_for_link(token)

    token, old_reset = fresh(), reset.make_token(user, "k")
    people.update_person(Actor.shell(), user.organisation_id, user.id,
                         people.PersonData("nieuw@example.org", "Nieuw", Role.PATIENT))  # fmt: skip
    assert user.email_confirmed_at is None
    with pytest.raises(links.LinkUsed):
        links.user_for_link(token)
    with pytest.raises(reset.LinkInvalid):
        reset.user_for_token(old_reset, "k")  # a reset link sent to the old address
    assert links.request_link("nieuw@example.org", "10.0.0.9", "k") == links.ConfirmFirst(
        "nieuw@example.org", links.confirm.make_token(user, "k")
    )


def test_an_address_gets_three_link_mails_an_hour_apart_from_its_reset_mails(ctx, make_user):
    user = make_user(Role.CAREGIVER)
    for _ in range(mail_limits.MAILS_PER_ADDRESS):
        reset.request_reset(user.email, "10.0.0.3", "k")
    sent = [links.request_link(user.email, "10.0.0.3", "k") for _ in range(mail_limits.MAILS_PER_ADDRESS + 1)]
    assert [mail is not None for mail in sent] == [True] * mail_limits.MAILS_PER_ADDRESS + [False]
    for n in range(mail_limits.REQUESTS_PER_SOURCE - len(sent)):
        links.request_link(f"iemand{n}@example.org", "10.0.0.3", "k")
    with pytest.raises(mail_limits.TooManyRequests):
        links.request_link("nog-iemand@example.org", "10.0.0.3", "k")
    assert db.session.scalar(select(SignInLink.id).where(SignInLink.user_id == user.id).limit(1)) is not None
    assert services.throttle.wait_needed(services.throttle.Attempt.of(user.email, "10.0.0.3")) == timedelta(0)


def test_the_mail_is_in_the_language_of_the_page(live_server, mail, make_user):
    user = make_user(Role.CAREGIVER)
    browser = Browser(live_server.url)
    browser.opener.addheaders = [("Accept-Language", "de")]
    ask(browser, user.email)
    (message,) = mail.wait_for(1)
    assert message["Subject"] == "Ihr Anmeldelink für VTC Twente"
    assert "Der Link funktioniert 15 Minuten lang und nur einmal." in message.get_content()


def test_a_source_that_asks_too_often_is_told_to_wait_and_keeps_the_address(app, client):
    with app.app_context():
        for n in range(mail_limits.REQUESTS_PER_SOURCE):
            links.request_link(f"iemand{n}@example.org", "127.0.0.1", "k")
    response = client.post("/login/link", data={"email": "nog-iemand@example.org", "csrf_token": csrf_token(client)})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert re.search(
        r'role="alert">Je vroeg veel e-mails aan in korte tijd. Probeer het over \d+ minuten', response.text
    )
    assert 'value="nog-iemand@example.org"' in response.text
