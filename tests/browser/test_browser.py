"""The site in a real browser: Debian's Chromium driven by Playwright, against the app
served by a real HTTP server on 127.0.0.1.

Each page in each language at phone (375 px) and desktop (1280 px) width loads with
no console error and no sideways scrolling; the local-time script and the copy
buttons work; the pages read without JavaScript, print, and pass axe-core with no
serious or critical violation. Screenshots go to test-artifacts/ (not committed).

Without Chromium these tests skip locally and fail in CI (CI=true).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser
from werkzeug.serving import BaseWSGIServer, make_server

from calendar_app.app import create_app
from calendar_app.data.prepare import prepare_database
from calendar_app.extensions import db
from tests.support.browser import browser, chromium, new_context, open_page
from tests.support.processes import free_port
from tests.support.site import LANGS, set_today

__all__ = ["browser", "chromium"]  # fixtures, from tests/support/browser.py
pytestmark = pytest.mark.slow  # real processes and real-time waits

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WIDTHS = (375, 1280)
PAGES = {
    "home": "/",
    "day": "/days/january-20",
    "day-khojaly": "/days/february-26",
    "sources": "/sources",
    "embed": "/embed",
    "subscribe": "/subscribe",
    "remember": "/remember",
    "not-found": "/days/no-such-day",
}
TODAY = "2027-01-20"  # an observance day: the banner and the minute of silence show


@dataclass
class Server:
    app: Flask
    base: str


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("browser")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with pytest.MonkeyPatch.context() as patch:  # no developer config.toml or environment
        patch.chdir(folder)
        for name in [n for n in os.environ if n.startswith("CALENDAR_APP_")]:
            patch.delenv(name)
        app = create_app(
            {"database": {"url": f"sqlite:///{folder / 'c.db'}"}, "server": {"base_url": base}},
            instance_path=folder / "instance",
        )
    prepare_database(app)
    import datetime as dt

    set_today(app, dt.date.fromisoformat(TODAY))
    http: BaseWSGIServer = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield Server(app, base)
    http.shutdown()
    http.server_close()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_renders_cleanly(
    browser: Browser, server: Server, name: str, lang: str, width: int
) -> None:
    context = new_context(browser, width)
    try:
        page, log = open_page(context, f"{server.base}{PAGES[name]}?lang={lang}")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{lang}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.lang") == lang
        scroll = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll[0] <= scroll[1], f"sideways scrolling: {scroll[0]} > {scroll[1]} px"
        errors = log.errors
        if name == "not-found":  # the browser reports the page's own 404 status
            errors = [e for e in errors if "status of 404" not in e]
        assert errors == []
        assert page.locator("h1").first.is_visible()
    finally:
        context.close()


@pytest.mark.parametrize(
    ("zone", "lang", "expected"),
    [
        # the zone named by the browser's CLDR data in the page's language
        ("America/New_York", "en", "03:00 where you are (Eastern Time)"),
        # this Chromium has no az data: the identifier, never an English name
        ("Asia/Tokyo", "az", "sizin yerli vaxtınızla 17:00 (Asia/Tokyo)"),
        (
            "Pacific/Honolulu",
            "ru",
            "19 января, 22:00 по вашему местному времени (Гавайско-алеутское стандартное время)",
        ),
    ],
)
def test_local_time_of_the_minute_of_silence(
    browser: Browser, server: Server, zone: str, lang: str, expected: str
) -> None:
    context = new_context(browser, 1280, timezone_id=zone)
    try:
        page, log = open_page(context, f"{server.base}/?lang={lang}")
        first = page.locator("[data-local-time]").first
        assert first.is_visible()
        assert first.inner_text() == expected
        assert log.errors == []
    finally:
        context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_copy_buttons_copy_the_feed_address_and_the_widget_code(
    browser: Browser, server: Server, lang: str
) -> None:
    context = new_context(browser, 375)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.base)
    try:
        page, log = open_page(context, f"{server.base}/?lang={lang}")
        page.locator("button[data-copy='feed-url']").click()
        status = page.locator("#feed-url-status")
        expected = {"az": "Kopyalandı.", "en": "Copied.", "ru": "Скопировано."}[lang]
        status.filter(has_text=expected).wait_for()
        clipboard = page.evaluate("navigator.clipboard.readText()")
        assert clipboard == f"{server.base}/calendar.ics?lang={lang}"
        page.locator("button[data-copy='embed-snippet']").click()
        page.locator("#embed-status").filter(has_text=expected).wait_for()
        snippet = page.evaluate("navigator.clipboard.readText()")
        assert snippet.startswith(f'<iframe src="{server.base}/{lang}/embed?limit=4"')
        assert log.errors == []
    finally:
        context.close()


def test_an_old_link_opens_in_the_readers_language_and_the_switcher_keeps_the_page(
    browser: Browser, server: Server
) -> None:
    context = new_context(browser, 1280, locale="ru-RU")
    try:
        page, log = open_page(context, f"{server.base}/days/february-26")
        assert page.url == f"{server.base}/ru/days/february-26"
        assert page.evaluate("document.documentElement.lang") == "ru"
        page.locator("nav.languages a", has_text="English").click()
        page.wait_for_url(f"{server.base}/en/days/february-26")
        assert page.evaluate("document.documentElement.lang") == "en"
        page.goto(f"{server.base}/days/february-26?lang=az")  # an old link with its language
        assert page.url == f"{server.base}/az/days/february-26"
        assert log.errors == []
    finally:
        context.close()


def test_pages_read_without_javascript(browser: Browser, server: Server) -> None:
    context = new_context(browser, 375, java_script_enabled=False)
    try:
        page, _log = open_page(context, f"{server.base}/?lang=en")
        assert page.locator("li.observance").count() == 4
        assert page.locator("a", has_text="Google Calendar").is_visible()
        assert page.locator("#feed-url").input_value() == f"{server.base}/calendar.ics?lang=en"
        assert page.locator("button:visible").count() == 0, "no button that would do nothing"
        assert page.locator("[data-local-time]:visible").count() == 0
        assert "12:00 Baku time" in page.locator("li.observance").first.inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "home-en-375-nojs.png"), full_page=True)
    finally:
        context.close()


def test_print_leaves_out_navigation_and_subscription(browser: Browser, server: Server) -> None:
    context = new_context(browser, 1280)
    try:
        page, _log = open_page(context, f"{server.base}/days/january-20?lang=en")
        page.emulate_media(media="print")
        assert not page.locator("nav.languages").is_visible()
        assert not page.locator("#subscribe").is_visible()
        assert page.locator("#facts").is_visible()
        pdf_free_screenshot = ARTIFACTS / "day-en-print.png"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(pdf_free_screenshot), full_page=True)
    finally:
        context.close()


def test_dark_mode_follows_the_system(browser: Browser, server: Server) -> None:
    backgrounds = {}
    for scheme in ("light", "dark"):
        context = new_context(browser, 375, color_scheme=scheme)
        try:
            page, log = open_page(context, f"{server.base}/days/january-20?lang=az")
            backgrounds[scheme] = page.evaluate("getComputedStyle(document.body).backgroundColor")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"day-az-375-{scheme}.png"))
            assert log.errors == []
        finally:
            context.close()
    assert backgrounds == {"light": "rgb(251, 250, 248)", "dark": "rgb(19, 20, 22)"}


def _serve_school_page(html: str) -> tuple[BaseWSGIServer, str]:
    """Another site (another origin: another port) whose page embeds ours."""

    def school(environ: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [html.encode()]

    http = make_server("127.0.0.1", free_port(), school)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    return http, f"http://127.0.0.1:{http.server_port}/"


def test_only_the_widget_shows_inside_another_sites_iframe(
    browser: Browser, server: Server
) -> None:
    html = (
        f'<!doctype html><title>school</title><iframe id="w" src="{server.base}/embed?lang=en">'
        f'</iframe><iframe id="p" src="{server.base}/?lang=en"></iframe>'
    )
    school, url = _serve_school_page(html)
    context = new_context(browser, 1280)
    try:
        page = context.new_page()
        refused: list[str] = []
        page.on("console", lambda m: refused.append(m.text))
        page.goto(url)
        assert page.frame_locator("#w").locator("li.observance").count() == 4
        assert page.frame_locator("#p").locator("li.observance").count() == 0
        assert any("frame-ancestors 'none'" in text for text in refused), refused
    finally:
        context.close()
        school.shutdown()
        school.server_close()


@pytest.mark.parametrize(("scheme", "width"), [("light", 1280), ("dark", 375)])
@pytest.mark.parametrize("lang", LANGS)
def test_no_serious_accessibility_violations(
    browser: Browser, server: Server, lang: str, scheme: str, width: int
) -> None:
    axe = Axe()
    context = new_context(browser, width, color_scheme=scheme)
    try:
        page = context.new_page()
        found = []
        for path in PAGES.values():
            page.goto(f"{server.base}{path}?lang={lang}")
            results = axe.run(page)
            found += [
                f"{path}: {v['id']} ({v['impact']}): {v['help']} — "
                + "; ".join(node["target"][0] for node in v["nodes"][:3])
                for v in results.response["violations"]
                if v["impact"] in ("serious", "critical")
            ]
        assert found == []
    finally:
        context.close()


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "Europe/Berlin", "America/Santiago"])
def test_the_sign_up_form_starts_from_the_readers_time_zone(
    browser: Browser, server: Server, zone: str
) -> None:
    context = new_context(browser, 375, timezone_id=zone)
    try:
        page, log = open_page(context, f"{server.base}/subscribe?lang=en")
        assert page.locator("#timezone").input_value() == zone
        assert page.locator("input[name=days]:checked").count() == 4
        assert log.errors == []
    finally:
        context.close()


def test_the_sign_up_form_without_javascript_keeps_baku(browser: Browser, server: Server) -> None:
    context = new_context(browser, 1280, java_script_enabled=False, timezone_id="Asia/Tokyo")
    try:
        page, _ = open_page(context, f"{server.base}/subscribe?lang=en")
        assert page.locator("#timezone").input_value() == "Asia/Baku"
    finally:
        context.close()
