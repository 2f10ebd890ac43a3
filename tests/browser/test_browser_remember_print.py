"""The manage page printed, in Chromium: for relatives who do not use calendar apps, a
clean one-page list of every name's coming days in the reader's language, with no form,
button, secret link, header or footer; axe finds nothing on it. Without Chromium these
tests skip locally and fail in CI."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from tests.browser.test_browser_remember import Site, link_in, site
from tests.support.browser import browser, chromium, new_context, open_page

__all__ = ["browser", "chromium", "site"]  # fixtures
pytestmark = pytest.mark.slow  # a real browser and a real HTTP server

# the clock of the site fixture: 1 December 2026
NAMES = [
    ("Aygün", "2026-11-25", None),  # the 7th day today, the Thursdays, the 40th day ahead
    ("Rəşid Məmmədov", "2020-10-05", "september-27"),  # a martyr of the 2020 war
    ("Tofiq", "1990-01-20", None),
]
FOURTH = ("Lalə", "2015-06-01")


def violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"])
        for v in results.response["violations"]
    ]


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def sign_up_four_names(page: Page, site: Site) -> str:
    page.goto(f"{site.base}/remember?lang=az")
    for slot, (name, died, day) in enumerate(NAMES):
        if slot:
            page.click(f"details.person:has(#name-{slot}) > summary")
        page.fill(f"#name-{slot}", name)
        page.fill(f"#died_on-{slot}", died)
        if day:
            page.select_option(f"#day_slug-{slot}", day)
    page.check("input[name=thursdays-0]")
    page.fill("#email", "print@example.org")
    page.select_option("#lang", "az")
    page.click("button[value=save]")  # the form's first button shows the dates
    page.wait_for_selector(".notice, h1")
    page.wait_for_load_state("load")
    page.goto(link_in(site, "confirm"))
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    manage = link_in(site, "manage")
    page.goto(manage)
    page.fill("#name-new", FOURTH[0])
    page.fill("#died_on-new", FOURTH[1])
    page.click("button[value=add]")
    page.wait_for_load_state("load")
    return manage


@pytest.fixture(scope="module")
def manage(browser: Browser, site: Site) -> str:
    """The manage page's link of an address with four names."""
    context = new_context(browser, 1024)
    try:
        page, log = open_page(context, f"{site.base}/remember?lang=az")
        found = sign_up_four_names(page, site)
        assert log.errors == []
        return found
    finally:
        context.close()


def test_the_manage_page_prints_one_clean_page_of_coming_days(
    browser: Browser, site: Site, manage: str
) -> None:
    context = new_context(browser, 1024)
    try:
        page, log = open_page(context, manage + "?lang=az")
        coming = page.locator("section.coming")
        assert coming.is_visible()  # on screen too, for everyone
        assert page.locator("#family-feed").is_visible()
        assert coming.locator("h3").all_inner_texts() == [
            "Tofiq", "Lalə", "Rəşid Məmmədov", "Aygün",
        ]  # fmt: skip

        page.emulate_media(media="print")
        assert coming.is_visible()
        assert page.locator("h1").is_visible()
        text = coming.inner_text()
        assert "3 yanvar 2027, bazar" in text and "Aygünün vəfatının 40-cı günü" in text
        assert "Şəhid Rəşid Məmmədovun şəhadətinin 7-ci ildönümü" in text
        assert "Günlərin hesabı: vəfat günü birinci gün sayılır." in text
        hidden = ["form", "button", "input", "#family-feed", "input[id^=feed-]", ".site-header",
                  ".site-footer", "section.family-feed", "section.person", ".lead"]  # fmt: skip
        for selector in hidden:
            shown = [i for i, e in enumerate(page.locator(selector).all()) if e.is_visible()]
            assert shown == [], f"{selector} is printed"
        assert "/remember/" not in page.locator("body").inner_text()  # no secret link printed
        assert violations(page) == []

        pdf = page.pdf(format="A4", print_background=False)
        assert pdf_pages(pdf) == 1, f"{pdf_pages(pdf)} pages for four names"
        assert log.errors == []
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_printed_list_is_in_the_readers_language(
    browser: Browser, manage: str, lang: str
) -> None:
    context = new_context(browser, 800)
    try:
        page, log = open_page(context, f"{manage}?lang={lang}")
        page.emulate_media(media="print")
        text = page.locator("section.coming").inner_text()
        if lang == "en":
            assert "Sunday, 3 January 2027" in text
            assert "40th day after the death of Aygün" in text
        else:
            assert "воскресенье, 3 января 2027\u202fг." in text
            assert "Aygün\u00a0— 40-й день со дня смерти" in text
        assert violations(page) == []
        assert pdf_pages(page.pdf(format="A4")) == 1
        assert log.errors == []
    finally:
        context.close()
