"""The feed's VTIMEZONE is the one icalendar's ``Timezone.from_tzid`` writes, byte for byte.

``core.vtimezones`` hands icalendar's builder a zone that ends some months
after the window, so that it stops scanning there instead of in the year 9999.
These tests compare the two over every zone zoneinfo knows for the widest
window a feed can ask for, and over random windows in zones whose clocks
change in every way there is.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Timezone

from calendar_app.core.vtimezones import vtimezone

# clocks that stopped changing (Baku, Istanbul, Tehran), change twice a year (Berlin,
# New York, Santiago in the south), by 30 minutes (Lord Howe), "negative" DST (Dublin),
# paused for Ramadan (Casablanca), a whole day skipped (Apia), a 45-minute offset (Chatham)
ZONES = (
    "Asia/Baku",
    "Europe/Istanbul",
    "Asia/Tehran",
    "Europe/Berlin",
    "America/New_York",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Europe/Dublin",
    "Africa/Casablanca",
    "Pacific/Apia",
    "Pacific/Chatham",
)


def icalendars(tzid: str, first: dt.date, last: dt.date) -> bytes:
    timezone = Timezone.from_tzid(tzid, first_date=first, last_date=last)
    timezone.pop("COMMENT", None)
    return bytes(timezone.to_ical())


def ours(tzid: str, first: dt.date, last: dt.date) -> bytes:
    return bytes(vtimezone.__wrapped__(tzid, first, last).to_ical())


def test_every_zone_for_the_widest_window_a_feed_asks_for() -> None:
    first, last = dt.date(2016, 1, 1), dt.date(2047, 1, 1)  # 2026, 10 years back, 20 ahead
    differ = [
        tzid
        for tzid in sorted(zoneinfo.available_timezones())
        if ours(tzid, first, last) != icalendars(tzid, first, last)
    ]
    assert differ == []


@settings(max_examples=150, deadline=None)
@given(
    tzid=st.sampled_from(ZONES),
    first=st.dates(dt.date(1970, 1, 1), dt.date(2060, 12, 31)),
    days=st.integers(1, 31 * 366),
)
def test_any_window_in_zones_whose_clocks_change_every_way(
    tzid: str, first: dt.date, days: int
) -> None:
    last = first + dt.timedelta(days=days)
    assert ours(tzid, first, last) == icalendars(tzid, first, last)


@pytest.mark.parametrize("tzid", ["Europe/Berlin", "America/Santiago", "Africa/Casablanca"])
def test_windows_that_end_around_a_change(tzid: str) -> None:
    """A change just inside the window's end is found; one just after it is not listed."""
    for year in (2027, 2031):
        for month in range(1, 13):
            for day in (1, 10, 20, 28):
                last = dt.date(year, month, day)
                first = last - dt.timedelta(days=400)
                assert ours(tzid, first, last) == icalendars(tzid, first, last), last


def test_the_window_decides_what_is_listed() -> None:
    berlin = ours("Europe/Berlin", dt.date(2026, 1, 1), dt.date(2027, 1, 1)).decode()
    assert "BEGIN:DAYLIGHT" in berlin and "RDATE" not in berlin  # one spring, one autumn
    baku = ours("Asia/Baku", dt.date(2024, 1, 1), dt.date(2037, 1, 1)).decode()
    assert "BEGIN:DAYLIGHT" not in baku and "TZOFFSETTO:+0400" in baku
    assert "COMMENT" not in baku


def test_an_unknown_zone_is_refused() -> None:
    with pytest.raises(zoneinfo.ZoneInfoNotFoundError):
        vtimezone("Mars/Olympus_Mons", dt.date(2026, 1, 1), dt.date(2027, 1, 1))
