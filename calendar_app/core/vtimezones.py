"""Pure: the VTIMEZONE of a time zone for a feed's window, written by icalendar.

Without its COMMENT: RFC 5545 allows none in VTIMEZONE itself ("This timezone
only works from …", which icalendar adds), and libical's restriction check
(Evolution, GNOME) rejects a feed that has one.

Windowed because of the first-request goal (docs/PERFORMANCE.md): icalendar's
``Timezone.from_tzinfo`` finds each change of offset by stepping through the
zone and stops only where the zone's data ends, for zoneinfo the year 9999. For
a zone that no longer changes its clocks, like Asia/Baku since 2016, that is
tens of thousands of look-ups after the last change, whatever the window: a
good part of a cold feed render. Here the zone handed to it ends ``_HORIZON``
after the window (wall clock, as the builder steps); every change inside the
window is found by steps that stay within 64 days of it, so before the
horizon.
"""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

from icalendar import Timezone

_HORIZON = dt.timedelta(days=130)  # twice the builder's longest step, past the window's end


class _ZoneUntil(dt.tzinfo):
    """``zone`` up to ``horizon`` (a naive wall-clock time); past it, its data ends.

    Only ``utcoffset`` is bounded: the builder steps with it alone, and reads
    names and DST flags only where a change it found begins, inside the window.
    """

    def __init__(self, zone: ZoneInfo, horizon: dt.datetime) -> None:
        self._zone = zone
        # aware with this very tzinfo: comparing with it compares wall-clock times
        self._horizon = horizon.replace(tzinfo=self)

    def utcoffset(self, moment: dt.datetime | None) -> dt.timedelta | None:
        if moment is not None and moment > self._horizon:
            raise OverflowError("past the window this VTIMEZONE is built for")
        return self._zone.utcoffset(moment)

    def dst(self, moment: dt.datetime | None) -> dt.timedelta | None:
        return self._zone.dst(moment)

    def tzname(self, moment: dt.datetime | None) -> str | None:
        return self._zone.tzname(moment)


@functools.lru_cache(maxsize=64)
def vtimezone(tzid: str, first_date: dt.date, last_date: dt.date) -> Timezone:
    """The VTIMEZONE ``Timezone.from_tzid`` writes for these dates, without its COMMENT.

    RFC 5545 allows no COMMENT in VTIMEZONE itself ("This timezone only works
    from …", which icalendar adds), and libical's restriction check fails it.
    Never mutated: cached. Raises ``ZoneInfoNotFoundError`` for an unknown zone.
    """
    horizon = dt.datetime.combine(last_date, dt.time()) + _HORIZON
    zone = _ZoneUntil(ZoneInfo(tzid), horizon)
    timezone = Timezone.from_tzinfo(zone, tzid=tzid, first_date=first_date, last_date=last_date)
    timezone.pop("COMMENT", None)
    return timezone
