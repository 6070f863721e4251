"""An author and a reviewer on a phone in real Chromium: the workspace, the draft editor (autosave from the
keyboard) and the review page; axe finds nothing and no page scrolls sideways at 360 px."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from browser.test_patient_journey import assert_no_axe_violations, assert_no_sideways_scroll, log_in
from playwright.sync_api import Page, expect

from learning.accounts.models import Role, User
from learning.authoring import workflow
from learning.authoring.models import Draft
from learning.authoring.services import create_from_published
from learning.db import db

pytestmark = [pytest.mark.browser, pytest.mark.postgresql_only]  # one half only: tests/conftest.py
SLUG = "elke-dag-wegen-hartfalen"


def shot(page: Page, name: str, tmp_path: Path) -> None:
    page.screenshot(path=str(Path(os.environ.get("VTC_SCREENSHOTS", tmp_path)) / name), full_page=True)


def test_author_and_reviewer_pages_on_a_phone(page: Page, app, make_user, content, tmp_path: Path):
    author, other_author, reviewer = make_user(Role.AUTHOR), make_user(Role.AUTHOR), make_user(Role.REVIEWER)
    with app.app_context():
        submitted = create_from_published(SLUG, db.session.get(User, other_author.id))
        workflow.submit(submitted, db.session.get(User, other_author.id))
        submitted_id = submitted.id

    log_in(page, author.email)
    page.locator(".site-header .menu summary").click()
    page.get_by_role("link", name="Modules schrijven").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modules schrijven")
    assert_no_axe_violations(page, "the author workspace")
    assert_no_sideways_scroll(page, "the author workspace")
    shot(page, "author-workspace-360.png", tmp_path)

    # keyboard only: start a draft of the module, type in the text, and let autosave keep it
    button = page.get_by_role(
        "button", name="Nieuw concept van Elke dag wegen bij hartfalen"
    )  # the title, not the slug
    button.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/author/drafts/\d+/nl$"))
    assert_no_axe_violations(page, "the draft editor")
    assert_no_sideways_scroll(page, "the draft editor")
    source = page.get_by_label(re.compile("Markdown"))
    source.focus()
    page.keyboard.press("Control+End")
    page.keyboard.type("\nEen extra zin.\n")
    expect(page.get_by_role("status").filter(has_text="Automatisch opgeslagen.")).to_be_visible(timeout=10_000)
    shot(page, "author-editor-360.png", tmp_path)
    draft_id = int(re.search(r"/author/drafts/(\d+)/", page.url).group(1))
    with app.app_context():
        saved = db.session.get(Draft, draft_id)
        assert saved.revision == 2
        assert any(f.path == "nl.md" and f.data.decode().endswith("Een extra zin.\n") for f in saved.files)

    # the history compares the published version with this draft, line by line
    page.get_by_role("link", name="Geschiedenis").click()
    page.get_by_label("Nieuw").select_option(f"d{draft_id}")
    page.get_by_role("button", name="Toon de verschillen").click()
    expect(page.locator(".diff-added", has_text="Een extra zin.")).to_have_count(1)
    assert_no_axe_violations(page, "the diff page")
    assert_no_sideways_scroll(page, "the diff page")
    shot(page, "author-diff-360.png", tmp_path)

    page.locator(".site-header .menu summary").click()
    page.get_by_role("button", name="Uitloggen").click()
    log_in(page, reviewer.email)
    page.goto("/review/")
    page.get_by_role("link", name="Elke dag wegen bij hartfalen").click()  # the queue names modules by title
    expect(page).to_have_url(re.compile(rf"/review/drafts/{submitted_id}/nl/1$"))
    assert_no_axe_violations(page, "the review page")
    assert_no_sideways_scroll(page, "the review page")
    comment = page.get_by_label("Jouw opmerking bij stap 1")
    comment.focus()
    page.keyboard.type("Zin 2 is te lang.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text("Opmerking opgeslagen.")
    expect(page.locator(".rationale")).to_contain_text("Zin 2 is te lang.")
    shot(page, "review-step-360.png", tmp_path)
