"""What a family reads in its private feed: the counting line only where it moves a date,
a martyr named as one, and the feed's own words in the reader's language."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from icalendar import Calendar

from calendar_app.core.remembrance_ics import LinkedDay, render_remembrance
from calendar_app.core.words import UnknownLanguage
from tests.support.people import Person
from tests.support.site import client_on

HOST = "calendar.example.az"
COUNTING = {
    "az": "Günlərin hesabı: vəfat günü birinci gün sayılır",
    "en": "Counting: the day of death is day 1",
    "ru": "Счёт дней: день смерти считается первым днём",
}


AYGUN = Person(7, "Aygün", dt.date(2026, 1, 10), None, "death-day", True, dt.datetime(2026, 2, 1))
RASHID = Person(8, "Rəşid", dt.date(2020, 10, 5), None, "death-day", True, dt.datetime(2026, 2, 1))


def descriptions(person: Person, lang: str, linked: LinkedDay | None = None) -> dict[str, str]:
    body = render_remembrance(person, lang, year=2026, host=HOST, linked=linked)
    calendar = Calendar.from_ical(body)
    return {
        str(e["UID"]).split("@")[0].split("-", 2)[2]: str(e["DESCRIPTION"])
        for e in calendar.walk("VEVENT")
    }


@pytest.mark.parametrize("lang", ["az", "en", "ru"])
def test_the_counting_line_only_on_the_days_it_moves(lang: str) -> None:
    found = descriptions(AYGUN, lang)
    moving = [k for k in found if k.startswith(("day-", "thursday-"))]
    yearly = [k for k in found if k.startswith("year-")]
    assert {"day-3", "day-7", "day-40", "thursday-1"} <= set(moving) and yearly
    for occasion in moving:
        assert COUNTING[lang] in found[occasion], occasion
    for occasion in yearly:
        assert COUNTING[lang] not in found[occasion], occasion
        assert "sayılır" not in found[occasion] and "считается" not in found[occasion]


def test_the_az_thursday_reads_after_the_death() -> None:
    found = descriptions(AYGUN, "az")
    assert found["thursday-1"].startswith("Aygünün vəfatından sonrakı 1-ci cümə axşamı\n")


def test_a_name_linked_to_27_september_is_a_martyr_in_every_language() -> None:
    linked = LinkedDay("Anım Günü", f"https://{HOST}/days/september-27")
    az = descriptions(RASHID, "az", linked)
    assert az["year-7"].startswith("Şəhid Rəşidin şəhadətinin 7-ci ildönümü\n")
    ru = descriptions(
        Person(8, "Рашид", RASHID.died_on, None, "death-day", False, RASHID.changed_dt),
        "ru",
        LinkedDay("День памяти", linked.url),
    )
    assert ru["year-7"].startswith("Шехид Рашид\u00a0— 7-я годовщина со дня гибели\n")
    assert "смерти" not in ru["year-7"].splitlines()[0]


@pytest.mark.parametrize(
    ("lang", "name", "martyr_line", "plain_line"),
    [
        ("az", "Rəşid", "Şəhadət tarixi: 5 oktyabr 2020", "Vəfat tarixi: 5 oktyabr 2020"),
        ("ru", "Рашид", "Дата гибели: 5 октября 2020", "Дата смерти: 5 октября 2020"),
        ("en", "Rashid", "Date of death: ", "Date of death: "),
    ],
)
def test_a_martyrs_date_is_the_date_of_martyrdom(
    lang: str, name: str, martyr_line: str, plain_line: str
) -> None:
    person = Person(8, name, RASHID.died_on, None, "death-day", True, RASHID.changed_dt)
    linked = LinkedDay("Anım Günü", f"https://{HOST}/days/september-27")
    martyr = descriptions(person, lang, linked)
    plain = descriptions(person, lang)
    for occasion, text in martyr.items():
        assert martyr_line in text, (occasion, text)
        assert lang == "en" or plain_line not in text, (occasion, text)
    for occasion, text in plain.items():
        assert plain_line in text, (occasion, text)


def test_the_private_feed_says_link_as_keçid() -> None:
    body = render_remembrance(AYGUN, "az", year=2026, host=HOST).decode()
    unfolded = body.replace("\r\n ", "")
    assert "keçidini yalnız yaxınlarınızla" in unfolded and "linki" not in unfolded


def test_a_language_without_words_is_refused() -> None:
    with pytest.raises(UnknownLanguage):
        render_remembrance(AYGUN, "tr", year=2026, host=HOST)


@pytest.mark.parametrize(
    ("lang", "name"),
    [
        ("en", "Remembering our loved ones"),
        ("az", "Əzizlərimizin xatirəsi"),
        ("ru", "Память о близких"),
    ],
)
def test_the_remembrance_page_has_a_gentle_name(app: Flask, lang: str, name: str) -> None:
    page = client_on(app, dt.date(2027, 1, 10)).get(f"/remember?lang={lang}").get_data(as_text=True)
    assert f"<h1>{name}</h1>" in page
    assert "Our own dead" not in page
