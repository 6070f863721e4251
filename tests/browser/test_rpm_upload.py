"""The manager's RPM CSV upload on a phone in real Chromium: template link, preview, import; axe and no sideways
scrolling."""

from __future__ import annotations

from datetime import date

import pytest
from browser.test_patient_journey import assert_no_axe_violations, assert_no_sideways_scroll, log_in
from playwright.sync_api import Page, expect

from learning.accounts.models import Organisation, Role
from learning.db import db
from learning.environments.models import Condition, Environment, Phase, Programme

pytestmark = [pytest.mark.browser, pytest.mark.postgresql_only]  # one half only: tests/conftest.py


@pytest.fixture
def programme_id(app, organisation_id) -> int:
    with app.app_context():
        org = db.session.get(Organisation, organisation_id)
        assert org is not None
        env = Environment(name="Hartfalen Twente", condition=Condition.HF, phase=Phase.DESIGN, start=date(2024, 1, 1))
        programme = Programme(
            environment=env, organisation=org, name="Hartfalen thuis", condition=Condition.HF, platform_name="Luscii",
            measurement_schedule={"weight": "daily", "bp": "3/wk"}, alert_sla_minutes={"red": 60},
            start=date(2024, 6, 1), teams=[org.teams[0]],
        )  # fmt: skip
        db.session.add(programme)
        db.session.commit()
        return programme.id


def test_manager_previews_and_imports_daily_counts(page: Page, make_user, programme_id, browser_log):
    log_in(page, make_user(Role.MANAGER).email)
    page.goto("/rpm/upload")
    page.get_by_role("button", name="English").click()  # the steps below name the English labels
    page.wait_for_url("**/rpm/upload")
    assert_no_axe_violations(page, "the RPM upload page")
    assert_no_sideways_scroll(page, "the RPM upload page")
    for summary in page.locator("details.columns > summary").all():  # every kind's columns, opened on a phone
        summary.click()
    assert_no_sideways_scroll(page, "the RPM upload page with every column table open")

    page.get_by_label("What does the file hold?").select_option("daily")
    header = "programme;patient_pid;day;expected;received_weight;received_bp;manual_weight;manual_bp"
    rows = [f"{programme_id};P-{n:04d};2025-03-0{day};yes;1;0;0;0" for n in range(3) for day in (1, 2)]
    csv = "\n".join([header, *rows]).encode()
    page.get_by_label("CSV file").set_input_files({"name": "daily.csv", "mimeType": "text/csv", "buffer": csv})
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Check before importing")).to_be_visible()
    expect(page.get_by_test_id("preview")).to_contain_text("P-0002")
    assert_no_axe_violations(page, "the RPM preview")
    assert_no_sideways_scroll(page, "the RPM preview")

    page.get_by_role("button", name="Import 6 rows").click()
    expect(page.get_by_role("status")).to_contain_text("Imported: 6 new, 0 changed, 0 unchanged rows.")


def test_errors_are_announced_with_rows_and_columns(page: Page, make_user, programme_id, browser_log):
    browser_log.expect_http_error("/rpm/upload", 422)
    log_in(page, make_user(Role.MANAGER).email)
    page.goto("/rpm/upload")
    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/rpm/upload")
    csv = f"programme;patient_pid;enrolled_at;weight_kg\n{programme_id};Jan de Vries;2025-03-01;82\n".encode()
    page.get_by_label("CSV file").set_input_files({"name": "bad.csv", "mimeType": "text/csv", "buffer": csv})
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing has been imported.")
    expect(page.get_by_test_id("problems")).to_contain_text("weight_kg")
    assert_no_axe_violations(page, "the RPM preview with problems")
    assert_no_sideways_scroll(page, "the RPM preview with problems")
