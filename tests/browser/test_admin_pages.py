"""The admin pages no other browser test opens, on a 360 px phone: the organisations list, a team, a person, the
CSV import with a refused file (every problem named, nothing imported), statement forwarding and the outbox.
Each is axe-clean and does not scroll sideways; the import is used with the keyboard alone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from learning.accounts.models import Role, Team
from learning.db import db
from tests.browser.test_patient_journey import assert_no_axe_violations, assert_no_sideways_scroll, log_in

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]  # one half only: tests/conftest.py

BAD_STAFF = (
    "personnel_number;email;display_name;role;team;line_manager_email\r\n"
    "HR-1;noor@example.test;Noor de Vries;professional;Hartfalenpoli;\r\n"
    "HR-2;geen-adres;Piet;chirurg;Onbekend team;\r\n"
)


def check(page: Page, what: str) -> None:
    assert_no_axe_violations(page, what)
    assert_no_sideways_scroll(page, what)


def test_every_other_admin_page_on_a_phone(page: Page, browser_log, app, make_user, organisation_id, tmp_path):
    admin = make_user(Role.ADMIN, display_name="Ada Beheerder")
    nurse = make_user(Role.PROFESSIONAL, display_name="Noor Verpleegkundige met een heel lange achternaam")
    with app.app_context():
        team_id = db.session.scalar(db.select(Team.id).where(Team.organisation_id == organisation_id))
    log_in(page, admin.email)

    page.goto("/admin/organisations/")
    expect(page.get_by_role("link", name="Test Ziekenhuis")).to_be_visible()
    check(page, "the organisations list")

    page.goto(f"/admin/organisations/{organisation_id}/teams/{team_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hartfalenpoli")
    check(page, "a team")

    page.goto(f"/admin/organisations/{organisation_id}/people/{nurse.id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Noor Verpleegkundige")
    check(page, "a person")

    csv = tmp_path / "personeel.csv"
    csv.write_text(BAD_STAFF, encoding="utf-8")
    browser_log.expect_http_error(f"/admin/organisations/{organisation_id}/import", 400)
    page.goto(f"/admin/organisations/{organisation_id}/import")
    page.get_by_label("CSV-bestand").set_input_files(str(csv))
    page.get_by_label("CSV-bestand").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "Check the file"
    expect(page.locator(".callout-label")).to_contain_text("Er is niets geïmporteerd")
    check(page, "the import with a refused file")

    made = app.test_cli_runner().invoke(args=["lrs", "create-credential", "Ziekenhuis-LRS", "--regional"])
    assert made.exit_code == 0, made.output
    page.goto("/admin/lrs/forwarding")
    page.get_by_label("Adres van de andere LRS").fill("https://lrs.ziekenhuis-met-een-lange-naam.example.org/xapi/")
    page.get_by_label("Sleutel bij de andere LRS").fill("vtc-twente")
    page.get_by_label("Geheim bij de andere LRS").fill("een-geheim-van-de-andere-kant")
    page.get_by_label("Geheim bij de andere LRS").press("Enter")
    expect(page.locator("table.credentials tbody th")).to_contain_text("Ziekenhuis-LRS")  # a target row, stacked
    check(page, "statement forwarding with a target")

    page.goto("/admin/outbox")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check(page, "the outbox")
