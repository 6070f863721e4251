"""A draft's languages side by side in real Chromium, on a phone and on a wide screen: a picture uploaded with the
keyboard is stored in the draft and shown in its preview, autosave goes on without a false conflict, a changed
question id shows in both languages' problems; axe finds nothing, nothing scrolls sideways on the phone."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from browser.test_patient_journey import assert_no_axe_violations, assert_no_sideways_scroll, log_in
from PIL import Image
from playwright.sync_api import Page, expect

from learning.accounts.models import Role, User
from learning.authoring.models import Draft
from learning.authoring.services import create_from_published, draft_files
from learning.db import db

pytestmark = [pytest.mark.browser, pytest.mark.postgresql_only]  # one half only: tests/conftest.py
SLUG = "elke-dag-wegen-hartfalen"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (31, 58, 95)).save(out, "PNG")
    return out.getvalue()


def shot(page: Page, name: str, tmp_path: Path) -> None:
    """What is on the screen (the whole page of two languages with every step is tens of thousands of pixels)."""
    page.screenshot(path=str(Path(os.environ.get("VTC_SCREENSHOTS", tmp_path)) / name))


def test_languages_side_by_side_with_an_uploaded_picture_on_a_phone_and_wide(
    page: Page, app, make_user, content, tmp_path: Path, browser_log
):
    author = make_user(Role.AUTHOR)
    with app.app_context():
        draft_id = create_from_published(SLUG, db.session.get(User, author.id)).id
    log_in(page, author.email)
    page.goto(f"/author/drafts/{draft_id}/side-by-side")
    nl, en = page.locator("#editor-nl"), page.locator("#editor-en")
    for editor in (nl, en):
        expect(editor.locator(".editor-preview").get_by_text("Geen problemen gevonden.")).to_be_visible()
    assert_no_axe_violations(page, "both languages of a draft on a phone")
    assert_no_sideways_scroll(page, "both languages of a draft on a phone")

    # keyboard only: a picture goes into the Dutch text at the cursor, and into the draft
    source = nl.get_by_label("Tekst van de module in Markdown")
    source.focus()
    page.keyboard.press("Control+End")
    nl.get_by_role("button", name="Plaatje").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Een plaatje invoegen")
    chooser = dialog.get_by_label("Upload een plaatje (PNG, JPEG, WebP of SVG)")
    browser_log.expect_http_error(f"/author/drafts/{draft_id}/files", 413)
    # the request limit, made small for this test so no 16 MB go through the browser: the real refusal path runs
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    chooser.set_input_files({"name": "enorm.png", "mimeType": "image/png", "buffer": png() + bytes(100 * 1024)})
    dialog.get_by_label("Wat laat het plaatje zien?").focus()
    page.keyboard.type("Een weegschaal op de badkamervloer")
    dialog.get_by_role("button", name="Invoegen").focus()
    page.keyboard.press("Enter")
    # over the request limit: the form says so (not "check your connection") and keeps the description
    expect(dialog.get_by_role("alert")).to_have_text(
        "Het plaatje is groter dan 10 MB. Sla het kleiner op en upload het opnieuw."
    )
    expect(chooser).to_be_focused()
    app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024
    chooser.set_input_files({"name": "Weegschaal in de badkamer.png", "mimeType": "image/png", "buffer": png()})
    dialog.get_by_role("button", name="Invoegen").focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(source).to_be_focused()
    assert (
        source.input_value().rstrip().endswith("![Een weegschaal op de badkamervloer](weegschaal-in-de-badkamer.png)")
    )
    picture = nl.locator(f'.editor-preview img[src="/author/drafts/{draft_id}/media/weegschaal-in-de-badkamer.png"]')
    expect(picture).to_have_count(1)
    picture.scroll_into_view_if_needed()  # loading="lazy": fetched once near the screen
    expect(picture).to_be_visible()
    assert picture.evaluate("img => img.naturalWidth") == 60  # the draft's own file, served to its preview
    # the upload made a new revision; the text's autosave names it, so there is no false conflict
    expect(page.get_by_role("status").filter(has_text="Automatisch opgeslagen.")).to_be_visible(timeout=10_000)
    with app.app_context():
        saved = db.session.get(Draft, draft_id)
        files = draft_files(saved)
        assert "weegschaal-in-de-badkamer.png" in files
        assert files["nl.md"].decode().rstrip().endswith("(weegschaal-in-de-badkamer.png)")
        assert saved.revision == 3  # the upload, then the text
    shot(page, "draft-side-by-side-360.png", tmp_path)

    # wide: the languages stand beside each other; a question id changed in English shows in both problem lists
    page.set_viewport_size({"width": 1280, "height": 900})
    left, right = nl.bounding_box(), en.bounding_box()
    assert left is not None
    assert right is not None
    assert right["x"] >= left["x"] + left["width"]
    assert abs(right["y"] - left["y"]) < 5
    english = en.get_by_label("Tekst van de module in Markdown")
    english.fill(english.input_value().replace("id: when-to-weigh\n", "id: when-to-weigh-en\n"))
    for editor in (nl, en):
        expect(editor.locator(".editor-problem-list")).to_contain_text(
            "De ids van de vragen zijn anders dan in de Nederlandse tekst"
        )
    assert_no_axe_violations(page, "both languages of a draft, wide, with a problem listed")
    shot(page, "draft-side-by-side-wide.png", tmp_path)
