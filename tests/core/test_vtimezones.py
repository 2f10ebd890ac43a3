"""The feed's VTIMEZONE: the zone's offsets across the window, no COMMENT (libical).

Read back by icalendar as a client would, the VTIMEZONE written for a window
gives the same UTC offsets as zoneinfo for every day of it, in zones whose
clocks change in every way there is.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from icalendar import Calendar

from calendar_app.core.vtimezones import vtimezone

# clocks that stopped changing (Baku, Istanbul), change twice a year (Berlin, Santiago in
# the south), by 30 minutes (Lord Howe), "negative" DST (Dublin), paused for Ramadan
# (Casablanca)
ZONES = (
    "Asia/Baku",
    "Europe/Istanbul",
    "Europe/Berlin",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Europe/Dublin",
    "Africa/Casablanca",
)


@pytest.mark.parametrize("tzid", ZONES)
def test_a_client_reads_the_zones_offsets_for_every_day_of_the_window(tzid: str) -> None:
    first, last = dt.date(2024, 1, 1), dt.date(2036, 12, 31)  # 2026, 2 years back, 10 ahead
    calendar = Calendar()
    calendar.add_component(vtimezone(tzid, first, last + dt.timedelta(days=1)))
    (read,) = Calendar.from_ical(calendar.to_ical()).walk("VTIMEZONE")
    theirs, ours = read.to_tz(), zoneinfo.ZoneInfo(tzid)
    day = first
    while day <= last:
        noon = dt.datetime.combine(day, dt.time(12))
        assert noon.replace(tzinfo=theirs).utcoffset() == noon.replace(tzinfo=ours).utcoffset()
        day += dt.timedelta(days=1)


def test_the_window_decides_what_is_listed() -> None:
    berlin = vtimezone("Europe/Berlin", dt.date(2026, 1, 1), dt.date(2027, 1, 1))
    assert "BEGIN:DAYLIGHT" in berlin.to_ical().decode()
    baku = vtimezone("Asia/Baku", dt.date(2024, 1, 1), dt.date(2037, 1, 1)).to_ical().decode()
    assert "BEGIN:DAYLIGHT" not in baku and "TZOFFSETTO:+0400" in baku
    assert "COMMENT" not in baku


def test_an_unknown_zone_is_refused() -> None:
    with pytest.raises(zoneinfo.ZoneInfoNotFoundError):
        vtimezone("Mars/Olympus_Mons", dt.date(2026, 1, 1), dt.date(2027, 1, 1))
