"""Every step of every module, in each of its languages, at 160 CSS px (a 320 px phone at 200 % zoom): nothing runs
off the screen, and a word that does not fit on one line breaks only where a hyphen is drawn.

Debian's Chromium has no hyphenation dictionaries, so this measures the soft hyphens the app puts in long words,
not `hyphens: auto`. One context and one log-in for the whole walk keep it fast.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from app import ROOT
from learning.accounts.models import Role
from learning.content.loader import iter_module_folders, load_module_folder
from tests.browser.test_patient_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]  # one half only: tests/conftest.py

NARROW = {"width": 160, "height": 370}
MODULES = {folder.name: load_module_folder(folder) for folder in iter_module_folders(ROOT / "modules_content")}
LOG_IN = {"nl": ("E-mailadres", "Wachtwoord", "Inloggen")}

# For each text node of the page: every word (run of non-space characters) whose characters sit on more than one
# line must break after a soft hyphen, a hyphen, a dash, a slash or (a citation's numbers) a zero-width
# space. Then every element must end inside the screen.
MEASURE = r"""() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  const range = document.createRange();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const top = (node, i) => {  // at a line start a one-letter range also yields an empty rect at the line above
    range.setStart(node, i); range.setEnd(node, i + 1);
    const drawn = [...range.getClientRects()].filter((rect) => rect.width > 0);
    return drawn.length ? drawn[drawn.length - 1].top : null;
  };
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest("script, style, option, [hidden]") || !parent.getClientRects().length) continue;
    for (const word of node.data.matchAll(/\S+/g)) {
      range.setStart(node, word.index); range.setEnd(node, word.index + word[0].length);
      if (range.getClientRects().length < 2) continue;
      let last = null, lastTop = null;
      for (let i = 0; i < word[0].length; i++) {
        if (word[0][i] === "\u00AD") continue;
        const y = top(node, word.index + i);
        if (y === null) continue;
        const breakable = /[\u00AD\u200B\-\u2010\u2013\u2014\/]/.test(word[0].slice(last, i));
        if (lastTop !== null && y > lastTop + 1 && !breakable) {
          const plain = (text) => text.replace(/\u00AD/g, "");
          problems.push(`"${plain(word[0])}" breaks after "${plain(word[0].slice(0, i))}" without a hyphen`);
        }
        last = i; lastTop = y;
      }
    }
  }
  for (const element of document.querySelectorAll("body *")) {
    if (element.getBoundingClientRect().right > width + 0.5) {
      problems.push(`runs off the screen: ${element.outerHTML.slice(0, 100)}`);
    }
  }
  return problems;
}"""


def choose_language(page: Page, language: str) -> None:
    """Switch the interface (and with it the module text) the way a learner does, with the header's button."""
    if page.evaluate("document.documentElement.lang") != language:
        page.locator(f'button[lang="{language}"]').first.click()
        # documentElement is null for a moment while the new page's document is being built
        page.wait_for_function(f"document.documentElement?.lang === '{language}'")


def test_every_step_fits_160_css_px_and_breaks_words_only_at_a_hyphen(page: Page, make_user, content):
    log_in(page, make_user(Role.AUTHOR).email)  # authors see every module, whatever its audience
    problems: list[str] = []
    walked = 0
    for language in ("nl", "en"):
        choose_language(page, language)
        page.set_viewport_size(NARROW)
        for slug, documents in MODULES.items():
            document = documents.get(language)
            if document is None:
                continue
            page.goto(f"/modules/{slug}/")
            page.locator(f'form[action="/modules/{slug}/start"] button[type="submit"]').click()
            page.wait_for_url(re.compile(r"/step/\d+$"))
            for step in document.steps:
                page.goto(f"/modules/{slug}/step/{step.number}")
                problems += [f"{slug} {language} step {step.number}: {p}" for p in page.evaluate(MEASURE)]
                walked += 1
    assert walked >= 2 * len(MODULES) * 3  # each module in two languages, several steps each
    assert not problems, "\n".join(problems)


GERMAN_PAGES = ["/", "/progress", "/settings", "/help", "/account/password", "/modules/elke-dag-wegen-hartfalen/"]


def test_the_german_interface_fits_320_px_and_a_step_160_css_px_breaking_words_only_at_a_hyphen(
    page: Page, make_user, content
):
    """German has the longest interface words ("Einstellungen", "Lesegeschwindigkeit"); the content stays Dutch."""
    log_in(page, make_user(Role.PATIENT).email)
    choose_language(page, "de")
    page.set_viewport_size({"width": 320, "height": 740})
    problems: list[str] = []
    for path in GERMAN_PAGES:
        page.goto(path)
        problems += [f"{path} at 320 px: {p}" for p in page.evaluate(MEASURE)]
    page.locator('form[action$="/start"] button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/step/\d+$"))
    page.set_viewport_size(NARROW)
    for number in (1, 2):
        page.goto(re.sub(r"\d+$", str(number), page.url))
        problems += [f"step {number} at 160 CSS px: {p}" for p in page.evaluate(MEASURE)]
    assert not problems, "\n".join(problems)


# Gives every question of the step an answer (the first choice, the places in order, any text) and sends it.
ANSWER_ALL = """async () => {
  for (const form of document.querySelectorAll("form.item")) {
    const first = form.querySelector('input[type="radio"], input[type="checkbox"]');
    if (first) first.checked = true;
    form.querySelectorAll("select").forEach((select, index) => { select.selectedIndex = index + 1; });
    form.querySelectorAll('input[type="text"]').forEach((input) => { input.value = "weet ik niet"; });
    const body = new URLSearchParams(new FormData(form));
    const response = await fetch(form.action, {method: "POST", body: body});
    if (response.status >= 400) throw new Error(`${form.action}: ${response.status}`);
  }
}"""


def test_the_result_and_reading_again_fit_160_css_px_and_break_words_only_at_a_hyphen(page: Page, make_user, content):
    """The review rows repeat every question with its answers and explanation: the same rules hold there."""
    slug = "bloeddruk-thuis-meten"
    log_in(page, make_user(Role.PATIENT).email)
    page.goto(f"/modules/{slug}/")
    page.locator(f'form[action="/modules/{slug}/start"] button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/step/\d+$"))
    for step in MODULES[slug]["nl"].steps:
        page.goto(f"/modules/{slug}/step/{step.number}")
        page.evaluate(ANSWER_ALL)
    page.locator(f'form[action="/modules/{slug}/finish"] button').click()
    page.wait_for_url(re.compile(r"/result/\d+$"))
    page.set_viewport_size(NARROW)
    problems = [f"result: {p}" for p in page.evaluate(MEASURE)]
    assert page.locator(".review-row").count() >= 3
    reread = page.locator('a[href*="/read-again/"]').get_attribute("href")
    assert reread
    for step in MODULES[slug]["nl"].steps:
        page.goto(re.sub(r"\d+$", str(step.number), reread))
        problems += [f"reading step {step.number} again: {p}" for p in page.evaluate(MEASURE)]
    assert not problems, "\n".join(problems)


LEARNER_PAGES = ["/", "/progress", "/settings", "/help", "/account/password", "/modules/bloeddruk-thuis-meten/"]


@pytest.mark.parametrize("language", ["nl", "en", "de"])
def test_the_learner_pages_around_the_player_fit_160_css_px_breaking_words_only_at_a_hyphen(
    page: Page, make_user, content, language
):
    log_in(page, make_user(Role.PATIENT).email)
    choose_language(page, language)
    page.set_viewport_size(NARROW)
    problems: list[str] = []
    for path in LEARNER_PAGES:
        page.goto(path)
        problems += [f"{path} ({language}): {p}" for p in page.evaluate(MEASURE)]
    assert not problems, "\n".join(problems)
