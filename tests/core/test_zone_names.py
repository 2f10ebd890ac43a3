"""Time zones are named in the reader's language (CLDR via Babel), never by their IANA
identifier, on the forms and in the e-mails; the forms still submit the identifier."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from calendar_app.core.collation import AZ_ALPHABET, sort_key
from calendar_app.core.words import UnknownLanguage, words_for
from calendar_app.core.zone_names import zone_choices, zone_label
from calendar_app.reminders.subscriptions import time_zone_names
from tests.support.site import client_on

IDENTIFIER = re.compile(r"\b[A-Z][a-z]+/[A-Z][A-Za-z_]+")


@pytest.mark.parametrize(
    ("zone", "lang", "label"),
    [
        ("Asia/Baku", "az", "Bakı vaxtı"),
        ("Asia/Baku", "ru", "Баку"),
        ("America/New_York", "az", "Nyu York vaxtı"),
        ("America/New_York", "ru", "Нью-Йорк"),
        ("Asia/Qatar", "az", "Qətər vaxtı"),  # no az city in CLDR: the country, one zone
        ("Europe/Berlin", "ru", "Берлин"),
        ("America/Argentina/Buenos_Aires", "ru", "Буэнос-Айрес"),
    ],
)
def test_a_zone_is_named_in_the_readers_language(zone: str, lang: str, label: str) -> None:
    assert zone_label(zone, words_for(lang)) == label


@pytest.mark.parametrize("lang", ["az", "en", "ru"])
def test_every_zone_of_the_list_has_a_name_without_an_identifier(lang: str) -> None:
    choices = zone_choices(time_zone_names(), words_for(lang))
    assert len(choices) > 400
    assert [label for _, label in choices if "/" in label or "_" in label] == []
    assert len({label for _, label in choices}) == len(choices)  # no two look the same


def test_a_language_without_words_is_refused() -> None:
    with pytest.raises(UnknownLanguage):
        zone_label("Asia/Baku", words_for("tr"))


@pytest.mark.parametrize("path", ["/subscribe", "/remember"])
def test_the_forms_name_zones_and_submit_identifiers(app: Flask, path: str) -> None:
    import datetime as dt

    page = client_on(app, dt.date(2027, 1, 10)).get(f"{path}?lang=az").get_data(as_text=True)
    select = re.search(r'<select id="timezone" name="timezone"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None
    assert '<option value="Asia/Baku" selected>Bakı vaxtı</option>' in select.group(1)
    assert '<option value="Europe/Berlin">Berlin vaxtı</option>' in select.group(1)
    visible = re.sub(r"<[^>]+>", " ", page)  # the text a reader sees, without attributes
    assert IDENTIFIER.findall(visible) == []


def test_the_az_list_follows_the_azerbaijani_alphabet() -> None:
    labels = [label for _, label in zone_choices(time_zone_names(), words_for("az"))]
    initials = [label[0].replace("I", "ı").replace("İ", "i").lower() for label in labels]
    ranks = [AZ_ALPHABET.index(ch) for ch in initials if ch in AZ_ALPHABET]
    assert ranks == sorted(ranks)  # Çikaqo before Dakar, Xartum after Havana, Qahirə after Kabul
    assert labels.index("Bakı vaxtı") < labels.index("Çikaqo vaxtı") < labels.index("Dubay vaxtı")


def test_the_ru_list_files_yo_with_ye() -> None:
    assert sort_key("Ёлка", "ru") < sort_key("Жара", "ru")
    assert sort_key("Зима", "az") > sort_key("Çay", "az")
