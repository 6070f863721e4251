"""A manager's dashboard on a phone in real Chromium: reach it from the menu, read a chart's table, open a
definition, choose a month, download the figures; axe on every page and no sideways scrolling."""

from __future__ import annotations

import csv
import io

import pytest
from browser.test_patient_journey import assert_no_axe_violations, assert_no_sideways_scroll, log_in
from dashboard_helpers import make_region, store_cells
from playwright.sync_api import Page, expect

from learning.accounts.models import Role, User
from learning.db import db

pytestmark = pytest.mark.browser


@pytest.fixture
def manager_email(app, make_user) -> str:
    with app.app_context():
        region = make_region()
        store_cells(region)
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
    assert_no_axe_violations(page, "the dashboard list")
    assert_no_sideways_scroll(page, "the dashboard list")

    page.get_by_role("link", name="Env", exact=False).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Env")
    assert_no_axe_violations(page, "the environment dashboard")
    assert_no_sideways_scroll(page, "the environment dashboard")

    readiness = page.get_by_role("region", name="Cijfers van: Opleiding en gebruik per team", exact=False)
    expect(readiness).to_contain_text("80%")  # the ward's October coverage: 8 of 10
    expect(readiness).to_contain_text("verborgen")  # the district team's small group
    expect(page.locator("figure svg[role=img]").first).to_be_visible()

    page.get_by_label("Maand", exact=True).select_option("2026-09")
    page.get_by_role("button", name="Tonen").click()
    expect(readiness).to_contain_text("60%")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Alle cijfers (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(download_info.value.path().read_text(encoding="utf-8-sig"))))
    assert {row["month"] for row in rows} == {"2026-09"}

    page.get_by_role("link", name="Opgeleide medewerkers").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Opgeleide medewerkers")
    assert_no_axe_violations(page, "a metric definition")
    assert_no_sideways_scroll(page, "a metric definition")


def test_manager_compares_environments_in_the_region(page: Page, manager_email, browser_log):
    log_in(page, manager_email)
    page.goto("/dashboards/region")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_axe_violations(page, "the region dashboard")
    assert_no_sideways_scroll(page, "the region dashboard")
    expect(page.get_by_role("region", name="Elk cijfer", exact=False).last).to_contain_text("73%")
