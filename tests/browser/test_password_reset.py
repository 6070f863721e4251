"""The password reset in Chromium on a phone: from the log-in page by keyboard, the mail from a real SMTP server,
the new-password page with a refused and an accepted password; axe-clean and no sideways scrolling throughout."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser.test_patient_journey import assert_no_axe_violations, assert_no_sideways_scroll
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


def test_a_learner_resets_her_password_on_a_phone(page: Page, browser_log, mail, make_user):
    email = make_user(Role.PATIENT).email
    page.goto("/login")
    page.get_by_role("link", name="Wachtwoord vergeten?").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wachtwoord vergeten?")
    assert_no_axe_violations(page, "the forgotten-password page")
    page.get_by_label("E-mailadres").fill(email)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(email)
    assert_no_axe_violations(page, "the check-your-mail page")
    assert_no_sideways_scroll(page, "the check-your-mail page")

    page.goto(link_in(mail.wait_for(1)[0]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Kies een nieuw wachtwoord")
    browser_log.expect_http_error(page.url.removeprefix(page.url.split("/password")[0]), 400)
    page.get_by_label("Nieuw wachtwoord (minstens 8 tekens)").fill("qwerty123")
    page.get_by_label("Nieuw wachtwoord nog een keer").fill("qwerty123")
    page.get_by_role("button", name="Nieuw wachtwoord opslaan").click()
    expect(page.locator(".error")).to_contain_text("Veel mensen gebruiken dit wachtwoord")
    assert_no_axe_violations(page, "the new-password page with a refused password")
    assert_no_sideways_scroll(page, "the new-password page")

    page.get_by_label("Nieuw wachtwoord (minstens 8 tekens)").fill("paarse olifant op de fiets")
    page.get_by_label("Nieuw wachtwoord nog een keer").fill("paarse olifant op de fiets")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Je nieuwe wachtwoord is ingesteld")
