"""A patient erases her account on a phone in real Chromium with the keyboard alone: from the settings to the
confirmation page, a wrong password (the message says what to do and the box stays ticked), then the erasure; axe
finds nothing and the page does not scroll sideways at 360 px."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser.test_patient_journey import assert_no_axe_violations, assert_no_sideways_scroll, log_in
from helpers import PASSWORD
from playwright.sync_api import Page, expect

from learning.accounts.models import Role, User
from learning.db import db

pytestmark = [pytest.mark.browser, pytest.mark.postgresql_only]  # one half only: tests/conftest.py


def test_a_patient_erases_her_account_with_the_keyboard(page: Page, app, make_user, browser_log, tmp_path: Path):
    patient = make_user(Role.PATIENT)
    shots = Path(os.environ.get("VTC_SCREENSHOTS", tmp_path))
    log_in(page, patient.email)
    page.goto("/settings")
    page.get_by_role("link", name="Mijn account wissen").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn account wissen")
    assert_no_axe_violations(page, "the erase page")
    assert_no_sideways_scroll(page, "the erase page")

    browser_log.expect_http_error("/account/erase", 400)
    page.get_by_role("checkbox").focus()
    page.keyboard.press("Space")
    page.get_by_label("Je wachtwoord").focus()
    page.keyboard.type("not-my-password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Dat wachtwoord klopt niet")
    expect(page.get_by_role("checkbox")).to_be_checked()  # what she entered is kept
    assert_no_axe_violations(page, "the erase page with its message")
    assert_no_sideways_scroll(page, "the erase page with its message")
    page.screenshot(path=str(shots / "erase-account-360.png"), full_page=True)

    page.get_by_label("Je wachtwoord").focus()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Je account en alles wat we over je bewaarden, is gewist.")).to_be_visible()
    with app.app_context():
        assert db.session.get(User, patient.id) is None
