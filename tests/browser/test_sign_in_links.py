"""The pages of the links we mail, in Chromium on a phone by keyboard: the bar that asks to confirm the address
with "send again", the confirmation page, asking for a log-in link from the log-in form, the link's page and a used
link; axe-clean and no sideways scrolling throughout, the mails from a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser.test_patient_journey import assert_no_axe_violations, assert_no_sideways_scroll
from helpers import PASSWORD
from mail_sink import MailSink, link_in, running_sink
from playwright.sync_api import Page, expect

from learning.accounts.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]  # one half only: tests/conftest.py


@pytest.fixture
def mail() -> Iterator[MailSink]:
    with running_sink() as sink:
        yield sink


@pytest.fixture
def app_config(app_config, mail):
    return {**app_config, **mail.config()}


def check(page: Page, what: str) -> None:
    assert_no_axe_violations(page, what)
    assert_no_sideways_scroll(page, what)


def test_a_patient_confirms_her_address_and_logs_in_with_a_link_on_a_phone(page: Page, browser_log, mail, make_user):
    email = make_user(Role.PATIENT, email_confirmed_at=None).email
    page.goto("/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.keyboard.press("Enter")
    bar = page.get_by_role("complementary", name="Je e-mailadres")
    expect(bar).to_contain_text(f"de e-mail die we naar {email} stuurden")
    check(page, "the modules page with the bar to confirm the address")
    bar.get_by_role("button", name="Stuur de e-mail opnieuw").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(f"We hebben een e-mail gestuurd naar {email}")

    page.context.clear_cookies()  # she opens the mail on another device
    page.goto(link_in(mail.wait_for(1)[0]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bevestig je e-mailadres")
    check(page, "the confirmation page")
    page.keyboard.press("Tab")  # skip link, then the header's controls: Tab until the button has the focus
    button = page.get_by_role("button", name="Bevestigen")
    for _ in range(12):
        if button.evaluate("b => b === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(f"Je e-mailadres {email} is bevestigd")
    check(page, "the confirmed page")

    page.goto("/login")
    page.get_by_label("E-mailadres").fill(email)
    for _ in range(3):  # past the password field and the log-in button
        page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Stuur mij een inloglink")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(email)
    check(page, "the check-your-mail page of a log-in link")

    link = link_in(mail.wait_for(2)[1])
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen bij VTC Twente")
    check(page, "the page of a log-in link")
    page.get_by_role("button", name="Inloggen").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Je bent ingelogd.")

    browser_log.expect_http_error(link.removeprefix(link.split("/login/")[0]), 410)
    page.goto(link)
    expect(page.get_by_role("alert")).to_contain_text("Deze link is al gebruikt.")
    check(page, "the page of a used link")
