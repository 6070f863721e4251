"""A patient downloads all her data on a phone in real Chromium, with the keyboard alone: from the settings to the
download page, the readable summary and the JSON file; axe finds nothing and no page scrolls sideways."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from browser.test_patient_journey import assert_no_axe_violations, assert_no_sideways_scroll, log_in
from helpers import PASSWORD, csrf_token
from playwright.sync_api import Page, expect

from learning.accounts.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.postgresql_only]  # one half only: tests/conftest.py
MODULE = "/modules/elke-dag-wegen-hartfalen"


def test_a_patient_downloads_all_her_data_with_the_keyboard(page: Page, app, make_user, content, tmp_path: Path):
    patient = make_user(Role.PATIENT)
    client = app.test_client()  # she learned first: an attempt with answers and its statements
    form = {"email": patient.email, "password": PASSWORD, "csrf_token": csrf_token(client)}
    assert client.post("/login", data=form).status_code == 302
    assert client.post(f"{MODULE}/start", data={"csrf_token": csrf_token(client, f"{MODULE}/")}).status_code == 302
    shots = Path(os.environ.get("VTC_SCREENSHOTS", tmp_path))

    log_in(page, patient.email)
    page.goto("/settings")
    link = page.get_by_role("link", name="Al mijn gegevens downloaden")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Al mijn gegevens downloaden")
    assert_no_axe_violations(page, "the download page")
    assert_no_sideways_scroll(page, "the download page")
    page.screenshot(path=str(shots / "personal-data-360.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("JSON-bestand")).focus()
        page.keyboard.press("Enter")
    data = json.loads(Path(download.value.path()).read_text())
    assert data["account"]["email"] == patient.email
    assert data["xapi"]["statements"]

    page.get_by_role("link", name="Mijn gegevens lezen op een pagina").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn gegevens")
    expect(page.get_by_role("heading", name="Je leergegevens")).to_be_visible()
    expect(page.get_by_text(patient.email)).to_be_visible()
    assert_no_axe_violations(page, "the summary of my data")
    assert_no_sideways_scroll(page, "the summary of my data")
    page.screenshot(path=str(shots / "personal-data-summary-360.png"), full_page=True)
