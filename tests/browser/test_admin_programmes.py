"""A regional administrator on a 360 px phone adds an implementation environment (after a refused first try) and an
RPM programme of an organisation to it, and gives the programme's patients their education (a curriculum), with the
keyboard; every page on the way is axe-clean and fits the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from learning.accounts.models import Role
from tests.browser.test_patient_journey import assert_no_axe_violations, assert_no_sideways_scroll, log_in

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]  # one half only: tests/conftest.py


def check(page: Page, what: str) -> None:
    assert_no_axe_violations(page, what)
    assert_no_sideways_scroll(page, what)


def test_an_admin_adds_an_environment_and_a_programme_on_a_phone(
    page: Page, browser_log, make_user, organisation_id, content
):
    admin = make_user(Role.ADMIN, display_name="Ada Beheerder")
    log_in(page, admin.email)

    page.goto("/admin/organisations/")
    page.get_by_role("link", name="Implementatie-omgevingen").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Implementatie-omgevingen")
    page.get_by_label("Naam").fill("Hartfalen Noord-Oost-Twente en de Achterhoek")
    page.get_by_label("Aandoening").select_option("HF")
    page.get_by_label("Fase (CeHRes Roadmap)").select_option("operationalisation")
    page.get_by_label("Begindatum").fill("2026-03-01")
    page.get_by_label("Einddatum (niet verplicht)").fill("2026-01-01")
    browser_log.expect_http_error("/admin/environments/", 400)
    page.get_by_label("Einddatum (niet verplicht)").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("De einddatum kan niet voor de begindatum liggen")
    # The form is far down a long page: the refusal takes the focus and is on screen, not only somewhere below.
    expect(page.get_by_role("alert")).to_be_focused()
    expect(page.get_by_role("alert")).to_be_in_viewport()
    expect(page.get_by_label("Naam")).to_have_value("Hartfalen Noord-Oost-Twente en de Achterhoek")
    check(page, "the environments page with a refused form")
    page.get_by_label("Einddatum (niet verplicht)").fill("")
    page.get_by_label("Begindatum").press("Enter")
    expect(page.get_by_role("heading", level=2, name="Hartfalen Noord-Oost-Twente en de Achterhoek")).to_be_visible()

    page.goto(f"/admin/organisations/{organisation_id}")
    page.get_by_label("Implementatie-omgeving").select_option(label="Hartfalen Noord-Oost-Twente en de Achterhoek")
    page.get_by_label("Naam van het programma").fill("Thuismeten hartfalen")
    page.get_by_label("Monitoringplatform").fill("Thuismonitor")
    page.get_by_label("Begindatum").fill("2026-03-15")
    page.get_by_label("Hartfalenpoli").focus()
    page.keyboard.press("Space")
    expect(page.get_by_label("Hartfalenpoli")).to_be_checked()
    page.get_by_role("button", name="Programma toevoegen").focus()
    page.keyboard.press("Enter")
    programme = page.get_by_role("link", name="Thuismeten hartfalen")
    expect(programme).to_be_visible()
    check(page, "an organisation with its programme")

    programme.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Programma Thuismeten hartfalen")
    expect(page.get_by_label("Hartfalenpoli")).to_be_checked()
    check(page, "a programme")

    page.get_by_label("Curriculum toevoegen voor").select_option(label="Patiënt (programma-educatie)")
    page.get_by_role("button", name="Modules kiezen").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Curriculum voor Patiënt (programma-educatie)")
    page.get_by_label("Elke dag wegen bij hartfalen").focus()
    page.keyboard.press("Space")
    check(page, "a curriculum")
    page.get_by_role("button", name="Curriculum toevoegen").focus()
    page.keyboard.press("Enter")
    curriculum = page.get_by_role("region", name="Patiënt (programma-educatie)")
    expect(curriculum).to_contain_text("Elke dag wegen bij hartfalen")
    expect(curriculum).to_contain_text("Af binnen 7 dagen na de start.")
    check(page, "a programme with its curriculum")

    page.get_by_role("link", name="Programma beëindigen").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Laatste dag van het programma")).to_be_visible()
    check(page, "ending a programme")
