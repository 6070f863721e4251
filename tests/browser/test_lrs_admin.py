"""The LRS credentials page on a phone in real Chromium: create with scopes, rotate, revoke; axe and 44 px targets."""

from __future__ import annotations

import pytest
from browser.test_patient_journey import assert_no_axe_violations, assert_no_sideways_scroll, log_in
from playwright.sync_api import Page, expect

from learning.accounts.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]  # one half only: tests/conftest.py


def test_admin_creates_rotates_and_revokes_a_scoped_credential(page: Page, make_user, browser_log):
    browser_log.expect_http_error("/admin/lrs/", 400)  # the form sent with nothing ticked
    log_in(page, make_user(Role.ADMIN).email)
    page.goto("/admin/lrs/")
    assert_no_axe_violations(page, "the credentials page")
    scopes = page.get_by_role("group", name="Wat mag dit programma doen?")
    expect(scopes.get_by_role("checkbox", checked=True)).to_have_count(0)  # nothing is granted unless ticked

    page.get_by_label("Naam van het programma of de organisatie").fill("RPM-platform Oost")
    page.get_by_label("Wiens statements mag de sleutel lezen?").select_option(label="Test Ziekenhuis")
    page.get_by_role("button", name="Sleutel maken").click()  # nothing ticked: refused, what was entered kept
    expect(page.get_by_role("alert")).to_contain_text("Vink minstens één ding aan")
    expect(page.get_by_label("Naam van het programma of de organisatie")).to_have_value("RPM-platform Oost")
    assert_no_axe_violations(page, "the credentials page with a refused form")
    scopes.get_by_role("checkbox", name="Statements versturen statements/write").check()
    scopes.get_by_role("checkbox", name="Alleen de statements lezen die dit programma zelf verstuurde").check()
    page.get_by_label("Wiens statements mag de sleutel lezen?").select_option(label="Test Ziekenhuis")
    page.get_by_role("button", name="Sleutel maken").click()
    first = page.get_by_test_id("new-secret").inner_text()
    card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="RPM-platform Oost"))
    expect(card).to_contain_text("statements/write statements/read/mine")
    expect(card.locator("dd").filter(has_text="Test Ziekenhuis")).to_have_count(1)  # it reads that organisation only
    assert_no_axe_violations(page, "the credentials page showing a new secret")
    assert_no_sideways_scroll(page, "the credentials page")
    expect(page.get_by_role("heading", name="Nieuwe sleutel")).to_be_visible()

    page.get_by_role("button", name="Geheim vervangen RPM-platform Oost").click()
    expect(page.get_by_role("status")).to_contain_text("Het oude geheim werkt niet meer.")
    assert page.get_by_test_id("new-secret").inner_text() != first
    assert_no_axe_violations(page, "the credentials page after a rotation")

    page.get_by_role("link", name="Intrekken… RPM-platform Oost").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("RPM-platform Oost")
    assert_no_axe_violations(page, "the revoke question")
    page.get_by_role("button", name="Ja, intrekken").click()
    expect(card).to_contain_text("Ingetrokken")
    expect(page.get_by_role("button", name="Geheim vervangen RPM-platform Oost")).to_have_count(0)
