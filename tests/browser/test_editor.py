"""The module editor in real Chromium at 360 px: typing updates the preview, a block goes in through the toolbar with
the keyboard alone, problems jump to their line; axe finds nothing. And author text never runs as script."""

from __future__ import annotations

import io
import re

import pytest
from browser.test_patient_journey import assert_no_axe_violations, assert_no_sideways_scroll, log_in
from PIL import Image
from playwright.sync_api import Page, expect

from app import ROOT
from learning.accounts.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]  # one half only: tests/conftest.py
SLUG = "elke-dag-wegen-hartfalen"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (31, 58, 95)).save(out, "PNG")
    return out.getvalue()


def preview(page: Page):
    return page.locator("#editor-nl-preview")


def test_an_author_types_sees_the_preview_and_inserts_a_question_with_the_keyboard(page: Page, make_user, content):
    log_in(page, make_user(Role.AUTHOR).email)
    page.goto(f"/editor/try?slug={SLUG}")
    expect(preview(page).get_by_text("Geen problemen gevonden.")).to_be_visible()
    assert_no_axe_violations(page, "the editor")
    assert_no_sideways_scroll(page, "the editor")

    # typing: the preview follows without a page load
    page.evaluate("window.__sameDocument = true")
    source = page.get_by_label("Tekst van de module in Markdown")
    source.focus()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n\n## Nieuwe stap\n\nWeeg je op een harde vloer.\n")
    expect(preview(page).get_by_role("heading", name="Nieuwe stap")).to_be_visible()

    # a picture without a description: the problem is listed, and its button puts the cursor on that line
    page.keyboard.type("\n![](ochtend.svg)\n")
    problem = preview(page).get_by_role("button", name="Regel")
    expect(problem).to_have_count(1)
    expect(page.locator("[data-editor-announce]")).to_have_text(re.compile(r"^\d+ problemen om op te lossen"))
    problem.focus()
    page.keyboard.press("Enter")
    expect(source).to_be_focused()
    selected = page.evaluate(
        "(() => { const t = document.activeElement; return t.value.slice(t.selectionStart, t.selectionEnd); })()"
    )
    assert selected == "![](ochtend.svg)"
    page.keyboard.press("End")
    page.keyboard.press("Control+Shift+Home")  # select everything before the cursor: the block goes after it
    page.keyboard.press("ArrowRight")

    # the toolbar, keyboard only: open the true-false form, leave a required field empty, then fill it in
    toolbar = page.get_by_role("group", name="Een blok invoegen bij de cursor")
    toolbar.get_by_role("button", name="Klopt of niet").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Een stelling (klopt of klopt niet) invoegen")
    expect(dialog).to_be_visible()
    assert_no_axe_violations(page, "the true-false form")
    page.keyboard.type("Je weegt je elke ochtend op dezelfde manier.")  # focus starts in the first field
    dialog.get_by_role("button", name="Invoegen").focus()
    page.keyboard.press("Enter")
    expect(dialog.get_by_role("alert")).to_have_text("Schrijf de feedback voor een goed antwoord.")
    expect(dialog.get_by_label("Feedback na een goed antwoord: waarom is het goed?")).to_be_focused()
    page.keyboard.type("Dan kun je de dagen vergelijken.")
    page.keyboard.press("Tab")
    page.keyboard.type("Weeg je elke ochtend op dezelfde manier: dan kun je vergelijken.")
    dialog.get_by_role("button", name="Invoegen").focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(source).to_be_focused()
    assert "```true-false\nid: je-weegt-je-elke-ochtend\n" in source.input_value()
    expect(preview(page).get_by_role("group", name="Je weegt je elke ochtend op dezelfde manier.")).to_be_visible()
    # a picture upload: the description is asked first, then the cleaned file's name goes into the Markdown
    toolbar.get_by_role("button", name="Plaatje").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Een plaatje invoegen")
    dialog.get_by_label("Upload een plaatje (PNG, JPEG, WebP of SVG)").set_input_files(
        {"name": "Foto van mij.PNG", "mimeType": "image/png", "buffer": png()}
    )
    dialog.get_by_role("button", name="Invoegen").focus()
    page.keyboard.press("Enter")
    expect(dialog.get_by_role("alert")).to_contain_text("Beschrijf wat het plaatje laat zien")
    expect(dialog.get_by_label("Wat laat het plaatje zien?")).to_be_focused()
    page.keyboard.type("Een weegschaal op de vloer")
    dialog.get_by_role("button", name="Invoegen").focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    assert "![Een weegschaal op de vloer](foto-van-mij.png)" in source.input_value()

    # a film with its captions: both languages' captions are asked for before anything is sent
    folder = ROOT / "modules_content" / SLUG
    toolbar.get_by_role("button", name="Video").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Een video invoegen")
    assert_no_axe_violations(page, "the video form")
    dialog.get_by_label("Titel", exact=True).focus()
    page.keyboard.type("Zo weeg je jezelf")
    dialog.get_by_label("Film (.webm of .mp4, hoogstens 15 MB)").set_input_files(str(folder / "wegen.webm"))
    dialog.get_by_label("Nederlandse ondertitels (.vtt)", exact=True).set_input_files(str(folder / "wegen.nl.vtt"))
    dialog.get_by_label("Uitgeschreven tekst: alles wat de video laat zien en zegt").fill("Ga op de weegschaal staan.")
    dialog.get_by_role("button", name="Invoegen").focus()
    page.keyboard.press("Enter")
    expect(dialog.get_by_role("alert")).to_contain_text("Kies ook de Engelse ondertitels")
    expect(dialog.get_by_label("Engelse ondertitels (.vtt)", exact=True)).to_be_focused()
    dialog.get_by_label("Engelse ondertitels (.vtt)", exact=True).set_input_files(str(folder / "wegen.en.vtt"))
    dialog.get_by_role("button", name="Invoegen").focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    assert 'sources: ["wegen.webm"]\ncaptions: {nl: "wegen.nl.vtt", en: "wegen.en.vtt"}' in source.input_value()
    assert page.evaluate("window.__sameDocument") is True
    assert_no_axe_violations(page, "the editor with a problem listed")
    assert_no_sideways_scroll(page, "the editor with a problem listed")
