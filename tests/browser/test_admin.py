"""A manager administers their organisation on a phone, with the keyboard: teams, people, a code and its letter.

One test over the three pages the issue names (organisation, people list, invitation letter): axe finds nothing,
nothing scrolls sideways at 360 px, and each form is used with the keyboard alone.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from learning.accounts.models import Role
from tests.browser.test_patient_journey import assert_no_axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]  # one half only: tests/conftest.py


def _fits(page: Page, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{what} scrolls sideways: {width}"


def test_a_manager_adds_a_team_sees_people_and_prints_a_letter(page: Page, browser_log, make_user,
                                                               organisation_id, tmp_path):  # fmt: skip
    manager = make_user(Role.MANAGER, display_name="Mia Manager")
    make_user(Role.PROFESSIONAL, display_name="Noor Verpleegkundige")
    log_in(page, manager.email)
    page.goto(f"/admin/organisations/{organisation_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Test Ziekenhuis")
    page.get_by_label("Naam van het team").focus()
    page.keyboard.type("Hartfalen thuis")
    page.keyboard.press("Tab")  # kind
    page.keyboard.press("Tab")  # part of
    page.keyboard.press("ArrowDown")  # the first team: Hartfalenpoli
    page.get_by_label("Naam van het team").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Team Hartfalen thuis toegevoegd.")
    expect(page.locator(".team-tree li").nth(1)).to_contain_text("Hartfalen thuis")
    assert_no_axe_violations(page, "the organisation page")
    _fits(page, "the organisation page")

    page.goto(f"/admin/organisations/{organisation_id}/people")
    expect(page.get_by_role("link", name="Noor Verpleegkundige")).to_be_visible()
    browser_log.expect_http_error(f"/admin/organisations/{organisation_id}/people", 400)
    page.get_by_label("Naam", exact=True).fill("Sam Nieuw")
    page.get_by_label("E-mailadres").fill("geen adres")
    page.get_by_label("E-mailadres").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Vul een geldig e-mailadres in")
    expect(page.get_by_label("Naam", exact=True)).to_have_value("Sam Nieuw")
    assert_no_axe_violations(page, "the people list with a refused form")
    _fits(page, "the people list")

    page.goto(f"/admin/organisations/{organisation_id}/invitations")
    page.get_by_label("Notitie (niet verplicht)").fill("P-0042")
    page.get_by_label("Notitie (niet verplicht)").press("Enter")
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"Code [2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4} gemaakt"))
    assert_no_axe_violations(page, "the invitation codes")
    _fits(page, "the invitation codes")
    page.get_by_role("link", name=re.compile("Brief voor code")).first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2)).to_have_text("Welkom bij het Virtueel Trainingscentrum")
    expect(page.get_by_role("img", name=re.compile("QR-code"))).to_be_visible()
    assert_no_axe_violations(page, "the invitation letter")
    _fits(page, "the invitation letter")
    page.screenshot(path=str(tmp_path / "letter.png"), full_page=True)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".letter")).to_be_visible()
