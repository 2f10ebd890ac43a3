"""Languages: the catalogs are complete, and each request gets the language the reader
asked for (?lang, then the cookie, then Accept-Language, then the configured default)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import force_locale, gettext, ngettext

from calendar_app.catalogs import catalog_path, translations_for
from calendar_app.core.languages import LANGUAGES
from calendar_app.core.words import SOURCE_LANGUAGE, placeholders
from calendar_app.web.i18n import best_accepted, negotiate
from tests.conftest import build_app
from tests.support.site import client_on, parse, squash

ROOT = Path(__file__).resolve().parents[2]
PERCENT_FIELD = re.compile(r"%\((\w+)\)[sd]")
TRANSLATED = tuple(lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE)  # az, ru


def _extracted() -> set[tuple[str | None, str]]:
    """Every (context, message) the code and templates ask for, as `make translations`
    finds them: gettext and its kin, pgettext for the core's patterns, N_ for marked ones."""
    method_map = [
        ("calendar_app/**.py", "python"),
        ("templates/**.html", "jinja2"),
        ("templates/**.txt", "jinja2"),
    ]
    found = set()
    for _filename, _line, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map,
        keywords={
            "_": None,
            "gettext": None,
            "ngettext": (1, 2),
            "lazy_gettext": None,
            "pgettext": ((1, "c"), 2),
            "N_": None,
        },
    ):
        found.add((_context, message[0] if isinstance(message, tuple) else message))
    return found


def _catalog(lang: str) -> Catalog:
    with catalog_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang)


def test_babel_cfg_names_the_same_places_this_test_searches() -> None:
    config = (ROOT / "babel.cfg").read_text(encoding="utf-8")
    for section in (
        "[python: calendar_app/**.py]",
        "[jinja2: templates/**.html]",
        "[jinja2: templates/**.txt]",
    ):
        assert section in config


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated(lang: str) -> None:
    catalog = _catalog(lang)
    wanted = _extracted()
    assert len(wanted) > 80
    present = {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog if m.id}
    missing = sorted(wanted - present.keys(), key=str)
    assert not missing, f"{lang}: not in the catalog (run `make translations`): {missing}"
    untranslated = sorted(
        (
            key
            for key in wanted
            if not all(
                present[key].string
                if isinstance(present[key].string, tuple)
                else [present[key].string]
            )
        ),
        key=str,
    )
    assert not untranslated, f"{lang}: untranslated: {untranslated}"
    fuzzy = sorted((key for key in wanted if present[key].fuzzy), key=str)
    assert not fuzzy, f"{lang}: marked fuzzy (check and clear the flag): {fuzzy}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_placeholders_and_plural_forms(lang: str) -> None:
    catalog = _catalog(lang)
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check() if errors]
    assert not problems, problems
    for message in catalog:
        if message.id and not isinstance(message.id, str):
            assert len(message.string) == catalog.num_plurals, message.id
    # every translation has exactly the msgid's placeholders: %(zone)s in the interface,
    # {number:ordinal}, {name} in the core's patterns
    braced = [m for m in catalog if m.id and "python-brace-format" in m.flags]
    assert len(braced) > 30
    for message in braced:
        assert placeholders(message.string) == placeholders(message.id), (lang, message.id)
    for message in catalog:
        if message.id and "python-format" in message.flags:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            wanted = set(PERCENT_FIELD.findall(ids[0]))
            for string in strings:
                assert set(PERCENT_FIELD.findall(string)) == wanted, (lang, ids[0], string)


def test_every_language_but_the_source_has_a_catalog() -> None:
    assert TRANSLATED == ("az", "ru")
    for lang in TRANSLATED:
        assert catalog_path(lang).is_file(), lang


def test_catalogs_compile_and_translate() -> None:
    assert translations_for("ru").gettext("Sources") == "Источники"
    assert translations_for("az").ngettext("in %(num)d day", "in %(num)d days", 5) == (
        "%(num)d gün sonra"
    )
    # English is the source language: no catalog, the text as written.
    assert translations_for("en").gettext("Sources") == "Sources"


def test_translations_work_outside_a_request_for_mail(app: Flask) -> None:
    with app.app_context():
        with force_locale("ru"):
            assert gettext("Sources") == "Источники"
            assert ngettext("in %(num)d day", "in %(num)d days", 22) == "через 22 дня"
        with force_locale("az"):
            assert gettext("Sources") == "Mənbələr"


@pytest.mark.parametrize(
    ("param", "cookie", "header", "default", "expected"),
    [
        ("ru", "az", "en", "az", "ru"),
        (None, "en", "ru", "az", "en"),
        ("xx", "en", "ru", "az", "en"),  # a bad ?lang is ignored here (the view answers 400)
        (None, "xx", "ru", "az", "ru"),
        (None, None, "az-Latn-AZ,ru;q=0.8", "en", "az"),
        (None, None, "de-DE,ru-RU;q=0.8,en;q=0.5", "az", "ru"),
        (None, None, "en-US;q=0.3,ru;q=0.9", "az", "ru"),
        (None, None, "ru;q=0", "en", "en"),
        (None, None, "de, fr", "en", "en"),
        (None, None, "*", "ru", "ru"),
        (None, None, "", "az", "az"),
        (None, None, "AZ", "en", "az"),
    ],
)
def test_language_negotiation(
    param: str | None, cookie: str | None, header: str, default: str, expected: str
) -> None:
    from werkzeug.datastructures import LanguageAccept
    from werkzeug.http import parse_accept_header

    accepted = parse_accept_header(header, LanguageAccept)
    assert negotiate(param, cookie, accepted, default) == expected


def test_best_accepted_prefers_quality_then_header_order() -> None:
    assert best_accepted([("ru", 1.0), ("az", 1.0)]) == "ru"
    assert best_accepted([("ru", 0.5), ("az", 0.9)]) == "az"
    assert best_accepted([("de", 1.0)]) is None


def test_lang_parameter_is_remembered_in_a_cookie(app: Flask) -> None:
    client = client_on(app, dt.date(2027, 1, 20))
    first = client.get("/?lang=ru")
    assert first.status_code == 302 and first.headers["Location"] == "/ru/"
    cookie = first.headers["Set-Cookie"]
    assert cookie.startswith("lang=ru;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=31536000" in cookie
    again = client.get("/sources", headers={"Accept-Language": "en"})
    assert again.status_code == 302 and again.headers["Location"] == "/ru/sources"
    assert "Set-Cookie" not in again.headers
    assert {"Accept-Language", "Cookie"} <= set(again.vary)
    switched = client.get("/sources?lang=az")
    assert switched.headers["Set-Cookie"].startswith("lang=az;")
    assert switched.headers["Location"] == "/az/sources"
    page = client.get("/az/sources", headers={"Accept-Language": "en"})
    assert '<html lang="az">' in page.get_data(as_text=True)
    assert "Set-Cookie" not in page.headers  # a page a shared cache keeps sets no cookie


def test_accept_language_then_the_configured_default(tmp_path: Path) -> None:
    application = build_app(
        tmp_path, f"sqlite:///{tmp_path / 'c.db'}", site={"default_language": "en"}
    )
    from calendar_app.data.prepare import prepare_database

    prepare_database(application)
    client = application.test_client()
    by_header = client.get("/", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.8"})
    assert by_header.headers["Location"] == "/ru/"
    by_default = client.get("/", headers={"Accept-Language": "de-DE"})
    assert by_default.headers["Location"] == "/en/"
    followed = client.get("/", follow_redirects=True)
    assert '<html lang="en">' in followed.get_data(as_text=True)


@pytest.mark.parametrize(
    ("lang", "words", "absent"),
    [
        (
            "az",
            ["Abunə olun", "Qarşıdakı on iki ay", "20 yanvar 2027, çərşənbə", "Mənbələr"],
            ["Subscribe", "The next twelve months"],
        ),
        (
            "ru",
            ["Подписаться", "Ближайшие двенадцать месяцев", "среда, 20 января 2027 г."],
            ["Subscribe", "The next twelve months"],
        ),
        (
            "en",
            ["Subscribe", "The next twelve months", "Wednesday, 20 January 2027"],
            ["Abunə", "Подписаться"],
        ),
    ],
)
def test_interface_and_dates_are_in_the_pages_language(
    app: Flask, lang: str, words: list[str], absent: list[str]
) -> None:
    text = squash(client_on(app, dt.date(2027, 1, 20)).get(f"/{lang}/").get_data(as_text=True))
    for word in words:
        assert word in text, word
    for word in absent:
        assert word not in text, word


def test_day_page_dates_and_sources_languages_follow_the_page(app: Flask) -> None:
    client = client_on(app, dt.date(2027, 1, 20))
    day = parse(client.get("/ru/days/february-26").data)
    assert squash(day.by_id("february-26-siege-1992").text).startswith("февраль 1992 г.")
    assert "Ежегодно 26 февраля" in squash(day.by_id("content").text)
    sources = squash(client.get("/az/sources").get_data(as_text=True))
    assert "ingilis dilində" in sources


@pytest.mark.parametrize(
    "path", ["/feed.atom", "/subscribe", "/", "/embed", "/days/january-20", "/sources"]
)
def test_answers_chosen_by_language_say_so_to_caches(app: Flask, path: str) -> None:
    """A shared cache must not hand one reader's language to another: every answer whose
    language came from Accept-Language or the cookie (a page, or the redirect to a page
    under its language's prefix) names both in Vary, once each."""
    client = client_on(app, dt.date(2027, 1, 20))
    for headers in (
        {"Accept-Language": "ru"},
        {"Accept-Language": "en", "Accept-Encoding": "gzip"},
    ):
        response = client.get(path, headers=headers)
        assert response.status_code in (200, 302), path
        named = [token.strip().lower() for token in response.headers["Vary"].split(",")]
        assert {"accept-language", "cookie"} <= set(named), (path, named)
        assert len(named) == len(set(named)), (path, named)
