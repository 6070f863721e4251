"""The privacy officer reads the access log on a phone in real Chromium: a manager's dashboard read made just before
is there, filters work from the keyboard, axe finds nothing and the page never scrolls sideways."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from browser.test_patient_journey import assert_no_axe_violations, assert_no_sideways_scroll, log_in
from dashboard_helpers import make_region, store_cells
from playwright.sync_api import Page, expect

from learning.accounts.models import Role, User
from learning.db import db

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]  # one half only: tests/conftest.py


@pytest.fixture
def people(app, make_user) -> dict[str, object]:
    with app.app_context():
        region = make_region()
        store_cells(region)
        manager = make_user(Role.MANAGER)
        user = db.session.get(User, manager.id)
        assert user is not None
        user.organisation_id = region.hospital
        db.session.commit()
    return {"manager": manager, "officer": make_user(Role.PRIVACY_OFFICER), "environment": region.environment}


def test_privacy_officer_finds_a_managers_dashboard_read(page: Page, people, tmp_path: Path):
    manager, officer, environment = people["manager"], people["officer"], people["environment"]
    log_in(page, manager.email)
    page.goto(f"/dashboards/environments/{environment}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.locator(".site-header .menu summary").click()  # the header menu is a disclosure on a phone
    page.get_by_role("button", name="Uitloggen").click()

    log_in(page, officer.email)
    page.locator(".site-header .menu summary").click()  # the header menu is a disclosure on a phone
    page.get_by_role("link", name="Toegangslog").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Toegangslog")
    expect(page.get_by_test_id("chain-state")).to_contain_text("Het log is intact.")
    entries = page.get_by_role("list", name="Regels, nieuwste eerst")
    read = entries.get_by_test_id("entry").filter(has_text="Dashboard bekeken")
    expect(read).to_contain_text(f"environment:{environment}")
    expect(read).to_contain_text(manager.email)
    assert_no_axe_violations(page, "the access log")
    assert_no_sideways_scroll(page, "the access log")
    page.screenshot(path=str(Path(os.environ.get("VTC_SCREENSHOTS", tmp_path)) / "audit-360.png"), full_page=True)

    # Filter with the keyboard only: unfold the filters, type the manager's number, choose the action, send.
    filters = page.locator("summary", has_text="Filteren")
    expect(page.get_by_label(re.compile(r"^Wie "))).to_be_hidden()  # folded away on a phone until asked for
    filters.focus()
    page.keyboard.press("Enter")
    page.get_by_label(re.compile(r"^Wie ")).focus()
    page.keyboard.type(str(manager.id))
    page.get_by_label("Wat", exact=True).select_option("dashboard.read")
    page.get_by_label(re.compile(r"^Van wie ")).press("Enter")
    expect(entries.get_by_test_id("entry")).to_have_count(1)
    expect(page.get_by_label(re.compile(r"^Wie "))).to_have_value(f"user:{manager.id}")  # unfolded while in use
    expect(entries.get_by_test_id("entry")).to_contain_text(f"environment:{environment}")
    assert_no_axe_violations(page, "the filtered access log")
    assert_no_sideways_scroll(page, "the filtered access log")
