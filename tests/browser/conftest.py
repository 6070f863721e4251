"""Playwright on Debian's Chromium: one browser for the run, a fresh phone-sized context for each test.

Never `playwright install` here: the wheel brings the driver, the browser is /usr/bin/chromium.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    Playwright,
    Response,
    sync_playwright,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}
TIMEOUT_MS = 5_000


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def chromium(playwright_driver: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class BrowserLog:
    """What went wrong in the browser: script errors, CSP reports, HTTP errors nobody expected."""

    problems: list[str] = field(default_factory=list)
    expected: set[tuple[str, int]] = field(default_factory=set)

    def expect_http_error(self, path: str, status: int) -> None:
        """Declare an error answer the test provokes on purpose (e.g. a form sent empty gets a 400)."""
        self.expected.add((path, status))

    def on_console(self, message: ConsoleMessage) -> None:
        # Chromium logs every 4xx/5xx as "Failed to load resource"; on_response judges those with the URL at hand.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console: {message.text}")

    def on_page_error(self, error: Error) -> None:
        self.problems.append(f"page error: {error.message}")

    def on_response(self, response: Response) -> None:
        path = urlsplit(response.url).path
        if response.status >= 400 and (path, response.status) not in self.expected:
            self.problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


def phone_tab(chromium: Browser, browser_log: BrowserLog, **options: Any) -> tuple[BrowserContext, Page]:
    """A Dutch phone (360 x 740, touch) whose console, page errors and HTTP errors go to browser_log."""
    context = chromium.new_context(
        viewport=PHONE, screen=PHONE, is_mobile=True, has_touch=True, locale="nl-NL", **options
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    tab = context.new_page()
    tab.on("console", browser_log.on_console)
    tab.on("pageerror", browser_log.on_page_error)
    tab.on("response", browser_log.on_response)
    return context, tab


@pytest.fixture
def page(chromium: Browser, live_server, browser_log: BrowserLog) -> Iterator[Page]:
    """A phone (360 x 740, touch) on the live server, Dutch browser. Any script, CSP or HTTP error fails the test."""
    context, tab = phone_tab(
        chromium, browser_log, base_url=live_server.url, device_scale_factor=2, service_workers="block"
    )
    yield tab
    context.close()
    assert not browser_log.problems, "the browser reported errors:\n" + "\n".join(browser_log.problems)
