"""The password page and the throttled log-in page in a real browser: usable, announced, and axe-clean."""

from __future__ import annotations

import pytest
from browser.test_patient_journey import assert_no_axe_violations, log_in
from helpers import PASSWORD
from playwright.sync_api import Page, expect

from learning.accounts.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.postgresql_only]  # one half only: tests/conftest.py


def test_throttled_log_in_is_announced_and_keeps_the_address(page: Page, browser_log, make_user):
    email = make_user(Role.PATIENT).email
    browser_log.expect_http_error("/login", 401)
    browser_log.expect_http_error("/login", 429)
    page.goto("/login")
    for _ in range(6):
        page.get_by_label("E-mailadres").fill(email)
        page.get_by_label("Wachtwoord").fill("niet-het-goede")
        page.get_by_role("button", name="Inloggen").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Te veel pogingen")
    expect(alert).to_contain_text("Op het apparaat waarop je meestal inlogt")
    expect(page.get_by_label("E-mailadres")).to_have_value(email)
    assert_no_axe_violations(page, "the throttled log-in page")


def test_change_password_in_the_browser(page: Page, browser_log, make_user):
    email = make_user(Role.PATIENT).email
    log_in(page, email)
    page.locator(".site-header .menu summary").click()  # the header menu is a disclosure on a phone
    page.get_by_role("link", name="Wachtwoord").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wachtwoord wijzigen")
    assert_no_axe_violations(page, "the password page")

    browser_log.expect_http_error("/account/password", 400)
    page.get_by_label("Huidig wachtwoord").fill("fout-wachtwoord")
    page.get_by_label("Nieuw wachtwoord (minstens 8 tekens)").fill("nieuw-wachtwoord-1")
    page.get_by_label("Nieuw wachtwoord nog een keer").fill("nieuw-wachtwoord-1")
    page.get_by_role("button", name="Wachtwoord wijzigen").click()
    expect(page.get_by_role("alert")).to_contain_text("Je huidige wachtwoord klopt niet")
    assert_no_axe_violations(page, "the password page with a wrong current password")

    page.get_by_label("Huidig wachtwoord").fill(PASSWORD)
    page.get_by_label("Nieuw wachtwoord (minstens 8 tekens)").fill("nieuw-wachtwoord-1")
    page.get_by_label("Nieuw wachtwoord nog een keer").fill("nieuw-wachtwoord-1")
    page.get_by_role("button", name="Wachtwoord wijzigen").click()
    expect(page.locator(".flash")).to_have_text("Je wachtwoord is gewijzigd. Op je andere apparaten ben je uitgelogd.")
