"""Sharing progress on a phone: the patient makes a code, the caregiver types it, with the keyboard; axe on both."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from learning.accounts.models import Role
from tests.browser.test_patient_journey import assert_no_axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]  # one half only: tests/conftest.py


def test_a_patient_shares_and_a_caregiver_looks_along(page: Page, browser_log, make_user, content):
    log_in(page, make_user(Role.PATIENT, display_name="Anna Jansen").email)
    page.goto("/sharing")
    page.get_by_role("button", name="Maak een code").focus()
    page.keyboard.press("Enter")
    code = page.locator(".share-code .code").inner_text()
    assert len(code) == 9
    assert_no_axe_violations(page, "the sharing page with a new code")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the sharing page scrolls sideways: {width}"

    page.context.clear_cookies()
    log_in(page, make_user(Role.CAREGIVER).email)
    page.goto("/caregiving")
    browser_log.expect_http_error("/caregiving", 400)
    page.get_by_label("Code").fill("ABCD EFGH")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Deze code werkt niet")
    assert_no_axe_violations(page, "the look-along page with a wrong code")
    page.get_by_label("Code").fill(code.lower())
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Voortgang van Anna Jansen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Voortgang van Anna Jansen")
    expect(page.get_by_text("Anna Jansen is nog niet met een les begonnen.")).to_be_visible()
    assert_no_axe_violations(page, "a shared patient's progress")
