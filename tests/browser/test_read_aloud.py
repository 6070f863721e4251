"""Read-aloud in real Chromium, with the PAGE's speech engine replaced by a recorder (the app is not stubbed):
what is handed to the engine, pause/resume/Escape, the espeak-ng recording when there is no voice, focus after htmx
swaps, and a header that leaves room for the content on a phone."""

from __future__ import annotations

import re

import pytest
from browser.test_patient_journey import log_in
from playwright.sync_api import Page, expect
from sqlalchemy import update

from app import ROOT
from learning.accounts.models import Role, User
from learning.content.document import Quiz
from learning.content.loader import load_module_folder
from learning.db import db
from learning.preferences.services import TEXT_SIZES

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]  # one half only: tests/conftest.py

SLUG = "elke-dag-wegen-hartfalen"
MODULE = f"/modules/{SLUG}"
DOC = load_module_folder(ROOT / "modules_content" / SLUG)["nl"]
MAX_HEADER = 111  # 15 % of a 740 px tall phone

# Replaces window.speechSynthesis and SpeechSynthesisUtterance before any page script runs.
RECORDER = """
(() => {
  window.__spoken = []; window.__calls = [];
  const voices = window.__noVoice ? [] : window.__voices || [{name: "Test NL", lang: "nl", voiceURI: "test-nl"}];
  window.__voiceListeners = [];
  class Utterance { constructor(text) { this.text = text; } }
  const engine = {
    speaking: false, paused: false, pending: false,
    getVoices() { return voices; },
    speak(u) { window.__calls.push("speak");
               window.__spoken.push({text: u.text, lang: u.lang, voice: u.voice && u.voice.voiceURI, rate: u.rate});
               if (u.onstart) setTimeout(() => u.onstart({}), 0); },
    cancel() { window.__calls.push("cancel"); },
    pause() { window.__calls.push("pause"); },
    resume() { window.__calls.push("resume"); },
    addEventListener(type, listener) { if (type === "voiceschanged") window.__voiceListeners.push(listener); },
    removeEventListener() {},
  };
  Object.defineProperty(window, "speechSynthesis", {value: engine, configurable: true});
  Object.defineProperty(window, "SpeechSynthesisUtterance", {value: Utterance, configurable: true});
})();
"""


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "SPEECH_DIR": str(tmp_path / "speech")}


def open_step(page: Page, number: int) -> None:
    page.goto(f"{MODULE}/")
    page.get_by_role("button", name="Beginnen").click()
    page.wait_for_url(re.compile(r"/step/\d+$"))
    if number != 1:
        page.goto(f"{MODULE}/step/{number}")
    expect(page.locator("#step-title")).to_have_text(DOC.steps[number - 1].title)


def spoken(page: Page) -> str:
    return " ".join(entry["text"] for entry in page.evaluate("window.__spoken"))


def quiz_step() -> int:
    return next(s.number for s in DOC.steps if any(isinstance(i, Quiz) for i in s.items))


def test_read_aloud_hands_over_text_alt_texts_questions_choices_and_feedback_never_labels(
    page: Page, make_user, content
):
    page.add_init_script(RECORDER)
    log_in(page, make_user(Role.PATIENT).email)
    open_step(page, 1)
    page.get_by_role("button", name="Voorlezen").click()
    text = spoken(page)
    alt = page.locator("#player img[alt]").first.get_attribute("alt")
    assert alt, "step 1 has a picture with an alt text"
    assert alt in text
    assert DOC.steps[0].title in text
    assert "Voorlezen" not in text
    assert "Volgende" not in text
    assert "Pauzeren" not in text
    assert {entry["lang"] for entry in page.evaluate("window.__spoken")} == {"nl"}
    expect(page.locator(".is-reading")).to_have_count(1)  # the block being read is marked
    # ... and the sentence being read is highlighted (CSS Custom Highlight API): one range, a sentence handed over
    page.wait_for_function("CSS.highlights.has('read-aloud')")
    sentence = page.evaluate("[...CSS.highlights.get('read-aloud')][0].toString().replace(/\\s+/g, ' ').trim()")
    assert sentence
    # the page's text has soft hyphens in long words (for line breaks); what is spoken has none
    assert "\u00ad" not in text
    assert sentence.replace("\u00ad", "") in [entry["text"] for entry in page.evaluate("window.__spoken")]

    number = quiz_step()
    page.goto(f"{MODULE}/step/{number}")
    page.evaluate("window.__spoken = []")
    page.get_by_role("button", name="Voorlezen").click()
    text = spoken(page)
    quiz = next(i for i in DOC.steps[number - 1].items if isinstance(i, Quiz))
    assert quiz.question in text
    for choice in quiz.choices:
        assert choice.text in text
    assert "Antwoord controleren" not in text
    assert "Voorlezen" not in text

    # Answering: focus moves to the feedback, and a learner who uses read-aloud hears it.
    page.evaluate("window.__spoken = []")
    form = page.locator(f"#item-{quiz.id}")
    form.locator(f'input[name="choice"][value="{quiz.correct_indexes[0]}"]').check()
    form.get_by_role("button", name="Antwoord controleren").click()
    expect(form.locator(".feedback p").first).to_be_visible()
    expect(page.locator(f"#item-{quiz.id} .feedback")).to_be_focused()
    assert quiz.choices[quiz.correct_indexes[0]].feedback in spoken(page)


def test_pause_resume_and_escape_stop(page: Page, make_user, content):
    page.add_init_script(RECORDER)
    log_in(page, make_user(Role.PATIENT).email)
    open_step(page, 1)
    pause = page.get_by_role("button", name="Pauzeren")
    expect(pause).to_be_hidden()
    speak = page.get_by_role("button", name="Voorlezen")
    speak.click()
    expect(speak).to_have_attribute("aria-pressed", "true")
    pause.click()
    expect(pause).to_have_attribute("aria-pressed", "true")
    pause.click()
    expect(pause).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("Escape")
    expect(speak).to_have_attribute("aria-pressed", "false")
    expect(pause).to_be_hidden()
    calls = page.evaluate("window.__calls")
    assert calls.index("pause") < calls.index("resume") < len(calls) - 1
    assert calls[-1] == "cancel"
    expect(page.locator(".is-reading")).to_have_count(0)


def test_without_a_voice_the_page_says_so_and_plays_the_espeak_recording(page: Page, make_user, content):
    page.add_init_script("window.__noVoice = true;" + RECORDER)
    log_in(page, make_user(Role.PATIENT).email)
    open_step(page, 1)
    page.get_by_role("button", name="Voorlezen").click()
    expect(page.get_by_role("status").filter(has_text="geen stem")).to_have_text(
        "Je browser heeft geen stem voor deze taal. Luister hieronder naar de opname."
    )
    audio = page.locator("audio[data-read-aloud-audio]")
    expect(audio).to_be_visible()
    page.wait_for_function(
        "() => { const a = document.querySelector('audio[data-read-aloud-audio]'); "
        "return a.readyState >= 2 && a.duration > 5 && a.currentTime > 0; }",
        timeout=20_000,
    )
    assert page.evaluate("window.__spoken") == []


def test_focus_lands_on_the_new_steps_heading_after_next(page: Page, make_user, content):
    log_in(page, make_user(Role.PATIENT).email)
    open_step(page, 1)
    page.get_by_role("link", name="Volgende").click()
    expect(page.locator("#step-title")).to_have_text(DOC.steps[1].title)
    expect(page.locator("#step-title")).to_be_focused()


@pytest.mark.parametrize(
    ("role", "path"), [(Role.PATIENT, MODULE + "/"), (Role.PROFESSIONAL, "/"), (Role.MANAGER, "/dashboards/")]
)
def test_header_is_at_most_15_percent_of_a_phone_and_nothing_overflows_at_320(
    page: Page, make_user, content, role, path
):
    log_in(page, make_user(role).email)
    page.goto(path)
    height = page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")
    assert height <= MAX_HEADER, f"the {role} header is {height}px tall at 360x740"
    page.set_viewport_size({"width": 320, "height": 740})
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 320.5)
             .map(e => e.outerHTML.slice(0, 80))"""
    )
    assert not wide, f"{path} overflows at 320 px: {wide}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_the_header_stays_within_15_percent_in_every_language_and_text_size(
    page: Page, live_server, make_user, content
):
    """German's switches once took a third row (142 px), and the larger-text modes grew the header to 147 px in
    every language: the switches and the menu keep their normal size there (static/css/app.css)."""
    patient = make_user(Role.PATIENT)
    log_in(page, patient.email)
    for locale in ("nl", "en", "de"):
        for text_size in TEXT_SIZES:
            with live_server.app.app_context():  # as the settings page stores them
                db.session.execute(update(User).where(User.id == patient.id).values(locale=locale, text_size=text_size))
                db.session.commit()
            page.goto(MODULE + "/")
            assert page.evaluate("document.documentElement.lang") == locale
            root = page.evaluate("getComputedStyle(document.documentElement).fontSize")
            assert root == {"normal": "18px", "large": "22px", "larger": "26px"}[text_size]  # the mode is on
            height = page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")
            assert height <= MAX_HEADER, f"the {locale} header with {text_size} text is {height}px tall at 360x740"
    page.locator(".site-header .menu summary").click()  # the open menu is read: it takes the larger text
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header nav a')).fontSize") == "26px"


def test_no_step_overflows_at_320_px_and_200_percent_zoom(page: Page, make_user, content):
    """200 % zoom on a 320 px screen leaves 160 CSS px; every step, with its questions, must fit without scrolling."""
    log_in(page, make_user(Role.PATIENT).email)
    open_step(page, 1)
    page.set_viewport_size({"width": 160, "height": 370})
    for step in DOC.steps:
        page.goto(f"{MODULE}/step/{step.number}")
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 160.5)
                 .map(e => e.outerHTML.slice(0, 80))"""
        )
        assert not wide, f"step {step.number} overflows at 160 CSS px: {wide}"


VOICES = """window.__voices = [
  {name: "Anna", lang: "nl", voiceURI: "anna"}, {name: "Bram", lang: "nl-BE", voiceURI: "bram"},
  {name: "Emma", lang: "en-GB", voiceURI: "emma"}, {name: "Dieter", lang: "de_DE", voiceURI: "dieter"},
  {name: "Amélie", lang: "fr-FR", voiceURI: "amelie"}];"""


def test_voice_select_offers_dutch_english_and_german_voices_by_prefix_and_keeps_the_current(
    page: Page, make_user, content
):
    page.add_init_script(VOICES + RECORDER)
    log_in(page, make_user(Role.PATIENT).email)
    # The settings page (another change) renders this select; here it is added to a real page of the app.
    page.evaluate(
        """() => { const s = document.createElement('select'); s.setAttribute('data-voice-select', '');
                   s.dataset.current = 'bram'; s.add(new Option('Standaard', ''));
                   document.querySelector('main').append(s);
                   window.__voiceListeners.forEach(listener => listener()); }"""
    )
    select = page.locator("select[data-voice-select]")
    values = select.locator("option").evaluate_all("options => options.map(o => o.value)")
    assert values == ["", "anna", "bram", "emma", "dieter"]
    expect(select).to_have_value("bram")
    page.evaluate("window.__voiceListeners.forEach(listener => listener())")  # voices announced again: no doubles
    expect(select.locator("option")).to_have_count(5)


def test_voice_and_rate_come_from_the_html_element(page: Page, make_user, content):
    page.add_init_script(VOICES + RECORDER)
    log_in(page, make_user(Role.PATIENT).email)
    open_step(page, 1)
    page.evaluate("Object.assign(document.documentElement.dataset, {speechVoice: 'bram', speechRate: '1.2'})")
    page.get_by_role("button", name="Voorlezen").click()
    said = page.evaluate("window.__spoken")
    assert said
    assert {(entry["voice"], entry["rate"]) for entry in said} == {("bram", 1.2)}
