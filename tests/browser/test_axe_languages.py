"""axe on every learner page, in Dutch, English and German: the catalogue, a module, a step with every kind of
question answered wrong (feedback shown), the result, reading a finished module again, progress, settings, help."""

from __future__ import annotations

import random
import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

from app import ROOT
from learning.accounts.models import Role
from learning.content.document import Likert
from learning.content.judging import example_values
from learning.content.loader import load_module_folder
from tests.browser.test_patient_journey import assert_no_axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]  # one half only: tests/conftest.py

SLUG = "bloeddruk-thuis-meten"  # choice, multiple choice, true-false, sequencing, a video and likert
MODULE = f"/modules/{SLUG}"
DOCUMENT = load_module_folder(ROOT / "modules_content" / SLUG)["nl"]
BUTTONS = {"en": "English", "de": "Deutsch"}
FINISH = {"nl": "Afronden", "en": "Finish", "de": "Abschließen"}


def answer_step_over_http(page: Page, number: int, *, right: bool) -> None:
    """Answer the step's questions with the page's own cookies and CSRF token (what the forms would send)."""
    page.goto(f"{MODULE}/step/{number}")
    token = page.locator('input[name="csrf_token"]').first.input_value()
    rng = random.Random(number)
    for item in DOCUMENT.steps[number - 1].items:
        values = ["4"] if isinstance(item, Likert) else example_values(item, right, rng)
        form = {"csrf_token": token, "choice": values}
        response = page.request.post(f"{MODULE}/item/{item.id}", data=urlencode(form, doseq=True),
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        assert response.ok, response.status


@pytest.mark.parametrize("language", ["nl", "en", "de"])
def test_axe_finds_nothing_on_any_learner_page(page: Page, browser_log, make_user, content, language):
    log_in(page, make_user(Role.PATIENT).email)
    if language != "nl":
        page.get_by_role("button", name=BUTTONS[language]).click()
        expect(page.locator("html")).to_have_attribute("lang", language)
    assert_no_axe_violations(page, f"the catalogue ({language})")
    page.goto(f"{MODULE}/")
    assert_no_axe_violations(page, f"the module page ({language})")
    page.locator(f"form[action='{MODULE}/start'] button").click()
    page.wait_for_url(re.compile(r"/step/1$"))
    assert_no_axe_violations(page, f"step 1 with its pictures ({language})")

    questions = [s.number for s in DOCUMENT.steps if any(not isinstance(i, Likert) for i in s.items)]
    for number in questions:
        page.goto(f"{MODULE}/step/{number}")
        for item in DOCUMENT.steps[number - 1].items:
            if isinstance(item, Likert):
                continue
            form = page.locator(f"#item-{item.id}")
            for select in form.locator("select").all():
                select.select_option(index=1)
            radios = form.locator("input[type=radio], input[type=checkbox]")
            if radios.count():
                radios.first.check()
            browser_log.expect_http_error(f"{MODULE}/item/{item.id}", 400)  # selects all alike: "use each once"
            form.locator("button[type=submit]").click()
            expect(page.locator(f"#item-{item.id} .feedback")).not_to_be_empty()
        assert_no_axe_violations(page, f"step {number} with feedback on every question ({language})")

    for number in range(1, len(DOCUMENT.steps) + 1):
        answer_step_over_http(page, number, right=True)
    page.goto(f"{MODULE}/step/{len(DOCUMENT.steps)}")
    page.get_by_role("button", name=FINISH[language]).click()
    page.wait_for_url(re.compile(r"/result/\d+$"))
    assert_no_axe_violations(page, f"the result with every answer ({language})")
    attempt = page.url.rsplit("/", 1)[1]
    page.goto(f"{MODULE}/read-again/{attempt}/step/{questions[0]}")
    assert_no_axe_violations(page, f"a question step read again ({language})")
    for path in ("/progress", "/settings", "/help"):
        page.goto(path)
        assert_no_axe_violations(page, f"{path} ({language})")
