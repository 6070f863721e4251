"""A film's parts replaced in real Chromium on a phone, keyboard only: new Dutch captions for the draft's film and a
poster picture go up on their own, each refusal is said next to its button and keeps what was chosen, and the draft
preview then plays the film with the new captions and shows the poster; axe finds nothing, nothing scrolls
sideways."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from browser.test_patient_journey import assert_no_axe_violations, assert_no_sideways_scroll, log_in
from PIL import Image
from playwright.sync_api import Page, expect

from learning.accounts.models import Role, User
from learning.authoring.models import Draft
from learning.authoring.services import create_from_published, draft_files, save_files
from learning.db import db

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]  # one half only: tests/conftest.py
SLUG = "elke-dag-wegen-hartfalen"
FIXED = "WEBVTT\n\n00:00:00.000 --> 00:00:05.000\nGa eerst naar de wc om te plassen (verbeterd).\n"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 36), (31, 58, 95)).save(out, "PNG")
    return out.getvalue()


def shot(page: Page, name: str, tmp_path: Path, near=None) -> None:
    """What is on the phone's screen, scrolled to `near` first (the dialog scrolls on its own)."""
    if near is not None:
        near.scroll_into_view_if_needed()
    page.screenshot(path=str(Path(os.environ.get("VTC_SCREENSHOTS", tmp_path)) / name))


def press(page: Page, locator) -> None:
    """A button pressed as a keyboard user does: focus it, then Enter."""
    locator.focus()
    page.keyboard.press("Enter")


def test_new_dutch_captions_and_a_poster_for_the_drafts_film_keyboard_only_on_a_phone(
    page: Page, app, make_user, content, tmp_path: Path, browser_log
):
    author = make_user(Role.AUTHOR)
    with app.app_context():
        draft_id = create_from_published(SLUG, db.session.get(User, author.id)).id
    files_url = f"/author/drafts/{draft_id}/files"
    media = f"/author/drafts/{draft_id}/media/"
    log_in(page, author.email)
    page.goto(f"/author/drafts/{draft_id}/nl")
    source = page.get_by_label("Tekst van de module in Markdown")
    source.focus()
    page.keyboard.press("Control+End")
    press(page, page.get_by_role("button", name="Video", exact=True))
    dialog = page.get_by_role("dialog", name="Een video invoegen")
    captions = dialog.get_by_role("group", name="Nieuwe ondertitels voor een film die al in de module staat")
    poster = dialog.get_by_role("group", name="Upload een plaatje voor de film")
    dutch = captions.get_by_label("Nieuwe Nederlandse ondertitels (.vtt)")
    send_captions = captions.get_by_role("button", name="Upload de ondertitels")
    dialog.get_by_label("Titel", exact=True).focus()
    page.keyboard.type("Zo weeg je jezelf elke ochtend")

    # nothing chosen: said next to the button, the file choice gets the focus, the title stays
    press(page, send_captions)
    expect(captions.get_by_role("alert")).to_have_text(
        "Kies het bestand met Nederlandse of Engelse ondertitels (.vtt), of allebei. Upload ze daarna."
    )
    expect(dutch).to_be_focused()
    expect(dutch).to_have_attribute("aria-invalid", "true")
    # not WebVTT: the server's reason, nothing stored
    browser_log.expect_http_error(files_url, 422)
    dutch.set_input_files(
        {"name": "wegen.srt", "mimeType": "text/plain", "buffer": b"1\n00:00:00,000 --> 00:00:02,000\nSRT\n"}
    )
    press(page, send_captions)
    expect(captions.get_by_role("alert")).to_have_text(
        "nl: Een bestand met ondertitels moet beginnen met de regel WEBVTT. Sla het op als WebVTT (.vtt)."
    )
    expect(dutch).to_be_focused()
    assert_no_axe_violations(page, "the video form with a refused caption file")
    assert_no_sideways_scroll(page, "the video form with a refused caption file")
    shot(page, "film-parts-refused-360.png", tmp_path, near=captions)
    # the connection is lost: the page says what to do, and the chosen file stays chosen
    dutch.set_input_files({"name": "wegen.nl.vtt", "mimeType": "text/vtt", "buffer": FIXED.encode()})
    page.route(f"**{files_url}", lambda route: route.abort())
    press(page, send_captions)
    expect(captions.get_by_role("alert")).to_have_text(
        "De ondertitels zijn niet geüpload. Controleer je verbinding en probeer het opnieuw. Wat je koos, blijft staan."
    )
    assert dutch.evaluate("input => input.files.length") == 1
    page.unroute(f"**{files_url}")
    # the keyboard reaches the button from the file choice: Dutch, English, then the button
    dutch.focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(send_captions).to_be_focused()
    page.keyboard.press("Enter")
    # the film's own wegen.nl.vtt has other text: it is kept, and the new file gets a name of its own
    expect(dialog.get_by_label("Bestand met Nederlandse ondertitels (.vtt)")).to_have_value("wegen-2.nl.vtt")
    expect(captions.get_by_role("status")).to_have_text("wegen-2.nl.vtt 1 ondertitel.")
    expect(captions.get_by_role("alert")).to_have_count(0)  # the old refusal is gone
    expect(dialog.get_by_label("Titel", exact=True)).to_have_value("Zo weeg je jezelf elke ochtend")

    # a poster: a file that is no picture is refused, then a picture is stored and named in the poster field
    picture = poster.get_by_label("Plaatje voor de film (PNG, JPEG, WebP of SVG)")
    picture.set_input_files({"name": "poster.png", "mimeType": "image/png", "buffer": b"not a picture at all"})
    press(page, poster.get_by_role("button", name="Upload het plaatje"))
    expect(poster.get_by_role("alert")).to_have_text(
        "Dit plaatje kunnen we niet gebruiken. Upload een PNG-, JPEG-, WebP- of SVG-bestand."
    )
    expect(picture).to_be_focused()
    picture.set_input_files({"name": "Poster weegschaal.png", "mimeType": "image/png", "buffer": png()})
    press(page, poster.get_by_role("button", name="Upload het plaatje"))
    expect(dialog.get_by_label("Plaatje dat je ziet voor het afspelen (mag leeg blijven)")).to_have_value(
        "poster-weegschaal.png"
    )
    dialog.get_by_label(re.compile(r"^Videobestanden \(\.webm en/of \.mp4\)")).focus()
    page.keyboard.type("wegen.webm, wegen.mp4")
    dialog.get_by_label("Bestand met Engelse ondertitels (.vtt)").focus()
    page.keyboard.type("wegen.en.vtt")
    dialog.get_by_label("Uitgeschreven tekst: alles wat de video laat zien en zegt").focus()
    page.keyboard.type("Ga eerst naar de wc om te plassen.")
    assert_no_axe_violations(page, "the video form with new captions and a poster")
    assert_no_sideways_scroll(page, "the video form with new captions and a poster")
    shot(page, "film-parts-captions-uploaded-360.png", tmp_path, near=captions)
    shot(page, "film-parts-poster-uploaded-360.png", tmp_path, near=poster)
    # English captions chosen but never sent with their button: Insert sends them first, never leaves them behind
    captions.get_by_label("Nieuwe Engelse ondertitels (.vtt)").set_input_files(
        {"name": "wegen.en.vtt", "mimeType": "text/vtt", "buffer": FIXED.replace("(verbeterd)", "(fixed)").encode()}
    )
    press(page, dialog.get_by_role("button", name="Invoegen"))
    expect(dialog).to_be_hidden()
    expect(source).to_be_focused()
    assert re.search(
        r'sources: \["wegen.webm", "wegen.mp4"\]\ncaptions: \{nl: "wegen-2.nl.vtt", en: "wegen-2.en.vtt"\}\n'
        r'poster: "poster-weegschaal.png"\n',
        source.input_value(),
    )

    # the preview plays the draft's film with the new Dutch captions and shows the poster
    video = page.locator(f'.editor-preview video[poster="{media}poster-weegschaal.png"]')
    expect(video).to_have_count(1)
    expect(video.locator(f'track[srclang="nl"][src="{media}wegen-2.nl.vtt"]')).to_have_count(1)
    video.scroll_into_view_if_needed()
    expect(video).to_be_visible()
    cue = (
        "v => { const t = [...v.textTracks].find(t => t.language === 'nl');"
        " return t && t.cues && t.cues.length ? t.cues[0].text : ''; }"
    )
    page.wait_for_function(f"v => ({cue})(v) !== ''", arg=video.element_handle())
    assert video.evaluate(cue) == "Ga eerst naar de wc om te plassen (verbeterd)."
    served = page.evaluate(
        "url => fetch(url).then(r => r.status + ' ' + r.headers.get('content-type'))", f"{media}poster-weegschaal.png"
    )
    assert served == "200 image/png"
    expect(page.get_by_role("status").filter(has_text="Automatisch opgeslagen.")).to_be_visible(timeout=10_000)
    assert_no_axe_violations(page, "the editor with the new film block previewed")
    assert_no_sideways_scroll(page, "the editor with the new film block previewed")
    shot(page, "film-parts-preview-360.png", tmp_path, near=video)
    with app.app_context():
        saved = db.session.get(Draft, draft_id)
        files = draft_files(saved)
        assert files["wegen-2.nl.vtt"].decode() == FIXED
        assert files["wegen.nl.vtt"].decode() != FIXED
        assert "poster-weegschaal.png" in files
        uploads = [e.message for e in saved.events if e.kind == "uploaded"]
        assert uploads == ["wegen-2.nl.vtt", "poster-weegschaal.png", "wegen-2.en.vtt"]
        assert saved.revision == 5  # the Dutch captions, the poster, the English captions, then the text
        # someone else saves now: the page's next upload is refused and says what to do
        save_files(saved, {"notes.svg": files["weegschaal.svg"]}, 5, db.session.get(User, author.id))

    browser_log.expect_http_error(files_url, 409)
    press(page, page.get_by_role("button", name="Video", exact=True))
    picture.set_input_files({"name": "ander.png", "mimeType": "image/png", "buffer": png() + b"x"})
    press(page, poster.get_by_role("button", name="Upload het plaatje"))
    expect(poster.get_by_role("alert")).to_contain_text("Laad de pagina opnieuw")
    expect(picture).to_be_focused()
    shot(page, "film-parts-stale-360.png", tmp_path, near=poster)
    with app.app_context():
        assert "ander.png" not in draft_files(db.session.get(Draft, draft_id))
