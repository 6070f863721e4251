"""A manager's dashboard on a phone in real Chromium: reach it from the menu, read a chart's table, open a
definition, choose a month, download the figures; axe on every page, no sideways scrolling, every table cell on
screen (tables become stacked rows), chart text of at least 14 px."""

from __future__ import annotations

import csv
import io

import pytest
from browser.test_patient_journey import assert_no_axe_violations, assert_no_sideways_scroll, log_in
from dashboard_helpers import OCTOBER, SEPTEMBER, make_region, store, store_cells
from playwright.sync_api import Page, expect

from learning.accounts.models import Role, User
from learning.db import db

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]  # one half only: tests/conftest.py
MIN_CHART_TEXT_PX = 14
PHONE_HEIGHT = 740

CELLS_OFF_SCREEN = """() => Array.from(document.querySelectorAll('main table td, main table th'))
  .filter(cell => cell.getClientRects().length && !cell.closest('thead'))
  .filter(cell => cell.getBoundingClientRect().right > window.innerWidth + 0.5)
  .map(cell => cell.textContent.trim())"""
CHART_TEXT_PX = """() => Array.from(document.querySelectorAll('main figure svg')).flatMap(svg => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return Array.from(svg.querySelectorAll('text')).map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
})"""


def assert_phone_ready(page: Page, what: str) -> None:
    """axe, no sideways scrolling, no table column off-screen, chart text readable."""
    assert_no_axe_violations(page, what)
    assert_no_sideways_scroll(page, what)
    assert page.evaluate(CELLS_OFF_SCREEN) == [], f"{what}: table cells off-screen at 360 px"
    sizes = page.evaluate(CHART_TEXT_PX)
    assert not sizes or min(sizes) >= MIN_CHART_TEXT_PX, f"{what}: chart text {min(sizes):.1f} px"


@pytest.fixture
def manager_email(app, make_user) -> str:
    with app.app_context():
        region = make_region()
        store_cells(region)
        for month, dropout in ((SEPTEMBER, 0.05), (OCTOBER, 0.09)):  # something for the summary to flag
            store("PT_DROPOUT", "team", region.ward, month, dropout * 200, 200, dropout)  # counts of 10 and more
        store("PT_DROPOUT", "team", region.district, OCTOBER, 3, 40, 3 / 40)  # a band: fewer than 10 of 40
        db.session.commit()
        manager = make_user(Role.MANAGER)
        user = db.session.get(User, manager.id)
        assert user is not None
        user.organisation_id = region.hospital
        db.session.commit()
    return manager.email


def test_manager_reads_the_environment_dashboard(page: Page, manager_email, browser_log):
    log_in(page, manager_email)
    page.locator(".site-header .menu summary").click()  # the header menu is a disclosure on a phone
    page.get_by_role("link", name="Dashboards").click()
    assert_phone_ready(page, "the dashboard list")

    page.get_by_role("link", name="Env", exact=False).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Env")
    assert_phone_ready(page, "the environment dashboard")

    # One screen first: what needs attention, in words, within the first screen; the details folded below it.
    summary = page.get_by_role("region", name="Wat vraagt aandacht in okt 2026")
    expect(summary).to_contain_text("Meer patiënten stoppen")
    expect(summary).to_contain_text("9% gestopt, +4 procentpunt")
    box = summary.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= PHONE_HEIGHT, f"the summary ends at {box['y'] + box['height']} px"
    readiness_section = page.locator("#readiness")
    expect(readiness_section).to_be_hidden()
    summary.get_by_role("link", name="Hartfalenpoli (Ziekenhuis A)").first.focus()
    page.keyboard.press("Enter")  # the finding's link opens its folded detail
    expect(readiness_section).to_be_visible()
    assert page.evaluate(CHART_TEXT_PX), "the environment page draws charts"
    in_short = page.locator("summary", has_text="In het kort")
    in_short.focus()
    page.keyboard.press("Enter")  # a folded section opens from the keyboard
    expect(page.locator("#summary")).to_be_visible()

    tables = page.get_by_text("De cijfers van deze grafiek als tabel")  # folded under each chart
    expect(tables.first).to_be_visible()
    tables.first.click()
    readiness = page.get_by_role("region", name="Cijfers van: Opleiding en gebruik per team", exact=False)
    assert_phone_ready(page, "the environment dashboard with a chart's table open")
    expect(readiness).to_contain_text("80%")  # the ward's October coverage: 8 of 10
    expect(readiness).to_contain_text("verborgen")  # the district team's small group
    expect(readiness).to_contain_text("< 25% (minder dan 10 van 40)")  # its drop-out: a band, never 3 or 8%
    expect(page.locator("figure svg .banded-value").first).to_be_attached()  # drawn as an outline up to 25 %
    expect(page.locator("figure svg[role=img]").first).to_be_visible()

    page.get_by_label("Maand", exact=True).select_option("2026-09")
    page.get_by_role("button", name="Tonen").click()
    page.locator("summary", has_text="Opleiding en gebruik per team").click()
    tables.first.click()
    expect(readiness).to_contain_text("60%")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Alle cijfers (CSV)").click()
    text = download_info.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))  # as Dutch Excel reads it
    assert {row["Maand"] for row in rows} == {"sep 2026"}

    in_short.click()
    page.get_by_role("link", name="Opgeleide medewerkers").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Opgeleide medewerkers")
    expect(page.get_by_text("Van de 12 verpleegkundigen", exact=False)).to_be_visible()  # words before the formula
    assert_phone_ready(page, "a metric definition")
    page.go_back()

    page.locator("summary", has_text="NASSS").click()
    page.get_by_role("link", name="Alle beoordelingen van", exact=False).first.click()
    assert_phone_ready(page, "the assessments of a programme")


def test_manager_compares_environments_in_the_region(page: Page, manager_email, browser_log):
    log_in(page, manager_email)
    page.goto("/dashboards/region")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_phone_ready(page, "the region dashboard")
    expect(page.get_by_role("region", name="Wat vraagt aandacht", exact=False)).to_be_visible()
    page.locator("summary", has_text="Elk cijfer").click()
    expect(page.get_by_role("region", name="Elk cijfer", exact=False).last).to_contain_text("73%")

    page.goto("/dashboards/metrics")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_phone_ready(page, "the definitions of every figure")
