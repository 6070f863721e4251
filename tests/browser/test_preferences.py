"""Reading preferences in a real browser: forced colours, high contrast and the German interface stay usable.

In forced colours (Windows high contrast) backgrounds are replaced, so the progress bar and a status must survive
through borders and system colours; with high contrast on they must be black on white; axe finds nothing in German.
"""

from __future__ import annotations

import re

import pytest
from browser.test_patient_journey import MODULE, assert_no_axe_violations, expect_step, log_in
from playwright.sync_api import Page, expect

from learning.accounts.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]  # one half only: tests/conftest.py


def _style(page: Page, selector: str, prop: str) -> str:
    return str(page.eval_on_selector(selector, f"e => getComputedStyle(e).getPropertyValue('{prop}')"))


def test_forced_colours_keep_progress_bar_and_status_visible(page: Page, make_user, content):
    log_in(page, make_user(Role.PATIENT).email)
    page.emulate_media(forced_colors="active")
    page.goto("/")
    badge = ".badge"
    assert _style(page, badge, "border-top-style") == "solid"
    assert float(_style(page, badge, "border-top-width").removesuffix("px")) >= 2
    page.goto(f"{MODULE}/")
    page.get_by_role("button", name="Beginnen").click()
    expect_step(page, 1)
    assert float(_style(page, ".progress-bar", "border-top-width").removesuffix("px")) >= 2
    fill, bar = _style(page, ".progress-fill", "background-color"), _style(page, ".progress-bar", "background-color")
    assert fill != bar, "the filled part of the progress bar must differ from the empty part"
    assert float(_style(page, ".progress-fill", "width").removesuffix("px")) > 0


def test_high_contrast_setting_makes_the_progress_bar_black_on_white(page: Page, make_user, content):
    log_in(page, make_user(Role.PATIENT).email)
    page.goto("/settings")
    page.locator('input[name="contrast"][value="on"]').check()
    page.locator(".settings-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/settings$"))
    expect(page.locator("html")).to_have_class(re.compile(r"\bhigh-contrast\b"))
    page.goto(f"{MODULE}/")
    page.get_by_role("button", name="Beginnen").click()
    expect_step(page, 1)
    assert _style(page, ".progress-fill", "background-color") == "rgb(0, 0, 0)"
    assert _style(page, ".progress-bar", "background-color") == "rgb(255, 255, 255)"
    assert _style(page, ".progress-bar", "border-top-color") == "rgb(0, 0, 0)"


def test_axe_finds_no_violations_on_the_learner_pages_in_german(page: Page, make_user, content):
    log_in(page, make_user(Role.PATIENT).email)
    page.goto("/settings")
    page.locator('input[name="language"][value="de"]').check()
    page.locator(".settings-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/settings$"))
    expect(page.locator("html")).to_have_attribute("lang", "de")
    assert_no_axe_violations(page, "the settings page in German")
    page.goto("/")
    assert_no_axe_violations(page, "the catalogue in German")
    page.goto(f"{MODULE}/")
    expect(page.locator(".content-language-note")).to_contain_text("nicht in Ihrer Sprache")
    assert_no_axe_violations(page, "the module overview in German")
    page.get_by_role("button", name="Starten").click()
    expect(page.locator(".progress-text")).to_have_text(re.compile(r"^Schritt 1 von \d+$"))
    expect(page.locator("article.step")).to_have_attribute("lang", "en")
    assert_no_axe_violations(page, "step 1 in German")
    page.goto("/progress")
    assert_no_axe_violations(page, "the progress page in German")
