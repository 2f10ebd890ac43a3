"""Occurrences and anniversaries: pure, table-driven."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calendar_app.core.occurrences import Jubilee, occurrences_between


@dataclass(frozen=True)
class Day:
    slug: str
    month: int
    day: int
    events_year: int
    first_observed_year: int


JANUARY_20 = Day("january-20", 1, 20, 1990, 1990)
FEBRUARY_26 = Day("february-26", 2, 26, 1992, 1994)
MARCH_31 = Day("march-31", 3, 31, 1918, 1998)
SEPTEMBER_27 = Day("september-27", 9, 27, 2020, 2021)
DAYS = [SEPTEMBER_27, MARCH_31, JANUARY_20, FEBRUARY_26]  # deliberately out of order


def anniversary_on(day: Day, year: int) -> int:
    found = occurrences_between([day], dt.date(year, 1, 1), dt.date(year, 12, 31))
    assert len(found) == 1
    return found[0].anniversary


@pytest.mark.parametrize(
    ("day", "year", "anniversary", "said_by"),
    [
        (JANUARY_20, 1994, 4, "seed 003 / REFERENCE: 1994 = 4th"),
        (JANUARY_20, 2016, 26, "seed 004: 26th anniversary, 2016"),
        (JANUARY_20, 2021, 31, "seed 001: 31st anniversary, 2021"),
        (JANUARY_20, 2025, 35, "seed 002: 35th anniversary, 2025"),
        (FEBRUARY_26, 2017, 25, "REFERENCE: 2017 = 25th (Khojaly)"),
        (MARCH_31, 2018, 100, "REFERENCE: 2018 = 100th (1918 genocide)"),
    ],
)
def test_anniversaries_the_seed_documents_state(
    day: Day, year: int, anniversary: int, said_by: str
) -> None:
    assert anniversary_on(day, year) == anniversary, said_by


def test_every_year_1991_to_2200_has_exactly_the_right_days() -> None:
    found = occurrences_between(DAYS, dt.date(1991, 1, 1), dt.date(2200, 12, 31))
    by_year: dict[int, list[str]] = {}
    for o in found:
        by_year.setdefault(o.date.year, []).append(o.slug)
        assert (o.date.month, o.date.day) == (o.day.month, o.day.day)
        assert o.anniversary == o.date.year - o.day.events_year
    for year in range(1991, 2201):
        expected = ["march-31"]
        if year > 1990:
            expected.insert(0, "january-20")
        if year > 1992:
            expected.insert(1, "february-26")
        if year > 2020:
            expected.append("september-27")
        assert by_year[year] == expected, year


def test_no_occurrence_in_or_before_the_year_of_the_events() -> None:
    found = occurrences_between([SEPTEMBER_27], dt.date(1900, 1, 1), dt.date(2021, 12, 31))
    assert [(o.date, o.anniversary) for o in found] == [(dt.date(2021, 9, 27), 1)]


def test_range_crossing_years_is_inclusive_and_sorted() -> None:
    found = occurrences_between(DAYS, dt.date(2026, 9, 27), dt.date(2027, 2, 26))
    assert [(o.date.isoformat(), o.slug, o.anniversary) for o in found] == [
        ("2026-09-27", "september-27", 6),
        ("2027-01-20", "january-20", 37),
        ("2027-02-26", "february-26", 35),
    ]


def test_single_day_range() -> None:
    found = occurrences_between(DAYS, dt.date(2027, 3, 31), dt.date(2027, 3, 31))
    assert [(o.slug, o.anniversary) for o in found] == [("march-31", 109)]
    assert occurrences_between(DAYS, dt.date(2027, 4, 1), dt.date(2027, 4, 1)) == []


def test_end_before_start_is_an_error() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        occurrences_between(DAYS, dt.date(2027, 2, 1), dt.date(2027, 1, 1))


@pytest.mark.parametrize(
    ("anniversary", "jubilee"),
    [(1, None), (4, None), (5, Jubilee.ROUND), (10, Jubilee.ROUND), (25, Jubilee.MAJOR),
     (30, Jubilee.ROUND), (35, Jubilee.ROUND), (50, Jubilee.MAJOR), (75, Jubilee.MAJOR),
     (99, None), (100, Jubilee.MAJOR), (105, Jubilee.ROUND), (125, Jubilee.MAJOR)],
)  # fmt: skip
def test_round_anniversaries(anniversary: int, jubilee: Jubilee | None) -> None:
    (o,) = occurrences_between(
        [JANUARY_20], dt.date(1990 + anniversary, 1, 1), dt.date(1990 + anniversary, 12, 31)
    )
    assert o.jubilee == jubilee
    assert o.is_jubilee is (jubilee is not None)


@pytest.mark.parametrize(
    ("day", "year", "observed"),
    [(MARCH_31, 1997, False), (MARCH_31, 1998, True), (FEBRUARY_26, 1993, False),
     (FEBRUARY_26, 1994, True), (SEPTEMBER_27, 2021, True), (JANUARY_20, 1991, True)],
)  # fmt: skip
def test_officially_observed_from_the_first_observed_year(
    day: Day, year: int, observed: bool
) -> None:
    (o,) = occurrences_between([day], dt.date(year, 1, 1), dt.date(year, 12, 31))
    assert o.is_observed is observed


def test_a_day_on_29_february_falls_on_28_february_in_common_years() -> None:
    leap_day = Day("february-29", 2, 29, 2000, 2000)
    found = occurrences_between([leap_day], dt.date(2001, 1, 1), dt.date(2004, 12, 31))
    assert [(o.date.isoformat(), o.is_moved, o.anniversary) for o in found] == [
        ("2001-02-28", True, 1),
        ("2002-02-28", True, 2),
        ("2003-02-28", True, 3),
        ("2004-02-29", False, 4),
    ]


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)),
    st.integers(min_value=0, max_value=800),
)
def test_any_range_gives_each_day_once_per_year_inside_the_range(start: dt.date, span: int) -> None:
    end = min(start + dt.timedelta(days=span), dt.date(2200, 12, 31))
    found = occurrences_between(DAYS, start, end)
    assert all(start <= o.date <= end for o in found)
    assert len({(o.slug, o.date.year) for o in found}) == len(found)
    assert found == sorted(found, key=lambda o: (o.date, o.slug))
    expected = sum(
        1
        for day in DAYS
        for year in range(start.year, end.year + 1)
        if year > day.events_year and start <= dt.date(year, day.month, day.day) <= end
    )
    assert len(found) == expected
