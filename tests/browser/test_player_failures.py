"""Every failure of an answer is visible next to the question, and the learner's choice stays selected.

Real Chromium on the live server. A refused connection is the browser's own network failure (Playwright aborts the
request); the 500 is answered by the browser's router because the app has no way to fail on request.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from learning.accounts.models import Role
from tests.browser.test_patient_journey import MODULE, assert_no_axe_violations, document, log_in, start_module

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]  # one half only: tests/conftest.py

STEP = 5  # the first step with questions


def quiz_form(page: Page):
    """Open the first quiz step and return its first question's form and that question."""
    page.goto(f"{MODULE}/step/{STEP}")
    quiz = document().steps[STEP - 1].items[0]
    return page.locator(f"#item-{quiz.id}"), quiz


def forgive_htmx_network_log(browser_log) -> None:
    """htmx writes every failed send to the console itself; that one is provoked here and shown in the page."""
    expected = ("console: htmx:sendError,", "console: htmx:afterRequest,")
    browser_log.problems[:] = [p for p in browser_log.problems if not p.startswith(expected)]


def test_checking_without_a_choice_says_so_and_sends_nothing(page: Page, make_user, content):
    log_in(page, make_user(Role.PATIENT).email)
    start_module(page)
    form, quiz = quiz_form(page)
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if "/item/" in request.url else None)
    form.get_by_role("button", name="Antwoord controleren").click()
    expect(form.get_by_role("alert")).to_have_text("Kies eerst een antwoord.")
    assert sent == []
    # Choosing afterwards works as usual, and the alert goes.
    form.locator(f'input[name="choice"][value="{quiz.correct_indexes[0]}"]').check()
    form.get_by_role("button", name="Antwoord controleren").click()
    expect(page.locator(f"#item-{quiz.id} .feedback .right").first).to_contain_text("Goed")
    expect(page.locator(f"#item-{quiz.id}").get_by_role("alert")).to_have_count(0)


def test_a_server_error_is_shown_and_the_choice_stays(page: Page, browser_log, make_user, content):
    log_in(page, make_user(Role.PATIENT).email)
    start_module(page)
    form, quiz = quiz_form(page)
    path = f"{MODULE}/item/{quiz.id}"
    browser_log.expect_http_error(path, 500)
    page.route(re.compile(re.escape(path) + "$"), lambda route: route.fulfill(status=500, body="boom"))
    choice = form.locator(f'input[name="choice"][value="{quiz.correct_indexes[0]}"]')
    choice.check()
    form.get_by_role("button", name="Antwoord controleren").click()
    expect(form.get_by_role("alert")).to_contain_text("Er ging bij ons iets mis")
    expect(choice).to_be_checked()


def test_a_refused_connection_keeps_the_answer_and_says_so(page: Page, browser_log, make_user, content):
    log_in(page, make_user(Role.PATIENT).email)
    start_module(page)
    form, quiz = quiz_form(page)
    page.route(re.compile(re.escape(f"{MODULE}/item/{quiz.id}") + "$"), lambda route: route.abort("connectionrefused"))
    choice = form.locator(f'input[name="choice"][value="{quiz.correct_indexes[0]}"]')
    choice.check()
    form.get_by_role("button", name="Antwoord controleren").click()
    expect(form.get_by_role("alert")).to_contain_text("Er is geen internet")
    expect(choice).to_be_checked()
    expect(page.locator("#offline-status")).to_have_text("1 antwoord nog niet verstuurd")
    assert_no_axe_violations(page, "a step with an answer waiting and its alert")
    forgive_htmx_network_log(browser_log)
    # With the connection back, the next page load sends it and the count goes.
    page.unroute_all()
    page.reload()
    page.wait_for_selector("html[data-queue-checked]", state="attached")
    expect(page.locator("#offline-status")).to_be_hidden()


def test_an_expired_session_asks_to_log_in_and_does_not_swap_the_login_page(
    page: Page, browser_log, make_user, content
):
    log_in(page, make_user(Role.PATIENT).email)
    start_module(page)
    form, quiz = quiz_form(page)
    browser_log.expect_http_error(f"{MODULE}/item/{quiz.id}", 400)  # the form's token went with the session
    page.wait_for_load_state("networkidle")  # a late response would set the session cookie again
    page.context.clear_cookies()  # the session ended
    choice = form.locator(f'input[name="choice"][value="{quiz.correct_indexes[0]}"]')
    choice.check()
    form.get_by_role("button", name="Antwoord controleren").click()
    expect(form.get_by_role("alert")).to_contain_text("Je bent uitgelogd")
    expect(form.get_by_role("link", name="Opnieuw inloggen")).to_be_visible()
    expect(choice).to_be_checked()
    expect(page.get_by_label("Wachtwoord")).to_have_count(0)
    expect(page.locator("#offline-status")).to_have_text("1 antwoord nog niet verstuurd")


def test_an_expired_form_asks_to_reload_and_the_reload_sends_the_answer(page: Page, browser_log, make_user, content):
    log_in(page, make_user(Role.PATIENT).email)
    start_module(page)
    form, quiz = quiz_form(page)
    browser_log.expect_http_error(f"{MODULE}/item/{quiz.id}", 400)
    page.evaluate("document.body.setAttribute('hx-headers', '{\"X-CSRFToken\": \"stale\"}')")
    form.locator('input[name="csrf_token"]').evaluate("field => { field.value = 'stale'; }")
    choice = form.locator(f'input[name="choice"][value="{quiz.correct_indexes[0]}"]')
    choice.check()
    form.get_by_role("button", name="Antwoord controleren").click()
    expect(form.get_by_role("alert")).to_contain_text("Deze pagina stond te lang open")
    expect(choice).to_be_checked()
    expect(page.locator("#offline-status")).to_have_text("1 antwoord nog niet verstuurd")
    page.reload()
    page.wait_for_selector("html[data-queue-checked]", state="attached")
    expect(page.locator("#offline-status")).to_be_hidden()
    page.reload()  # the answer was sent after this page was drawn; the next one knows it
    expect(page.locator(f"#item-{quiz.id} .feedback")).to_contain_text("Je hebt deze vraag al beantwoord")


def test_answers_waiting_are_counted_in_english_too(page: Page, browser_log, make_user, content):
    user = make_user(Role.PATIENT)
    log_in(page, user.email)
    start_module(page)
    page.get_by_role("button", name="English").click()
    form, quiz = quiz_form(page)
    page.route(re.compile(re.escape(f"{MODULE}/item/") + ".*"), lambda route: route.abort("connectionrefused"))
    form.locator(f'input[name="choice"][value="{quiz.correct_indexes[0]}"]').check()
    form.get_by_role("button", name="Check answer").click()
    expect(form.get_by_role("alert")).to_contain_text("No connection")
    expect(page.locator("#offline-status")).to_have_text("1 answer not sent yet")
    forgive_htmx_network_log(browser_log)
