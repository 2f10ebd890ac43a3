"""The customary days of remembrance: dates under each counting, and titles in az, en, ru.

Expected dates are written out by hand from a calendar, not computed by the code
under test; docs/REMEMBRANCE.md explains the rules.
"""

from __future__ import annotations

import datetime as dt

import pytest

from calendar_app.core.remembrance import (
    Remembrance,
    anniversary,
    az_genitive,
    remembrance_dates,
    remembrance_phrase,
    remembrance_title,
)
from calendar_app.core.words import UnknownLanguage, words_for

D = dt.date


def listed(
    death: dt.date, counting: str, start: dt.date, end: dt.date, **kw: bool
) -> list[tuple[dt.date, str]]:
    return [(r.date, r.occasion) for r in remembrance_dates(death, counting, start, end, **kw)]


@pytest.mark.parametrize(
    ("death", "counting", "third", "seventh", "fortieth"),
    [
        # day of death = day 1
        (D(2020, 10, 10), "death-day", D(2020, 10, 12), D(2020, 10, 16), D(2020, 11, 18)),
        # the day after = day 1
        (D(2020, 10, 10), "day-after", D(2020, 10, 13), D(2020, 10, 17), D(2020, 11, 19)),
        # near the year's end: the days cross into the new year
        (D(2025, 12, 30), "death-day", D(2026, 1, 1), D(2026, 1, 5), D(2026, 2, 7)),
        (D(2025, 12, 31), "day-after", D(2026, 1, 3), D(2026, 1, 7), D(2026, 2, 9)),
        # 29 February of a leap year; day 40 in a leap and in a common year's spring
        (D(2024, 2, 29), "death-day", D(2024, 3, 2), D(2024, 3, 6), D(2024, 4, 8)),
        (D(2024, 2, 29), "day-after", D(2024, 3, 3), D(2024, 3, 7), D(2024, 4, 9)),
        # January: day 40 crosses February of a leap year (29 days)
        (D(2028, 1, 25), "death-day", D(2028, 1, 27), D(2028, 1, 31), D(2028, 3, 4)),
        (D(2027, 1, 25), "death-day", D(2027, 1, 27), D(2027, 1, 31), D(2027, 3, 5)),
    ],
)
def test_third_seventh_and_fortieth_day(
    death: dt.date, counting: str, third: dt.date, seventh: dt.date, fortieth: dt.date
) -> None:
    found = listed(death, counting, death, death + dt.timedelta(days=60))
    assert found == [(third, "day-3"), (seventh, "day-7"), (fortieth, "day-40")]


def test_the_day_after_counting_is_an_evening_death_counted_from_the_next_day() -> None:
    """docs/REMEMBRANCE.md, "A death after sunset": no source asks for a question on the
    form, because a family that counts an evening death from the next day already gets
    its 3rd, 7th and 40th days from the "day after" counting; only a Wednesday evening's
    first Thursday differs."""
    evening = D(2026, 3, 17)  # a Tuesday evening, counted by such a family from 18 March
    expected = [(D(2026, 3, 20), "day-3"), (D(2026, 3, 24), "day-7"), (D(2026, 4, 26), "day-40")]
    assert listed(evening, "day-after", evening, D(2026, 6, 1)) == expected
    assert listed(D(2026, 3, 18), "death-day", evening, D(2026, 6, 1)) == expected

    wednesday = D(2026, 3, 18)
    after = listed(wednesday, "day-after", wednesday, D(2026, 6, 1), thursdays=True)
    shifted = listed(D(2026, 3, 19), "death-day", wednesday, D(2026, 6, 1), thursdays=True)
    assert (D(2026, 3, 19), "thursday-1") in after
    assert (D(2026, 3, 26), "thursday-1") in shifted


@pytest.mark.parametrize(
    ("death", "year", "expected"),
    [
        (D(2024, 2, 29), 2025, D(2025, 2, 28)),  # common year: the last day of February
        (D(2024, 2, 29), 2028, D(2028, 2, 29)),
        (D(2024, 2, 29), 2100, D(2100, 2, 28)),  # 2100 is not a leap year
        (D(1990, 1, 20), 2027, D(2027, 1, 20)),
        (D(2025, 12, 31), 2026, D(2026, 12, 31)),
    ],
)
def test_anniversaries_fall_on_the_date_of_death(
    death: dt.date, year: int, expected: dt.date
) -> None:
    assert anniversary(death, year - death.year) == expected
    for counting in ("death-day", "day-after"):  # the counting never moves them
        window = listed(death, counting, D(year, 1, 1), D(year, 12, 31))
        assert (expected, f"year-{year - death.year}") in window


def test_a_window_lists_only_its_own_days_in_order() -> None:
    death = D(2020, 10, 10)
    assert listed(death, "death-day", D(2024, 1, 1), D(2025, 12, 31)) == [
        (D(2024, 10, 10), "year-4"),
        (D(2025, 10, 10), "year-5"),
    ]
    assert listed(death, "death-day", D(2020, 10, 16), D(2020, 10, 16)) == [
        (D(2020, 10, 16), "day-7")
    ]
    assert listed(death, "death-day", D(2019, 1, 1), D(2020, 10, 9)) == []


def test_thursday_evenings_of_the_forty_days_only_when_asked() -> None:
    death = D(2026, 12, 3)  # a Thursday: the first Thursday evening is a week later
    plain = listed(death, "death-day", death, D(2027, 1, 31))
    assert not [o for _, o in plain if o.startswith("thursday")]
    found = listed(death, "death-day", death, D(2027, 1, 31), thursdays=True)
    thursdays = [(d, o) for d, o in found if o.startswith("thursday")]
    assert thursdays == [
        (D(2026, 12, 10), "thursday-1"),
        (D(2026, 12, 17), "thursday-2"),
        (D(2026, 12, 24), "thursday-3"),
        (D(2026, 12, 31), "thursday-4"),
        (D(2027, 1, 7), "thursday-5"),
    ]  # the 40th day is 11 January 2027, a Monday
    assert all(d.weekday() == 3 for d, _ in thursdays)


def test_a_fortieth_day_on_a_thursday_is_listed_both_ways() -> None:
    death = D(2026, 11, 29)  # day 40 (death-day counting) is Thursday 7 January 2027
    found = listed(death, "death-day", death, D(2027, 1, 31), thursdays=True)
    assert (D(2027, 1, 7), "day-40") in found and (D(2027, 1, 7), "thursday-6") in found
    assert found.index((D(2027, 1, 7), "day-40")) < found.index((D(2027, 1, 7), "thursday-6"))


def test_an_unknown_counting_is_refused() -> None:
    with pytest.raises(ValueError, match="counting"):
        remembrance_dates(D(2020, 1, 1), "lunar", D(2020, 1, 1), D(2021, 1, 1))


@pytest.mark.parametrize(
    ("name", "genitive"),
    [
        ("Anar", "Anarın"),
        ("Əli", "Əlinin"),
        ("Tofiq", "Tofiqin"),
        ("Günay", "Günayın"),
        ("Aygün", "Aygünün"),
        ("Rauf", "Raufun"),
        ("Lalə", "Lalənin"),
        ("Nərmin", "Nərminin"),
        ("Oqtay", "Oqtayın"),
        ("Ülvi", "Ülvinin"),
        ("Umud", "Umudun"),
        ("Gülnarə", "Gülnarənin"),
        ("Anar Məmmədov", "Anar Məmmədovun"),
        ("Məmməd Əli oğlu", "Məmməd Əli oğlunun"),
        ("İLQAR", "İLQARın"),
        ("Анар", None),  # Cyrillic: no suffix guessed
        ("Anar (atam)", None),  # does not end in a letter
        ("Ng", None),  # no vowel
    ],
)
def test_azerbaijani_genitive_follows_vowel_harmony(name: str, genitive: str | None) -> None:
    assert az_genitive(name) == genitive


FIFTH = Remembrance(D(2025, 10, 10), "anniversary", 5)
FORTIETH = Remembrance(D(2020, 11, 18), "day", 40)
THIRD = Remembrance(D(2020, 10, 12), "day", 3)
THURSDAY = Remembrance(D(2020, 10, 22), "thursday", 2)


NB = "\u00a0"  # the no-break space before a dash (docs/STYLE.md)


@pytest.mark.parametrize(
    ("item", "name", "lang", "title"),
    [
        (FIFTH, "Anar", "az", "Anarın vəfatının 5-ci ildönümü"),
        (FIFTH, "Anar", "en", "5th anniversary of the death of Anar"),
        (FIFTH, "Анар", "ru", f"Анар{NB}— 5-я годовщина со дня смерти"),
        (FIFTH, "Əli", "az", "Əlinin vəfatının 5-ci ildönümü"),
        (FIFTH, "Elmira", "az", "Elmiranın vəfatının 5-ci ildönümü"),
        (FIFTH, "Анар", "az", f"Анар{NB}— vəfatının 5-ci ildönümü"),
        (FORTIETH, "Tofiq", "az", "Tofiqin vəfatının 40-cı günü"),
        (FORTIETH, "Tofiq", "en", "40th day after the death of Tofiq"),
        (FORTIETH, "Тофик", "ru", f"Тофик{NB}— 40-й день со дня смерти"),
        (THIRD, "Aygün", "az", "Aygünün vəfatının 3-cü günü"),
        (THIRD, "Aygün", "en", "3rd day after the death of Aygün"),
        (THURSDAY, "Günay", "az", "Günayın vəfatından sonrakı 2-ci cümə axşamı"),
        (THURSDAY, "Günay", "en", "2nd Thursday evening after the death of Günay"),
        (THURSDAY, "Гюнай", "ru", f"Гюнай{NB}— 2-й четверг после смерти"),
        (Remembrance(D(2057, 1, 20), "anniversary", 37), "Anar", "az",
         "Anarın vəfatının 37-ci ildönümü"),
        (Remembrance(D(2120, 1, 20), "anniversary", 100), "Anar", "az",
         "Anarın vəfatının 100-cü ildönümü"),
        (Remembrance(D(2031, 1, 20), "anniversary", 11), "Anar", "en",
         "11th anniversary of the death of Anar"),
        (Remembrance(D(2041, 1, 20), "anniversary", 21), "Anar", "en",
         "21st anniversary of the death of Anar"),
        (FIFTH, "  Anar   Məmmədov ", "az", "Anar Məmmədovun vəfatının 5-ci ildönümü"),
    ],
)  # fmt: skip
def test_titles_in_three_languages(item: Remembrance, name: str, lang: str, title: str) -> None:
    assert remembrance_title(item, name, words_for(lang)) == title


SEVENTH_YEAR = Remembrance(D(2027, 10, 5), "anniversary", 7)
FIRST_THURSDAY = Remembrance(D(2020, 10, 8), "thursday", 1)


@pytest.mark.parametrize(
    ("item", "name", "lang", "title"),
    [
        (SEVENTH_YEAR, "Rəşid", "az", "Şəhid Rəşidin şəhadətinin 7-ci ildönümü"),
        (SEVENTH_YEAR, "Рашид", "ru", f"Шехид Рашид{NB}— 7-я годовщина со дня гибели"),
        (SEVENTH_YEAR, "Rashid", "en", "7th anniversary of the martyrdom of Rashid"),
        (SEVENTH_YEAR, "Aygün", "az", "Şəhid Aygünün şəhadətinin 7-ci ildönümü"),
        (SEVENTH_YEAR, "Anar", "az", "Şəhid Anarın şəhadətinin 7-ci ildönümü"),
        (SEVENTH_YEAR, "Elmira", "az", "Şəhid Elmiranın şəhadətinin 7-ci ildönümü"),
        (FORTIETH, "Rəşid", "az", "Şəhid Rəşidin şəhadətinin 40-cı günü"),
        (FORTIETH, "Рашид", "ru", f"Шехид Рашид{NB}— 40-й день со дня гибели"),
        (FIRST_THURSDAY, "Rəşid", "az", "Şəhid Rəşidin şəhadətindən sonrakı 1-ci cümə axşamı"),
        (FIRST_THURSDAY, "Рашид", "ru", f"Шехид Рашид{NB}— 1-й четверг после гибели"),
        # no genitive can be built: a construction that needs none
        (SEVENTH_YEAR, "Рашид", "az", f"Şəhid Рашид{NB}— şəhadətinin 7-ci ildönümü"),
    ],
)  # fmt: skip
def test_a_martyr_is_named_as_one(item: Remembrance, name: str, lang: str, title: str) -> None:
    assert remembrance_title(item, name, words_for(lang), martyr=True) == title


def test_the_az_thursday_is_the_one_after_the_death() -> None:
    title = remembrance_title(FIRST_THURSDAY, "Aygün", words_for("az"))
    assert title == "Aygünün vəfatından sonrakı 1-ci cümə axşamı"
    assert "vəfatından sonra " not in title


def test_phrases_without_a_name() -> None:
    assert remembrance_phrase(FORTIETH, words_for("az")) == "vəfatının 40-cı günü"
    assert remembrance_phrase(FORTIETH, words_for("en")) == "40th day after the death"
    assert remembrance_phrase(FIFTH, words_for("en")) == "5th anniversary of the death"
    assert remembrance_phrase(FIFTH, words_for("ru")) == "5-я годовщина со дня смерти"
    assert remembrance_phrase(THURSDAY, words_for("az")) == "vəfatından sonrakı 2-ci cümə axşamı"
    assert remembrance_phrase(FIFTH, words_for("az"), martyr=True) == "şəhadətinin 5-ci ildönümü"


@pytest.mark.parametrize("lang", ["tr", "de", "", "AZ"])
def test_a_language_without_words_is_refused_not_given_azerbaijani(lang: str) -> None:
    with pytest.raises(UnknownLanguage):
        remembrance_title(FIFTH, "Anar", words_for(lang))
