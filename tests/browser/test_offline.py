"""A learner who opened a module finishes it without a connection; each answer reaches the LRS exactly once.

Real Chromium with the service worker allowed, on http://localhost (a secure context, so the worker runs and the
Secure session cookie is kept). The LRS is read over its own xAPI and counted by statement id.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from learning.accounts.models import Role
from learning.content.document import Quiz
from learning.db import db
from learning.player.models import Attempt
from learning.tracking.statements import device_statement_id
from tests.browser.conftest import TIMEOUT_MS, BrowserLog, phone_tab
from tests.browser.test_patient_journey import MODULE, document, log_in, start_module, statements

pytestmark = [pytest.mark.browser, pytest.mark.postgresql_only]  # one half only: tests/conftest.py

ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
EXPERIENCED = "http://adlnet.gov/expapi/verbs/experienced"
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


def queued(page: Page) -> list[dict[str, str]]:
    """Every entry waiting on the device: its kind, id and the URL it goes to, in queue order."""
    return page.evaluate(
        """() => new Promise((resolve, reject) => {
            const open = indexedDB.open("vtc-offline", 1);
            open.onsuccess = () => {
                const all = open.result.transaction("queue").objectStore("queue").getAll();
                all.onsuccess = () => resolve(all.result.map(e => ({kind: e.kind, id: e.id, url: e.url})));
                all.onerror = () => reject(all.error);
            };
            open.onerror = () => reject(open.error);
        })"""
    )


def queued_ids(page: Page, kind: str = "answer") -> list[str]:
    return [entry["id"] for entry in queued(page) if entry["kind"] == kind]


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
    derived = {
        device_statement_id(w, s["actor"]["account"]["name"], s["context"]["registration"], s["object"]["id"])
        for w in waiting
        for s in answered
    }
    assert set(by_id) <= derived


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


def wait_for_empty_queue(page: Page) -> None:
    """The queue is sent in the background (the `online` event): wait until the device holds nothing."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while queued(page) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert queued(page) == []


def test_steps_read_offline_are_reported_once_when_back_online(
    offline_page: Page, live_server, make_user, content, lrs_auth
):
    page = offline_page
    log_in(page, make_user(Role.PATIENT).email)
    start_module(page)
    page.wait_for_selector("html[data-offline-ready]", state="attached")
    page.get_by_role("link", name="Volgende").click()  # step 2 online: the server reports it itself
    page.wait_for_url(re.compile(rf"{re.escape(MODULE)}/step/2$"))
    page.wait_for_selector("html[data-queue-checked]", state="attached")

    page.context.set_offline(True)
    page.goto(f"{MODULE}/step/3")  # a whole page from the worker's copy (the worker marks it)
    expect(page.locator("#step-title")).to_have_text(document().steps[2].title)
    page.get_by_role("link", name="Volgende").click()  # an htmx fragment from the copy (the worker's header)
    page.wait_for_url(re.compile(rf"{re.escape(MODULE)}/step/4$"))
    expect(page.locator("#step-title")).to_have_text(document().steps[3].title)
    page.reload()  # step 4 again: still one entry for it
    expect(page.locator("#step-title")).to_have_text(document().steps[3].title)
    page.get_by_role("link", name="Terug").click()  # step 3 read again offline
    page.wait_for_url(re.compile(rf"{re.escape(MODULE)}/step/3$"))
    expect(page.locator("#step-title")).to_have_text(document().steps[2].title)
    waiting = queued(page)
    assert [(e["kind"], e["url"]) for e in waiting] == [("seen", f"{MODULE}/seen/{n}") for n in (3, 4)]
    expect(page.locator("#offline-status")).to_be_hidden()  # views are not the learner's business

    page.context.set_offline(False)
    wait_for_empty_queue(page)
    sent = [s for s in statements(live_server, lrs_auth) if s["verb"]["id"] == EXPERIENCED]
    by_step = Counter(int(s["object"]["id"].rsplit("/step/", 1)[1]) for s in sent)
    assert by_step == {1: 1, 2: 1, 3: 1, 4: 1}
    offline = {int(s["object"]["id"].rsplit("/step/", 1)[1]): s for s in sent}
    device_ids = [device_statement_id(e["id"], offline[n]["actor"]["account"]["name"],
                                      offline[n]["context"]["registration"], offline[n]["object"]["id"])
                  for e, n in zip(waiting, (3, 4), strict=True)]  # fmt: skip
    assert [offline[3]["id"], offline[4]["id"]] == device_ids  # derived from the ids fixed on the device
    with live_server.app.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert attempt is not None
        assert attempt.current_step == 2  # the bookmark is where the server last saw the learner


def test_a_step_read_in_an_attempt_finished_meanwhile_is_dropped_from_the_queue(
    offline_page: Page, live_server, make_user, content, lrs_auth, browser_log: BrowserLog
):
    page = offline_page
    log_in(page, make_user(Role.PATIENT).email)
    start_module(page)
    page.wait_for_selector("html[data-offline-ready]", state="attached")
    page.context.set_offline(True)
    page.get_by_role("link", name="Volgende").click()
    page.wait_for_url(re.compile(rf"{re.escape(MODULE)}/step/2$"))
    assert [e["url"] for e in queued(page)] == [f"{MODULE}/seen/2"]
    with live_server.app.app_context():  # finished on another device while this one was offline
        attempt = db.session.scalar(select(Attempt))
        assert attempt is not None
        attempt.finished_at = datetime.now(UTC)
        db.session.commit()
    browser_log.expect_http_error(f"{MODULE}/seen/2", 409)

    page.context.set_offline(False)
    wait_for_empty_queue(page)  # refused for good (409): dropped, not tried again and again
    steps = [s["object"]["id"] for s in statements(live_server, lrs_auth) if s["verb"]["id"] == EXPERIENCED]
    assert [step.rsplit("/step/", 1)[1] for step in steps] == ["1"]
