"""An author on a phone in real Chromium, keyboard only: from the workspace to a module's item analysis, where axe
finds nothing and nothing scrolls sideways at 360 px, then one key opens a question on its line in the editor."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from analysis_helpers import post_journeys, write_module
from browser.test_patient_journey import assert_no_axe_violations, assert_no_sideways_scroll, log_in
from helpers import FIXTURE_APPROVER
from playwright.sync_api import Page, expect

from learning.accounts.models import Role
from learning.content.services import load_content

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]  # one half only: tests/conftest.py


def test_analysis_page_on_a_phone_with_the_keyboard(page: Page, app, client, lrs_auth, make_user, tmp_path: Path):
    root = tmp_path / "content"
    write_module(root, "1.0.0")
    with app.app_context():
        load_content(root, FIXTURE_APPROVER)
    post_journeys(client, lrs_auth, root)
    author = make_user(Role.AUTHOR)

    log_in(page, author.email)
    page.goto("/author/")
    link = page.get_by_role("link", name="Wat cursisten deden: Oefenen met meten")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wat cursisten deden: Oefenen met meten")
    expect(page.get_by_text("3 van de 8 kozen eerst “Bel de huisarts”.").first).to_be_visible()
    assert_no_axe_violations(page, "the item analysis")
    assert_no_sideways_scroll(page, "the item analysis")
    page.screenshot(path=str(Path(os.environ.get("VTC_SCREENSHOTS", tmp_path)) / "analysis-360.png"), full_page=True)

    edit = page.get_by_role("button", name="Bewerken: vraag in stap 3").nth(2)  # the third question of step 3
    edit.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/author/drafts/\d+/nl#line-\d+$"))
    selected = (
        "() => { const t = document.querySelector('[data-editor-source]');"
        " return t ? t.value.slice(t.selectionStart, t.selectionEnd) : ''; }"
    )
    page.wait_for_function(selected)  # the editor's script selects the line once the page has loaded (CI raced it)
    line = page.evaluate(selected)
    assert line == "id: uren"  # the cursor is on the question's block, ready to edit
