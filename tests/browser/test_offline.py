"""A learner who opened a module finishes it without a connection; each answer reaches the LRS exactly once.

Real Chromium with the service worker allowed, on http://localhost (a secure context, so the worker runs and the
Secure session cookie is kept). The LRS is read over its own xAPI and counted by statement id.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from learning.accounts.models import Role
from learning.content.document import Quiz
from tests.browser.conftest import BrowserLog, phone_tab
from tests.browser.test_patient_journey import MODULE, document, log_in, start_module, statements

pytestmark = pytest.mark.browser

ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
HTMX_NETWORK_LOG = ("console: htmx:sendError,", "console: htmx:afterRequest,")


@pytest.fixture
def offline_page(chromium: Browser, live_server, browser_log: BrowserLog) -> Iterator[Page]:
    """Like the `page` fixture, but on localhost and with service workers allowed."""
    port = urlsplit(live_server.url).port
    context, tab = phone_tab(chromium, browser_log, base_url=f"http://localhost:{port}", service_workers="allow")
    yield tab
    context.close()
    # Offline, htmx logs each failed send itself, and Chromium each failed load; the test provoked those.
    problems = [
        p for p in browser_log.problems if not p.startswith(HTMX_NETWORK_LOG) and "ERR_INTERNET_DISCONNECTED" not in p
    ]
    assert not problems, "the browser reported errors:\n" + "\n".join(problems)


def answer_offline(page: Page, quiz: Quiz) -> None:
    form = page.locator(f"#item-{quiz.id}")
    choice = form.locator(f'input[name="choice"][value="{quiz.correct_indexes[0]}"]')
    choice.check()
    form.get_by_role("button", name="Antwoord controleren").click()
    expect(form.get_by_role("alert")).to_contain_text("Er is geen internet")
    expect(choice).to_be_checked()


def queued_ids(page: Page) -> list[str]:
    return page.evaluate(
        """() => new Promise((resolve, reject) => {
            const open = indexedDB.open("vtc-offline", 1);
            open.onsuccess = () => {
                const all = open.result.transaction("queue").objectStore("queue").getAll();
                all.onsuccess = () => resolve(all.result.map(entry => entry.id));
                all.onerror = () => reject(all.error);
            };
            open.onerror = () => reject(open.error);
        })"""
    )


def test_answers_made_offline_arrive_once_after_a_reload_and_reconnecting(
    offline_page: Page, live_server, make_user, content, lrs_auth
):
    page = offline_page
    log_in(page, make_user(Role.PATIENT).email)
    start_module(page)
    page.wait_for_selector("html[data-offline-ready]", state="attached")  # the worker kept the module's steps

    page.context.set_offline(True)
    for number in (2, 3, 4, 5):  # "Volgende" works from the worker's copy
        page.get_by_role("link", name="Volgende").click()
        page.wait_for_url(re.compile(rf"{re.escape(MODULE)}/step/{number}$"))
        expect(page.locator("#step-title")).to_have_text(document().steps[number - 1].title)
    first, second = document().steps[4].items
    assert isinstance(first, Quiz)
    assert isinstance(second, Quiz)
    answer_offline(page, first)
    expect(page.locator("#offline-status")).to_have_text("1 antwoord nog niet verstuurd")

    page.reload()  # still offline: the worker serves the page, the queue is still on the device
    expect(page.locator("#step-title")).to_have_text(document().steps[4].title)
    expect(page.locator("#offline-status")).to_have_text("1 antwoord nog niet verstuurd")
    answer_offline(page, first)  # answered again after the reload: a new answer id, only the first one counts
    answer_offline(page, second)
    expect(page.locator("#offline-status")).to_have_text("3 antwoorden nog niet verstuurd")
    waiting = queued_ids(page)
    assert len(set(waiting)) == 3

    page.context.set_offline(False)  # the `online` event sends the queue
    expect(page.locator("#offline-status")).to_be_hidden()
    assert queued_ids(page) == []

    answered = [s for s in statements(live_server, lrs_auth) if s["verb"]["id"] == ANSWERED]
    by_id = Counter(s["id"] for s in answered)
    assert all(count == 1 for count in by_id.values()), by_id
    # One statement per question (the first answer of each), each with an id fixed on the device.
    assert sorted(s["object"]["id"].rsplit("/item/", 1)[1] for s in answered) == sorted([first.id, second.id])
    assert set(by_id) <= set(waiting)


def test_a_module_finished_offline_is_sent_when_back_online(
    offline_page: Page, live_server, make_user, content, lrs_auth
):
    page = offline_page
    log_in(page, make_user(Role.PATIENT).email)
    start_module(page)
    page.wait_for_selector("html[data-offline-ready]", state="attached")
    page.goto(f"{MODULE}/step/5")  # the worker caches what it fetches online too
    page.wait_for_selector("html[data-queue-checked]", state="attached")
    page.context.set_offline(True)
    for number in (5, 6, 7):
        if number > 5:
            page.get_by_role("link", name="Volgende").click()
            page.wait_for_url(re.compile(rf"{re.escape(MODULE)}/step/{number}$"))
        for item in document().steps[number - 1].items:
            form = page.locator(f"#item-{item.id}")
            if isinstance(item, Quiz):
                answer_offline(page, item)
            else:
                form.locator('input[name="choice"][value="4"]').check()
                form.get_by_role("button", name="Antwoord opslaan").click()
                expect(form.get_by_role("alert")).to_contain_text("Er is geen internet")
    expect(page.locator("#offline-status")).to_have_text("5 antwoorden nog niet verstuurd")
    page.get_by_role("button", name="Afronden").click()
    expect(page.get_by_role("alert").filter(has_text="afgeronde module")).to_be_visible()

    page.context.set_offline(False)
    page.wait_for_url(re.compile(rf"{re.escape(MODULE)}/result/\d+$"))
    sent = statements(live_server, lrs_auth)
    answered = Counter(s["id"] for s in sent if s["verb"]["id"] == ANSWERED)
    assert len(answered) == 5
    assert set(answered.values()) == {1}
    assert [s["verb"]["id"].rsplit("/", 1)[1] for s in sent].count("completed") == 1
