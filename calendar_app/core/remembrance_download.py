"""Pure: a one-off .ics file of the names entered on /remember, before anything is stored.

The events are the private feed's (core/remembrance_ics.py: same titles, lines and
all-day form) in the counting each name was entered with, from the death to
31 December ``years_ahead`` years after ``today``. Nothing here is stored, so the names
have no id: an event's UID is ``remembrance-file-<key>-<occasion>@host``, where
``key`` is an HMAC under the site's secret key of the name and the date of death
(``download_key``). It is the same for the same name and date (importing the file
again after a change updates the events instead of doubling them), different for two
names, and says nothing to anyone without the site's key: unlike a plain hash of the
name, no one can test a guess of a name and a date against it. No random part, so the
same form gives the same file. DTSTAMP is the moment of the download (the caller's
``stamp``): the file is a snapshot, and a later one replaces it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Sequence

from icalendar import Calendar, vText

from calendar_app.core.remembrance import remembrance_dates
from calendar_app.core.remembrance_ics import (
    YEARS_AHEAD,
    DatedPerson,
    LinkedDay,
    describe_person,
    remembrance_event,
)
from calendar_app.core.words import words_for

PRODID = "-//Commemoration Calendar//Days of remembrance, one-off file//{lang}"
FILENAME = "days-of-remembrance.ics"  # never the name: it would show in the browser's list


def download_key(secret_key: str, name: str, died_on: dt.date) -> str:
    """128 bits of HMAC-SHA256 of the name (white space as stored) and its date of death."""
    text = f"remembrance-file:{died_on.isoformat()}:{' '.join(name.split())}"
    return hmac.new(secret_key.encode(), text.encode(), hashlib.sha256).hexdigest()[:32]


def download_uid(key: str, occasion: str, host: str) -> str:
    return f"remembrance-file-{key}-{occasion}@{host}"


def render_download(
    people: Sequence[tuple[DatedPerson, LinkedDay | None]],
    lang: str,
    *,
    today: dt.date,
    stamp: dt.datetime,
    host: str,
    secret_key: str,
    years_ahead: int = YEARS_AHEAD,
) -> bytes:
    """The file's bytes: each name's days in its own counting, CRLF, folded, UTF-8."""
    words = words_for(lang)
    calendar = Calendar.new(
        prodid=PRODID.format(lang=lang.upper()),
        name=words.pgettext("remembrance download", "Days of remembrance"),
    )
    del calendar["UID"]  # Calendar.new makes up a random one when given none
    for key in ("NAME", "X-WR-CALNAME"):  # icalendar writes them unescaped; they are TEXT
        if key in calendar:
            calendar[key] = vText(str(calendar[key]))
    end = dt.date(today.year + years_ahead, 12, 31)
    stamp = stamp.astimezone(dt.UTC) if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
    for person, linked in people:
        key = download_key(secret_key, person.name, person.died_on)
        for item in remembrance_dates(
            person.died_on, person.counting, person.died_on, end, person.thursdays
        ):
            description = describe_person(person, words, linked, item)
            uid = download_uid(key, item.occasion, host)
            calendar.add_component(
                remembrance_event(person, item, words, uid, stamp, description, linked)
            )
    return bytes(calendar.to_ical())
