"""Public pages over HTTP: their address names the language, so a shared cache keeps them by
URL; addresses without a language (old links) redirect; gzip comes from Flask-Compress."""

from __future__ import annotations

import datetime as dt
import gzip
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import Headers

from calendar_app.core.languages import BAKU
from calendar_app.data.prepare import prepare_database
from calendar_app.web.public_pages import PAGE_MAX_AGE
from tests.conftest import build_app
from tests.support.site import client_on, parse, set_today

JAN_21 = dt.date(2027, 1, 21)
GZIP = {"Accept-Encoding": "gzip"}
PUBLIC = ["/{lang}/", "/{lang}/days/january-20", "/{lang}/sources", "/{lang}/embed?limit=3"]
# (old link, request headers, where it leads)
OLD_LINKS = [
    ("/", {"Accept-Language": "ru-RU,ru;q=0.9"}, "/ru/"),
    ("/?lang=en", {"Accept-Language": "ru"}, "/en/"),
    ("/days/january-20", {"Accept-Language": "en"}, "/en/days/january-20"),
    ("/days/january-20?lang=ru", {}, "/ru/days/january-20"),
    ("/sources", {"Accept-Language": "de, en;q=0.5"}, "/en/sources"),
    ("/sources?lang=az", {"Accept-Language": "en"}, "/az/sources"),
    ("/embed?lang=ru&limit=2", {}, "/ru/embed?limit=2"),
    ("/embed", {"Accept-Language": "en"}, "/en/embed"),
    ("/days/february-26?lang=en&utm_source=mail", {}, "/en/days/february-26?utm_source=mail"),
    ("/", {}, "/az/"),  # [site] default_language
]


def _vary(headers: Headers) -> set[str]:
    return {token.strip().lower() for token in headers.get("Vary", "").split(",") if token.strip()}


@pytest.fixture
def reader(app: Flask) -> FlaskClient:
    return client_on(app, JAN_21)


@pytest.mark.parametrize(("old", "headers", "target"), OLD_LINKS)
def test_old_links_redirect_to_the_page_in_the_readers_language(
    reader: FlaskClient, old: str, headers: dict[str, str], target: str
) -> None:
    response = reader.get(old, headers=headers)
    assert response.status_code == 302, old
    assert response.headers["Location"] == target
    assert {"cookie", "accept-language"} <= _vary(response.headers)
    assert response.headers["Cache-Control"] == "private, no-cache"  # no shared cache keeps it
    page = reader.get(target)
    assert page.status_code == 200
    lang = target.split("/")[1]
    assert f'<html lang="{lang}">' in page.get_data(as_text=True)


def test_the_cookie_chooses_before_accept_language(reader: FlaskClient) -> None:
    reader.set_cookie("lang", "ru")
    response = reader.get("/days/january-20", headers={"Accept-Language": "en"})
    assert response.headers["Location"] == "/ru/days/january-20"


def test_lang_on_a_prefixed_address_moves_to_that_prefix(reader: FlaskClient) -> None:
    response = reader.get("/en/days/january-20?lang=az")
    assert response.status_code == 302
    assert response.headers["Location"] == "/az/days/january-20"
    assert reader.get("/en/days/january-20?lang=xx").status_code == 400


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_may_be_kept_by_a_shared_cache(reader: FlaskClient, path: str) -> None:
    url = path.format(lang="en")
    plain = reader.get(url)
    assert plain.status_code == 200
    assert plain.headers["Cache-Control"] == f"public, max-age={PAGE_MAX_AGE}"
    assert plain.headers["Content-Language"] == "en"
    assert re.fullmatch(r'"[0-9a-f]{40}"', plain.headers["ETag"])
    assert "Set-Cookie" not in plain.headers
    assert not {"cookie", "accept-language"} & _vary(plain.headers)
    # the same bytes whatever the reader's cookie and browser say: one copy serves everyone
    other = client_on(reader.application, JAN_21)
    other.set_cookie("lang", "ru")
    same = other.get(url, headers={"Accept-Language": "az"})
    assert same.get_data() == plain.get_data()
    assert same.headers["ETag"] == plain.headers["ETag"]
    assert "Set-Cookie" not in same.headers


@pytest.mark.parametrize("path", PUBLIC)
def test_a_matching_if_none_match_gets_304(reader: FlaskClient, path: str) -> None:
    url = path.format(lang="ru")
    first = reader.get(url)
    again = reader.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"].startswith("public, max-age=")
    packed = reader.get(url, headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["ETag"] != first.headers["ETag"]  # another representation
    assert gzip.decompress(packed.get_data()) == first.get_data()
    revalidated = reader.get(url, headers={**GZIP, "If-None-Match": packed.headers["ETag"]})
    assert revalidated.status_code == 304
    elsewhere = reader.get(path.format(lang="az"), headers={"If-None-Match": first.headers["ETag"]})
    assert elsewhere.status_code == 200


def test_the_next_day_is_another_page_with_another_etag(app: Flask) -> None:
    reader = client_on(app, dt.date(2027, 1, 19))
    before = reader.get("/en/days/january-20")
    set_today(app, dt.date(2027, 1, 20))
    on_the_day = reader.get(
        "/en/days/january-20", headers={"If-None-Match": before.headers["ETag"]}
    )
    assert on_the_day.status_code == 200
    assert "Today" in on_the_day.get_data(as_text=True)
    assert "Today" not in before.get_data(as_text=True)


def test_no_cache_keeps_a_page_past_midnight_in_baku(app: Flask) -> None:
    moment = dt.datetime(2027, 1, 19, 23, 55, 30, tzinfo=BAKU)
    app.config["CLOCK"] = lambda: moment
    response = app.test_client().get("/en/")
    assert response.headers["Cache-Control"] == "public, max-age=270"


def test_public_pages_name_every_language_version(reader: FlaskClient) -> None:
    page = parse(reader.get("/az/days/february-26").data)
    alternates = {
        str(link.attrs["hreflang"]): link.attrs["href"]
        for link in page.find_all("link", rel="alternate")
        if link.attrs.get("hreflang")
    }
    base = "http://127.0.0.1:8000"
    assert alternates == {
        "az": f"{base}/az/days/february-26",
        "en": f"{base}/en/days/february-26",
        "ru": f"{base}/ru/days/february-26",
        "x-default": f"{base}/days/february-26",
    }


@pytest.mark.parametrize("path", ["/{lang}/", "/{lang}/days/january-20", "/{lang}/sources"])
def test_every_link_to_a_public_page_carries_its_language(reader: FlaskClient, path: str) -> None:
    for lang in ("az", "en", "ru"):
        page = parse(reader.get(path.format(lang=lang)).data)
        hrefs = [str(a.attrs.get("href", "")) for a in page.find_all("a")]
        local = [h for h in hrefs if h.startswith("/") and not h.startswith("//")]
        unprefixed = [
            h
            for h in local
            if re.match(r"/(days/|sources|embed|\?|#|$)", h) and not h.endswith(".ics")
        ]
        assert unprefixed == [], (path, lang)
        assert f"/{lang}/" in local and f"/{lang}/sources" in local
        # the forms a page links to open in the page's language
        assert any(h.startswith("/remember?lang=" + lang) for h in local)


def test_the_feed_the_atom_feed_and_the_api_link_to_prefixed_pages(reader: FlaskClient) -> None:
    feed = reader.get("/days/january-20.ics?lang=ru").get_data(as_text=True).replace("\r\n ", "")
    links = re.findall(r"http://127\.0\.0\.1:8000[^\s\\,;]*", feed)
    assert len(links) > 2  # the calendar's URL, and each event's URL and DESCRIPTION
    assert set(links) == {"http://127.0.0.1:8000/ru/days/january-20"}
    calendar = reader.get("/calendar.ics?lang=en").get_data(as_text=True)
    assert "\r\nURL:http://127.0.0.1:8000/en/\r\n" in calendar
    atom = ET.fromstring(reader.get("/feed.atom?lang=az").get_data())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    links = [link.get("href") for link in atom.iter("{http://www.w3.org/2005/Atom}link")]
    assert "http://127.0.0.1:8000/az/" in links
    entries = [e.find("a:link", ns) for e in atom.findall("a:entry", ns)]
    assert entries and all(
        e is not None
        and re.fullmatch(r"http://127\.0\.0\.1:8000/az/days/[a-z0-9-]+", str(e.get("href")))
        for e in entries
    )
    observances = reader.get("/api/v1/observances?lang=en").get_json()["observances"]
    assert all(o["url"].startswith("http://127.0.0.1:8000/en/days/") for o in observances)
    day = reader.get("/api/v1/days/january-20").get_json()
    assert day["page_urls"] == {
        lang: f"http://127.0.0.1:8000/{lang}/days/january-20" for lang in ("az", "en", "ru")
    }


def test_feeds_and_the_api_stay_where_they_were(reader: FlaskClient) -> None:
    for path in ("/calendar.ics", "/days/january-20.ics", "/feed.atom", "/api/v1/days"):
        assert reader.get(path).status_code == 200, path


def test_other_text_is_compressed_and_the_feed_not_twice(reader: FlaskClient) -> None:
    plain = reader.get("/api/v1/days")
    assert plain.status_code == 200 and len(plain.get_data()) > 1024
    packed = reader.get("/api/v1/days", headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "accept-encoding" in _vary(packed.headers) and "accept-encoding" in _vary(plain.headers)
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    feed = reader.get("/calendar.ics", headers=GZIP)
    assert gzip.decompress(feed.get_data()).startswith(b"BEGIN:VCALENDAR")
    small = reader.get("/healthz", headers=GZIP)
    assert "Content-Encoding" not in small.headers


def test_compression_can_be_left_to_a_proxy(tmp_path: Path) -> None:
    app = build_app(tmp_path, server={"compress": False}, limits={"enabled": False})
    prepare_database(app)
    client = client_on(app, JAN_21)
    for path in ("/en/", "/api/v1/days", "/en/sources"):
        response = client.get(path, headers=GZIP)
        assert response.status_code == 200 and "Content-Encoding" not in response.headers, path
    page = client.get("/en/")
    assert client.get("/en/", headers={"If-None-Match": page.headers["ETag"]}).status_code == 304
