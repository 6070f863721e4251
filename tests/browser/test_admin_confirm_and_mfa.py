"""On a phone with the keyboard alone: the people list as cards, the questions before ending a membership and
revoking a code, and one's own second factor (new codes, a new phone). axe finds nothing; nothing scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from learning.accounts.models import Role
from tests.browser.test_patient_journey import assert_no_axe_violations, assert_no_sideways_scroll, log_in

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]  # one half only: tests/conftest.py


def _press(page: Page, locator) -> None:  # type: ignore[no-untyped-def]
    locator.focus()
    page.keyboard.press("Enter")


def test_people_cards_questions_and_the_second_factor_with_the_keyboard(
    page: Page, browser_log, make_user, make_invitation, organisation_id, tmp_path
):
    manager = make_user(Role.MANAGER, display_name="Mia Manager")
    make_user(Role.PROFESSIONAL, display_name="Noor Verpleegkundige-van-den-Broek",
              email="noor.verpleegkundige-van-den-broek@thuiszorg-twente-en-omstreken.example.test")  # fmt: skip
    make_invitation("BRIEF-0001", Role.PATIENT)
    log_in(page, manager.email)

    page.goto(f"/admin/organisations/{organisation_id}/people")
    person = page.get_by_role("link", name="Noor Verpleegkundige-van-den-Broek")
    expect(person).to_be_visible()
    assert_no_axe_violations(page, "the people cards")
    assert_no_sideways_scroll(page, "the people cards")
    page.screenshot(path=str(tmp_path / "people.png"), full_page=True)
    _press(page, person)
    _press(page, page.get_by_role("link", name="Lidmaatschap van Noor Verpleegkundige-van-den-Broek beëindigen"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Lidmaatschap van Noor Verpleegkundige-van-den-Broek beëindigen?"
    )
    assert_no_axe_violations(page, "the question before ending a membership")
    assert_no_sideways_scroll(page, "the question before ending a membership")
    _press(page, page.get_by_role("button", name="Ja, lidmaatschap beëindigen"))
    expect(page.get_by_role("status")).to_contain_text("beëindigd")

    page.goto(f"/admin/organisations/{organisation_id}/invitations")
    _press(page, page.get_by_role("link", name="Code BRIEF-0001 intrekken"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Code BRIEF-0001 intrekken?")
    assert_no_axe_violations(page, "the question before revoking a code")
    _press(page, page.get_by_role("link", name="Nee, houden"))  # no: back to the list, the code still works
    expect(page.get_by_role("link", name="Code BRIEF-0001 intrekken")).to_be_visible()

    page.goto("/account/second-factor")
    assert_no_axe_violations(page, "one's own second factor")
    assert_no_sideways_scroll(page, "one's own second factor")
    _press(page, page.get_by_role("button", name="Nieuwe herstelcodes maken"))
    expect(page.get_by_role("status")).to_contain_text("De oude werken niet meer.")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert_no_axe_violations(page, "the new recovery codes")
    _press(page, page.get_by_role("link", name="Ik heb mijn codes bewaard"))
    _press(page, page.get_by_role("link", name="Overstappen naar een nieuwe telefoon"))
    browser_log.expect_http_error("/account/second-factor/new-phone", 400)
    page.get_by_label("Typ de code van 6 cijfers die de app op je nieuwe telefoon nu laat zien").fill("123456")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Deze code klopt niet.")
    assert_no_axe_violations(page, "the new phone page with a wrong code")
    assert_no_sideways_scroll(page, "the new phone page")
    page.screenshot(path=str(tmp_path / "new-phone.png"), full_page=True)
