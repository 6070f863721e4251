"""A manager sets up the authenticator app and logs in with a code, on a phone, by keyboard, axe-clean throughout."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from browser.test_patient_journey import PASSWORD, assert_no_axe_violations, assert_no_sideways_scroll
from playwright.sync_api import Page, expect

from learning.accounts import mfa
from learning.accounts.models import Role, User
from learning.db import db

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]  # one half only: tests/conftest.py


def _password(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.keyboard.press("Enter")


def test_a_manager_sets_up_the_app_and_logs_in_with_a_code_by_keyboard(page: Page, browser_log, app, make_user):
    manager = make_user(Role.MANAGER)
    with app.app_context():
        mfa.reset(db.session.get(User, manager.id))  # as at the first log-in
        db.session.remove()
    _password(page, manager.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Stel je authenticator-app in")
    expect(page.get_by_role("img", name="QR-code om VTC Twente aan je authenticator-app toe te voegen")).to_be_visible()
    secret = page.locator(".mfa-secret code").inner_text().replace(" ", "")
    assert_no_axe_violations(page, "the set-up page")
    assert_no_sideways_scroll(page, "the set-up page")

    browser_log.expect_http_error("/login/setup", 400)
    page.get_by_label("Typ de code van 6 cijfers die de app nu laat zien").focus()
    page.keyboard.type("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Deze code klopt niet")
    assert_no_axe_violations(page, "the set-up page with a wrong code")

    field = page.get_by_label("Typ de code van 6 cijfers die de app nu laat zien")
    field.fill("")
    field.focus()
    page.keyboard.type(pyotp.TOTP(secret).now())
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Je herstelcodes")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert_no_axe_violations(page, "the recovery codes page")
    assert_no_sideways_scroll(page, "the recovery codes page")
    page.get_by_role("link", name="Ik heb mijn codes bewaard, ga verder").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/$"))

    page.context.clear_cookies()  # another day: the password, then the code page
    _password(page, manager.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Inlogcode")
    assert_no_axe_violations(page, "the code page")
    assert_no_sideways_scroll(page, "the code page")
    page.get_by_label("Code van 6 cijfers, of een herstelcode").focus()
    page.keyboard.type(pyotp.TOTP(secret).at(time.time() + 30))  # the set-up used this step's code already
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/dashboards/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "/login" not in page.url
