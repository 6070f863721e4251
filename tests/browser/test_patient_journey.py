"""A patient's journey on a phone in real Chromium: register, learn, leave, resume, finish — and the xAPI it leaves.

Also: English, no sideways scrolling at 360 px, and axe-core (WCAG 2.2 AA) on every page of the journey.
"""

from __future__ import annotations

import json
import re
import urllib.request
from functools import cache

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app import ROOT
from learning.accounts.models import Role, User
from learning.content.document import ModuleDocument, Quiz
from learning.content.hyphenation import hyphenate_text
from learning.content.loader import load_module_folder
from learning.db import db

pytestmark = [pytest.mark.browser, pytest.mark.postgresql_only]  # one half only: tests/conftest.py

SLUG = "elke-dag-wegen-hartfalen"
MODULE = f"/modules/{SLUG}"
TITLE_NL = "Elke dag wegen bij hartfalen"
PATIENT_TITLES_NL = sorted(
    load_module_folder(folder)["nl"].title
    for folder in (ROOT / "modules_content").iterdir()
    if (folder / "nl.md").is_file() and "patient" in load_module_folder(folder)["nl"].audiences
)
PASSWORD = "correct-horse-battery"
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # tests/helpers.py: the key of staff accounts made in tests
PHONE_WIDTH = 360
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]}}
NO_RELOAD = "window.__vtcSameDocument"


@cache
def document(language: str = "nl") -> ModuleDocument:
    """The module as its authors wrote it: titles, items and right answers come from the source, not from here."""
    return load_module_folder(ROOT / "modules_content" / SLUG)[language]


def step_url(number: int) -> re.Pattern[str]:
    return re.compile(rf"{re.escape(MODULE)}/step/{number}$")


def expect_step(page: Page, number: int, language: str = "nl") -> None:
    doc = document(language)
    expect(page).to_have_url(step_url(number))
    expect(page.locator("#step-title")).to_have_text(doc.steps[number - 1].title)
    expect(page).to_have_title(f"{doc.steps[number - 1].title} · {doc.title} · VTC Twente")  # also after a swap
    template = "Stap {n} van {total}" if language == "nl" else "Step {n} of {total}"
    expect(page.locator(".progress-text")).to_have_text(template.format(n=number, total=len(doc.steps)))


def mark_document(page: Page) -> None:
    """Set a property on window: it survives htmx swaps and pushState, and is gone after any full page load.

    Waits for the page's load event first: htmx (a deferred script) wires links and forms on DOMContentLoaded, and a
    click before that is an ordinary navigation — correct for a person, but not the swap these tests check.
    """
    page.wait_for_load_state("load")
    page.evaluate(f"{NO_RELOAD} = true")


def assert_same_document(page: Page) -> None:
    assert page.evaluate(f"{NO_RELOAD} === true"), "a full page load happened where htmx should have swapped"


def click_next(page: Page, to_step: int) -> None:
    """Press "Volgende" and check htmx swapped #player in place and pushed the next step's URL."""
    mark_document(page)
    page.get_by_role("link", name="Volgende").click()
    page.wait_for_url(step_url(to_step))
    expect_step(page, to_step)
    assert_same_document(page)
    expect(page.locator("#step-title")).to_be_focused()  # app.js moves focus to the new step for screen readers


def answer_items_on_step(page: Page, number: int, *, fresh: bool = True) -> int:
    """Answer each question of the step right and check its feedback appears in place. Returns how many."""
    items = document().steps[number - 1].items
    for item in items:
        form = page.locator(f"#item-{item.id}")
        if fresh:
            expect(form.locator(".feedback")).to_have_text("")
        mark_document(page)
        if isinstance(item, Quiz):
            for index in item.correct_indexes:
                form.locator(f'input[name="choice"][value="{index}"]').check()
            form.get_by_role("button", name="Antwoord controleren").click()
            feedback = form.locator(".feedback p")
            expect(feedback).to_have_count(len(item.correct_indexes))
            for index, paragraph in zip(item.correct_indexes, feedback.all(), strict=True):
                expect(paragraph).to_have_class("right")
                expect(paragraph).to_contain_text("✓ Goed.")
                expect(paragraph).to_contain_text(item.choices[index].feedback)
        else:
            form.locator('input[name="choice"][value="4"]').check()  # "Eens"
            form.get_by_role("button", name="Antwoord opslaan").click()
            expect(form.locator(".feedback")).to_have_text("Bedankt voor je antwoord.")
        assert_same_document(page)
        expect(form.locator(".feedback .wrong")).to_have_count(0)
    return len(items)


def log_in(page: Page, email: str) -> None:
    """Log in through the form; staff roles then type a real code from their authenticator app (pyotp)."""
    page.goto("/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(re.compile(r"/(login/code)?$"))
    if page.url.endswith("/login/code"):
        page.get_by_label("Code van 6 cijfers, of een herstelcode").fill(pyotp.TOTP(TEST_TOTP_SECRET).now())
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_url(re.compile(r"/$"))


def start_module(page: Page) -> None:
    page.goto(f"{MODULE}/")
    page.get_by_role("button", name="Beginnen").click()
    expect_step(page, 1)


def statements(live_server, lrs_auth) -> list[dict]:
    """The LRS's statements, oldest first, read over real HTTP like any LRS client."""
    request = urllib.request.Request(f"{live_server.url}/xapi/statements?limit=500", headers=lrs_auth)  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own loopback server
        assert response.status == 200
        body = json.loads(response.read())
    assert body.get("more", "") == ""
    return list(reversed(body["statements"]))


def assert_no_axe_violations(page: Page, what: str) -> None:
    # A heading can be found before the page's style sheet applies; axe measuring an unstyled page then reports
    # every control as too small (seen in CI under load). Measure the page as a person sees it.
    page.wait_for_load_state("load")
    results = Axe().run(page, options=AXE_OPTIONS).response
    assert results["passes"], f"axe checked nothing on {what}"
    violations = results["violations"]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']]}" for v in violations
    )
    assert not violations, f"axe on {what} ({page.url}):\n{report}"
    assert_targets_at_least_44px(page, what)


TARGETS = "button, a.button, a.brand, nav a, summary, label.choice, .field input, .site-footer a"


def assert_targets_at_least_44px(page: Page, what: str) -> None:
    """The design's own rule, stricter than WCAG 2.2's 24 px: every control a finger aims at is 44 x 44 or more."""
    small = page.evaluate(
        """selector => [...document.querySelectorAll(selector)]
            .filter(e => e.getClientRects().length)
            .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect()])
            .filter(([, r]) => r.width < 44 || r.height < 43.5)
            .map(([html, r]) => `${html} is ${Math.round(r.width)}x${Math.round(r.height)}`)""",
        TARGETS,
    )
    assert not small, f"targets smaller than 44px on {what}:\n" + "\n".join(small)


def assert_no_sideways_scroll(page: Page, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{what} is {width}px wide at {PHONE_WIDTH}px: the page scrolls sideways"


def test_patient_registers_learns_leaves_resumes_finishes_and_is_tracked(
    page: Page, live_server, make_invitation, organisation_id, content, lrs_auth
):
    code = make_invitation("HARTFALEN-7Q", Role.PATIENT)
    email = "marie.jansen@example.org"

    # Register with the invitation code; that logs her in and lands on the catalogue.
    page.goto("/register")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.get_by_label("Uitnodigingscode").fill(code)
    page.get_by_label("Hoe mogen we je noemen?").fill("Marie")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label(re.compile(r"^Wachtwoord \(minstens")).fill(PASSWORD)
    page.get_by_label("Wachtwoord nog een keer").fill(PASSWORD)
    page.get_by_role("button", name="Account maken").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator(".flash")).to_contain_text("Welkom! Je account is klaar.")
    page.locator(".site-header .menu summary").click()  # the header menu is a disclosure on a phone
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    with live_server.app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None
        assert (user.role, user.organisation_id, user.locale) == (Role.PATIENT, organisation_id, "nl")
        pid = user.xapi_pid
        home = f"https://vtc.test/org/{user.organisation.pseudonym}"  # her organisation's homePage, not its name

    # The catalogue (Dutch) shows the patient module, and only modules for patients.
    expect(page.get_by_role("heading", level=1)).to_have_text("Je modules")
    cards = page.locator(".cards .card")
    expect(cards).to_have_count(len(PATIENT_TITLES_NL))
    titles = [title.replace("\u00ad", "") for title in cards.get_by_role("link").all_inner_texts()]  # soft hyphens
    assert sorted(titles) == PATIENT_TITLES_NL
    card = cards.filter(has_text=TITLE_NL)
    expect(card.locator(".badge")).to_have_text("Nieuw")

    # Module page, then Start.
    card.get_by_role("link", name=TITLE_NL).click()
    page.wait_for_url(f"{live_server.url}{MODULE}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE_NL)
    page.get_by_role("button", name="Beginnen").click()
    expect_step(page, 1)

    # "Volgende" twice (htmx swaps, URL pushed), then the browser's back button once.
    click_next(page, 2)
    click_next(page, 3)
    page.go_back()
    expect_step(page, 2)
    click_next(page, 3)
    click_next(page, 4)

    # Leave half-way: to the catalogue, where the module now shows as started.
    page.locator(".site-header .menu summary").click()  # the header menu is a disclosure on a phone
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Modules").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(card.locator(".badge")).to_have_text("▶ Begonnen")

    # Come back through the module page: it offers to continue at step 4 and does.
    card.get_by_role("link", name=TITLE_NL).click()
    resume = page.get_by_role("button", name="Verder bij stap 4")
    expect(resume).to_be_visible()
    resume.click()
    expect_step(page, 4)

    # The rest: answer every question (feedback appears at once), finish.
    total = len(document().steps)
    answered = 0
    for number in range(4, total + 1):
        answered += answer_items_on_step(page, number)
        if number < total:
            click_next(page, number + 1)
    expect(page.get_by_role("link", name="Volgende")).to_have_count(0)
    page.get_by_role("button", name="Afronden").click()
    page.wait_for_url(re.compile(rf"{re.escape(MODULE)}/result/\d+$"))
    finished = hyphenate_text(f"Je hebt “{TITLE_NL}” afgerond", "nl")  # with the soft hyphens the page has
    expect(page.get_by_role("heading", level=1)).to_have_text(finished)
    expect(page.locator(".result")).to_contain_text("je bent geslaagd")

    # "Mijn voortgang" lists the module as passed, with how many questions were right (not a percentage).
    page.locator(".site-header .menu summary").click()  # the header menu is a disclosure on a phone
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Mijn voortgang").click()
    page.wait_for_url(f"{live_server.url}/progress")
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=TITLE_NL))
    expect(row).to_have_count(1)
    expect(row.locator(".badge-done")).to_have_text("✓ Geslaagd")
    quizzes = len(document().quizzes)
    expect(row.locator(".result-line")).to_have_text(f"{quizzes} van de {quizzes} vragen in één keer goed")

    # The LRS holds this session's statements, in order, about a pseudonymous account and never the e-mail.
    found = statements(live_server, lrs_auth)
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in found]
    assert answered == sum(len(step.items) for step in document().steps) == 5
    assert verbs == [
        "launched",
        "initialized",
        *["experienced"] * 4,  # steps 1-4; going back to step 2 is not a new experience
        "abandoned",  # left without finishing: the next launch closes that session (cmi5)
        "launched",
        "initialized",
        "experienced",
        *["answered"] * 2,
        "experienced",
        *["answered"] * 2,
        "experienced",
        "answered",
        "completed",
        "passed",
        "terminated",
    ]
    experienced = [s["object"]["definition"]["name"]["nl-NL"] for s in found if s["verb"]["id"].endswith("experienced")]
    assert experienced == [step.title for step in document().steps]
    assert len({s["context"]["registration"] for s in found}) == 1
    for statement in found:
        assert statement["actor"] == {"objectType": "Agent", "account": {"homePage": home, "name": pid}}
        assert statement["context"]["language"] == "nl-NL"
    dump = json.dumps(found)
    assert email not in dump
    assert "mbox" not in dump
    assert re.search(r"[\w.+-]+@[\w-]+\.\w+", dump) is None  # no e-mail address of anyone


def test_switching_to_english_shows_the_english_module(page: Page, make_user, content):
    user = make_user(Role.PATIENT)
    log_in(page, user.email)
    expect(page.locator(".cards")).to_contain_text(TITLE_NL)

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    english = document("en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your modules")
    expect(page.locator(".cards .card").get_by_role("link", name=english.title)).to_be_visible()
    expect(page.locator(".cards")).not_to_contain_text(TITLE_NL)

    page.get_by_role("link", name=english.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(english.title)
    expect(page.locator(".module-intro")).to_contain_text(english.objectives[0])
    page.get_by_role("button", name="Start").click()
    expect_step(page, 1, "en")
    mark_document(page)
    page.get_by_role("link", name="Next").click()
    expect_step(page, 2, "en")
    assert_same_document(page)

    # Switching back on a step that htmx swapped in stays on that step, now in Dutch.
    page.get_by_role("button", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect_step(page, 2, "nl")


def test_no_sideways_scrolling_on_a_phone(page: Page, make_user, content):
    log_in(page, make_user(Role.PATIENT).email)
    assert_no_sideways_scroll(page, "the catalogue")
    start_module(page)
    for number in range(2, len(document().steps) + 1):
        click_next(page, number)
        assert_no_sideways_scroll(page, f"step {number}")
    page.goto("/progress")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn voortgang")
    assert_no_sideways_scroll(page, "the progress page")

    # Also with the "Grotere letters" switch on (stored with the account, so it holds across pages).
    page.get_by_role("button", name="Grotere letters").click()
    expect(page.locator("html")).to_have_class(re.compile(r"\blarge-text\b"))
    assert_no_sideways_scroll(page, "the progress page with larger text")
    for path in ("/", f"{MODULE}/", f"{MODULE}/step/5"):
        page.goto(path)
        expect(page.locator("html")).to_have_class(re.compile(r"\blarge-text\b"))
        assert_no_sideways_scroll(page, f"{path} with larger text")


def test_axe_finds_no_wcag_violations_along_the_journey(page: Page, browser_log, make_user, content):
    page.goto("/login")
    assert_no_axe_violations(page, "the login page")
    page.goto("/register")
    assert_no_axe_violations(page, "the register page")
    browser_log.expect_http_error("/register", 400)
    page.get_by_role("button", name="Account maken").click()  # empty form: errors beside the fields
    expect(page.locator(".field.has-error").first).to_be_visible()
    assert_no_axe_violations(page, "the register page with errors")

    log_in(page, make_user(Role.PATIENT).email)
    assert_no_axe_violations(page, "the catalogue")
    page.goto(f"{MODULE}/")
    assert_no_axe_violations(page, "the module overview")
    page.get_by_role("button", name="Beginnen").click()
    expect_step(page, 1)
    assert_no_axe_violations(page, "step 1")

    quiz_step = next(step.number for step in document().steps if any(isinstance(i, Quiz) for i in step.items))
    for number in range(2, quiz_step + 1):
        click_next(page, number)
    assert_no_axe_violations(page, f"step {quiz_step} before answering")
    first = document().steps[quiz_step - 1].items[0]
    assert isinstance(first, Quiz)
    wrong = next(i for i in range(len(first.choices)) if i not in first.correct_indexes)
    form = page.locator(f"#item-{first.id}")
    form.locator(f'input[name="choice"][value="{wrong}"]').check()
    form.get_by_role("button", name="Antwoord controleren").click()
    expect(form.locator(".feedback .wrong")).to_contain_text("✗ Niet goed.")
    assert_no_axe_violations(page, f"step {quiz_step} after a wrong answer")
    answer_items_on_step(page, quiz_step, fresh=False)  # answering again shows feedback; the first answer still counts
    assert_no_axe_violations(page, f"step {quiz_step} after answering")

    total = len(document().steps)
    for number in range(quiz_step + 1, total + 1):
        click_next(page, number)
        answer_items_on_step(page, number)
    page.get_by_role("button", name="Afronden").click()
    page.wait_for_url(re.compile(rf"{re.escape(MODULE)}/result/\d+$"))
    assert_no_axe_violations(page, "the result page")
    page.get_by_role("link", name="Bekijk mijn voortgang").click()
    page.wait_for_url(re.compile(r"/progress$"))
    assert_no_axe_violations(page, "the progress page")

    # The harness can fail: a picture without alternative text on this page is reported.
    page.evaluate("document.querySelector('main').append(document.createElement('img'))")
    found = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert [v["id"] for v in found] == ["image-alt"]
