"""Every question type answered with the keyboard alone on a phone, in real Chromium: the feedback teaches, focus
lands on it, axe finds nothing, and nothing overflows at 320 px or at 200 % zoom (160 CSS px)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from learning.accounts.models import Role
from learning.content.document import FillIn, Item, Matching, Sequencing, TrueFalse
from learning.content.judging import mixed_order
from tests.browser.test_patient_journey import assert_no_axe_violations, log_in
from tests.browser.test_read_aloud import RECORDER
from tests.learning.player.test_item_types import find

pytestmark = [pytest.mark.browser, pytest.mark.postgresql_only]  # one half only: tests/conftest.py


def open_item(page: Page, kind: type) -> tuple[Item, str]:
    slug, number, item = find(kind)
    page.goto(f"/modules/{slug}/")
    page.get_by_role("button", name="Beginnen").click()
    page.wait_for_url(f"**/modules/{slug}/step/1")
    page.goto(f"/modules/{slug}/step/{number}")
    return item, slug


def pick_with_arrows(page: Page, presses: int) -> None:
    """Choose an option of the focused select without opening it: each ArrowDown moves one option down."""
    for _ in range(presses):
        page.keyboard.press("ArrowDown")


def answer_right_with_the_keyboard(page: Page, item: Item) -> None:
    form = page.locator(f"#item-{item.id}")
    form.locator("fieldset input, fieldset select").first.focus()  # where a Tab from the text above the question lands
    if isinstance(item, TrueFalse):
        if not item.answer:
            page.keyboard.press("ArrowDown")  # radio group: the arrow moves to "Klopt niet" and ticks it
        page.keyboard.press("Space")
    elif isinstance(item, Sequencing | Matching):
        size = len(item.steps) if isinstance(item, Sequencing) else len(item.pairs)
        mixed = mixed_order(item.id, size)
        for place in range(size):
            if place:
                page.keyboard.press("Tab")
            pick_with_arrows(page, mixed.index(place) + 1)  # +1: the first option is "Kies …"
    else:
        assert isinstance(item, FillIn)
        page.keyboard.type(item.accepted[0])
    page.keyboard.press("Tab")
    expect(form.get_by_role("button", name="Antwoord controleren")).to_be_focused()
    page.keyboard.press("Enter")


@pytest.mark.parametrize("kind", [TrueFalse, Sequencing, Matching, FillIn])
def test_each_type_can_be_answered_with_the_keyboard_alone(page: Page, make_user, content, kind):
    role = Role.PROFESSIONAL if kind is FillIn else Role.PATIENT
    log_in(page, make_user(role).email)
    item, _slug = open_item(page, kind)
    answer_right_with_the_keyboard(page, item)
    feedback = page.locator(f"#item-{item.id} .feedback")
    expect(feedback.locator(".right")).to_contain_text("Goed.")
    expect(feedback).to_contain_text(item.feedback.right)  # type: ignore[union-attr]
    expect(feedback).to_be_focused()
    assert_no_axe_violations(page, f"a {kind.__name__} question with its feedback")


@pytest.mark.parametrize("kind", [Sequencing, Matching])
def test_a_select_question_fits_320_px_and_200_percent_zoom(page: Page, make_user, content, kind):
    log_in(page, make_user(Role.PATIENT).email)
    item, _slug = open_item(page, kind)
    for width in (320, 160):
        page.set_viewport_size({"width": width, "height": 740})
        wide = page.evaluate(
            """width => [...document.querySelectorAll('body *')]
                 .filter(e => e.getBoundingClientRect().right > width + 0.5).map(e => e.outerHTML.slice(0, 80))""",
            width,
        )
        assert not wide, f"the {kind.__name__} question overflows at {width} CSS px: {wide}"
    selects = page.locator(f"#item-{item.id} select")
    heights = selects.evaluate_all("all => all.map(s => s.getBoundingClientRect().height)")
    assert heights
    assert min(heights) >= 43.5, f"selects are a finger's size: {heights}"

    # A closed select cannot wrap: a chosen text that is cut off is shown whole under it, and only then.
    first = page.locator(f"#item-{item.id} .pick").first
    longest = max(first.locator("option").all_text_contents(), key=len)
    first.locator("select").select_option(label=longest)
    expect(first.locator(".chosen")).to_be_visible()
    expect(first.locator(".chosen")).to_have_text(longest)
    page.set_viewport_size({"width": 1000, "height": 740})
    expect(first.locator(".chosen")).to_be_hidden()  # wide enough now: no copy of what the select shows


def test_a_step_used_twice_is_named_in_the_page_and_the_choices_stay(page: Page, browser_log, make_user, content):
    log_in(page, make_user(Role.PATIENT).email)
    item, slug = open_item(page, Sequencing)
    browser_log.expect_http_error(f"/modules/{slug}/item/{item.id}", 400)  # the server's answer: shown in the page
    assert isinstance(item, Sequencing)
    form = page.locator(f"#item-{item.id}")
    selects = form.locator("select")
    chosen = ["0", "0", *[str(i) for i in range(2, len(item.steps))]]
    for index, value in enumerate(chosen):
        selects.nth(index).select_option(value)
    form.get_by_role("button", name="Antwoord controleren").click()
    alert = page.locator(f"#item-{item.id}").get_by_role("alert")
    expect(alert).to_contain_text("Gebruik elke stap één keer")
    for index, value in enumerate(chosen):
        expect(page.locator(f"#item-{item.id} select").nth(index)).to_have_value(value)
    expect(page.locator(f"#item-{item.id} .feedback")).to_be_focused()


@pytest.mark.parametrize("kind", [TrueFalse, Sequencing, Matching])
def test_read_aloud_reads_the_question_and_what_there_is_to_choose(page: Page, make_user, content, kind):
    page.add_init_script(RECORDER)
    log_in(page, make_user(Role.PATIENT).email)
    item, _slug = open_item(page, kind)
    page.get_by_role("button", name="Voorlezen").click()
    text = " ".join(entry["text"] for entry in page.evaluate("window.__spoken"))
    assert item.question in text
    if isinstance(item, TrueFalse):
        expected = ["Klopt", "Klopt niet"]
    elif isinstance(item, Sequencing):
        expected = [*item.steps, "Stap 1"]
    else:
        assert isinstance(item, Matching)
        expected = [pair.left for pair in item.pairs]
    for part in expected:
        assert part in text
    assert "Antwoord controleren" not in text
