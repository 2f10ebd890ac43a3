"""Debian's Chromium driven by Playwright, for the tests that read pages in a real browser.

Without Chromium the tests that use ``chromium`` skip locally and fail in CI (CI=true).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    sync_playwright,
)

from tests.conftest import IN_CI

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


@dataclass
class PageLog:
    errors: list[str] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def page_error(self, error: Any) -> None:
        self.errors.append(f"page error: {error}")

    def request_failed(self, request: Request) -> None:
        # Chromium fetches the tab's icon on its own, after the page's load event, and
        # drops that fetch when the page is left: nothing a reader sees. Any other
        # failed request (a style sheet, a script, a feed) is an error.
        dropped_icon = request.resource_type == "other" and request.url.endswith("/favicon.svg")
        if dropped_icon and request.failure == "net::ERR_ABORTED":
            return
        self.errors.append(f"request failed: {request.url} ({request.failure})")


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def new_context(browser: Browser, width: int, **options: Any) -> BrowserContext:
    options.setdefault("timezone_id", "America/New_York")
    return browser.new_context(viewport={"width": width, "height": 900}, **options)


def open_page(context: BrowserContext, url: str) -> tuple[Page, PageLog]:
    page = context.new_page()
    log = PageLog()
    page.on("console", log.console)
    page.on("pageerror", log.page_error)
    page.on("requestfailed", log.request_failed)
    page.goto(url)
    return page, log
