"""A family's own dead in a real browser (Chromium via Playwright) against the app served
over HTTP, mailing through the real SMTP sink: enter a name, confirm, open the private
page, read the private feed, delete; every page passes axe-core with no serious or
critical violation. Without Chromium these tests skip locally and fail in CI."""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import icalendar
import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, Page
from werkzeug.serving import BaseWSGIServer, make_server

from calendar_app.app import create_app
from calendar_app.data.prepare import prepare_database
from calendar_app.extensions import db
from tests.support.browser import browser, chromium, new_context, open_page
from tests.support.processes import free_port
from tests.support.smtp_sink import SmtpSink

__all__ = ["browser", "chromium"]  # fixtures, from tests/support/browser.py
pytestmark = pytest.mark.slow  # a real browser and a real HTTP server

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


@dataclass
class Site:
    app: Flask
    base: str
    sink: SmtpSink


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("remember-browser")
    sink = SmtpSink()
    sink.start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        for name in [n for n in os.environ if n.startswith("CALENDAR_APP_")]:
            patch.delenv(name)
        app = create_app(
            {
                "database": {"url": f"sqlite:///{folder / 'c.db'}"},
                "server": {"base_url": base},
                "mail": {"backend": "smtp", "host": "127.0.0.1", "port": sink.port},
            },
            instance_path=folder / "instance",
        )
    prepare_database(app)
    app.config["CLOCK"] = lambda: NOW
    http: BaseWSGIServer = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield Site(app, base, sink)
    http.shutdown()
    http.server_close()
    thread.join(timeout=10)
    sink.stop()
    with app.app_context():
        db.engine.dispose()


def serious_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def link_in(site: Site, kind: str) -> str:
    text = site.sink.messages[-1].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    match = re.search(rf"{re.escape(site.base)}/remember/{kind}/[A-Za-z0-9_-]+", text)
    assert match, text
    return match.group(0)


@pytest.mark.parametrize("lang", ["az", "en", "ru"])
def test_the_form_with_errors_is_accessible(browser: Browser, site: Site, lang: str) -> None:
    context = new_context(browser, 375)
    try:
        page, log = open_page(context, f"{site.base}/remember?lang={lang}")
        found = serious_violations(page)
        page.click("button[value=save]")  # nothing entered: the errors show inline
        page.wait_for_selector(".form-errors")
        page.wait_for_load_state("load")  # site.js too, before leaving
        assert page.locator(".field-error").count() >= 2
        found += serious_violations(page)
        assert found == []
        assert [e for e in log.errors if "status of 400" not in e] == []
    finally:
        context.close()


def test_enter_confirm_read_the_feed_and_delete(browser: Browser, site: Site) -> None:
    context = new_context(browser, 375, timezone_id="Europe/Berlin")
    try:
        page, log = open_page(context, f"{site.base}/remember?lang=en")
        assert page.locator("#timezone").input_value() == "Europe/Berlin"  # from the browser
        page.fill("#name-0", "Aygün")
        page.fill("#died_on-0", "2026-11-25")
        page.check("input[name=counting-0][value=day-after]")
        page.check("input[name=thursdays-0]")
        page.fill("#email", "family@example.org")
        page.select_option("#lang", "en")
        page.click("button[value=save]")
        page.wait_for_selector("h1:has-text('Check your inbox')")
        page.wait_for_load_state("load")  # site.js too, before leaving

        page.goto(link_in(site, "confirm"))
        page.click("button[type=submit]")
        page.wait_for_selector("h1:has-text('Your days of remembrance are saved')")
        page.wait_for_load_state("load")  # site.js too, before leaving

        page.goto(link_in(site, "manage"))
        assert page.locator("section.person h2").first.inner_text() == "Aygün"
        assert serious_violations(page) == []
        width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert width[0] <= width[1], f"sideways scrolling on a phone: {width}"
        feed_url = page.locator("input[id^=feed-]").input_value()
        feed = page.request.get(feed_url)
        assert feed.status == 200 and feed.headers["x-robots-tag"].startswith("noindex")
        events = {
            str(e["SUMMARY"]): e["DTSTART"].dt
            for e in icalendar.Calendar.from_ical(feed.body()).walk("VEVENT")
        }
        assert events["40th day after the death of Aygün"] == dt.date(2027, 1, 4)  # day-after
        assert events["1st Thursday evening after the death of Aygün"] == dt.date(2026, 11, 26)

        page.click("button[value=delete]")
        page.wait_for_selector("text=No names are kept for this address.")
        page.wait_for_load_state("load")  # site.js too, before leaving
        assert page.request.get(feed_url).status == 410
        assert serious_violations(page) == []
        assert log.errors == []
    finally:
        context.close()


PREVIEW_HEADERS = {
    "az": ["Gün", "Vəfat günü birinci gündür",
           "Vəfatdan sonrakı gün birinci gündür (sizin seçiminiz)"],
    "en": ["Day", "The day of death is day 1", "The day after the death is day 1 (your choice)"],
    "ru": ["День", "Первый день — день смерти",
           "Первый день — следующий за днём смерти (ваш выбор)"],
}  # fmt: skip
FORTIETH = {
    "az": ["Aygünün vəfatının 40-cı günü", "3 yanvar 2027, bazar", "4 yanvar 2027, bazar ertəsi"],
    "en": ["40th day after the death of Aygün", "Sunday, 3 January 2027", "Monday, 4 January 2027"],
    "ru": ["Aygün — 40-й день со дня смерти", "воскресенье, 3 января 2027 г.",
           "понедельник, 4 января 2027 г."],
}  # fmt: skip


@pytest.mark.parametrize("lang", ["az", "en", "ru"])
def test_the_dates_show_before_any_e_mail_and_are_accessible(
    browser: Browser, site: Site, lang: str
) -> None:
    sent_before = len(site.sink.messages)
    context = new_context(browser, 375)
    try:
        page, log = open_page(context, f"{site.base}/remember?lang={lang}")
        page.fill("#name-0", "Aygün")
        page.fill("#died_on-0", "2026-11-25")
        page.check("input[name=counting-0][value=day-after]")
        page.check("input[name=thursdays-0]")
        page.click("button[value=preview]")  # no e-mail address entered
        table = page.locator("table.preview-dates")
        table.wait_for()
        page.wait_for_load_state("load")  # site.js too, before leaving
        assert table.locator("caption").inner_text() == "Aygün"
        rows = [
            [" ".join(cell.split()) for cell in row.locator("th, td").all_inner_texts()]
            for row in table.locator("tr").all()
        ]
        assert rows[0] == PREVIEW_HEADERS[lang]
        assert FORTIETH[lang] in rows
        assert len(rows[-1]) == 2  # an anniversary spans both countings
        assert page.locator("#name-0").input_value() == "Aygün"  # the form as entered
        assert serious_violations(page) == []
        width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert width[0] <= width[1], f"sideways scrolling on a phone: {width}"
        page.emulate_media(media="print")  # printed: the dates alone, without the form
        assert table.is_visible() and not page.locator("form.preferences").is_visible()
        assert log.errors == []
    finally:
        context.close()
    assert len(site.sink.messages) == sent_before  # nothing sent


def test_without_javascript_the_dates_show_and_download(browser: Browser, site: Site) -> None:
    context = new_context(browser, 1024, java_script_enabled=False, accept_downloads=True)
    try:
        page, log = open_page(context, f"{site.base}/remember?lang=en")
        page.fill("#name-0", "Aygün")
        page.fill("#died_on-0", "2026-11-25")
        page.press("#name-0", "Enter")  # the form's first button: show the dates
        page.wait_for_selector("table.preview-dates")
        with page.expect_download() as waiting:
            page.click("button[value=download]")
        download = waiting.value
        assert download.suggested_filename == "days-of-remembrance.ics"
        path = download.path()
        assert path is not None
        with open(path, "rb") as file:
            calendar = icalendar.Calendar.from_ical(file.read())
        events = {str(e["SUMMARY"]): e["DTSTART"].dt for e in calendar.walk("VEVENT")}
        assert events["40th day after the death of Aygün"] == dt.date(2027, 1, 3)  # death-day
        # a form post answered by a file is, for Chromium, a navigation it aborts
        download_post = f"request failed: {site.base}/remember (net::ERR_ABORTED)"
        assert [e for e in log.errors if e != download_post] == []
    finally:
        context.close()


def test_invite_a_relative_who_accepts_in_russian(browser: Browser, site: Site) -> None:
    owner = new_context(browser, 375, timezone_id="America/New_York")
    relative = new_context(browser, 375, timezone_id="Europe/Moscow")
    try:
        page, log = open_page(owner, f"{site.base}/remember?lang=az")
        page.fill("#name-0", "Rəşid")
        page.fill("#died_on-0", "2020-10-10")
        page.fill("#email", "owner@example.org")
        page.select_option("#lang", "az")
        page.click("button[value=save]")
        page.wait_for_selector("h1:has-text('Poçt qutunuzu yoxlayın')")
        page.wait_for_load_state("load")
        page.goto(link_in(site, "confirm"))
        page.click("button[type=submit]")
        page.wait_for_load_state("load")
        page.goto(link_in(site, "manage"))
        page.check("input[name=invite_person]")
        page.fill("#invite_email", "relative@example.net")
        page.click("button[value=invite]")
        page.wait_for_selector("#relatives-heading ~ p[role=status]")
        page.wait_for_load_state("load")
        assert "relative@example.net" in page.locator("ul.invitations").inner_text()
        assert serious_violations(page) == []
        width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert width[0] <= width[1], f"sideways scrolling on a phone: {width}"

        invitation = relative.new_page()
        invitation.goto(link_in(site, "invitation") + "?lang=ru")
        invitation.wait_for_load_state("load")
        assert "Rəşid" in invitation.locator("main").inner_text()
        assert "owner@example.org" not in invitation.content()
        assert invitation.locator("#timezone").input_value() == "Europe/Moscow"  # detected
        assert serious_violations(invitation) == []
        invitation.select_option("#lang", "ru")
        invitation.click("button[type=submit]")
        invitation.wait_for_selector("h1:has-text('Приглашение принято')")
        invitation.wait_for_load_state("load")
        invitation.goto(link_in(site, "manage"))
        assert "Rəşid" in invitation.locator("#received-heading ~ div").inner_text()
        assert serious_violations(invitation) == []
        assert log.errors == []
    finally:
        owner.close()
        relative.close()
