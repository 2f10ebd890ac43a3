"""Pure: the private iCalendar feed of one remembered person, rendered to bytes.

All-day events, one per observance (never an RRULE: each anniversary has its
own number), CLASS:PRIVATE, transparent. No UID on the calendar itself: clients
that split a feed copy calendar properties into every event. Event UIDs are
``remembrance-<id>-<occasion>@host``: stable across languages and edits, and
they say nothing about the person.
DTSTAMP and LAST-MODIFIED are the person's last change, never the clock. The
feed's window: from the later of the death and 1 January of the year before
``year``, to 31 December ``years_ahead`` years after it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from icalendar import Event
from icalendar.enums import CLASS, TRANSP

from calendar_app.core.dates import short_date
from calendar_app.core.ics import subscribed_calendar
from calendar_app.core.remembrance import (
    Remembrance,
    counting_label,
    counting_matters,
    remembrance_dates,
    remembrance_title,
)
from calendar_app.core.words import Words, words_for

PRODID = "-//Commemoration Calendar//Private remembrance//{lang}"
REFRESH = dt.timedelta(days=1)
YEARS_AHEAD = 10


class FeedPerson(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def died_on(self) -> dt.date: ...
    @property
    def born_on(self) -> dt.date | None: ...
    @property
    def counting(self) -> str: ...
    @property
    def thursdays(self) -> bool: ...
    @property
    def changed_dt(self) -> dt.datetime: ...


@dataclass(frozen=True)
class LinkedDay:
    """A national memorial day the family linked the person to."""

    name: str
    url: str


def remembrance_uid(person_id: int, occasion: str, host: str) -> str:
    return f"remembrance-{person_id}-{occasion}@{host}"


def feed_window(person: FeedPerson, year: int, years_ahead: int) -> tuple[dt.date, dt.date]:
    return max(person.died_on, dt.date(year - 1, 1, 1)), dt.date(year + years_ahead, 12, 31)


def render_remembrance(
    person: FeedPerson,
    lang: str,
    *,
    year: int,
    host: str,
    linked: LinkedDay | None = None,
    years_ahead: int = YEARS_AHEAD,
) -> bytes:
    """The feed's bytes: CRLF lines folded at 75 octets, UTF-8."""
    words = words_for(lang)
    stamp = person.changed_dt.replace(tzinfo=dt.UTC)
    name = " ".join(person.name.split())
    calendar = subscribed_calendar(
        prodid=PRODID.format(lang=lang.upper()),
        name=words.pgettext("remembrance feed", "{name}: days of remembrance", name=name),
        description=words.pgettext(
            "remembrance feed",
            "This calendar is private: share its link only with those close to you.",
        ),
        last_modified=stamp,
        refresh=REFRESH,
    )
    start, end = feed_window(person, year, years_ahead)
    for item in remembrance_dates(person.died_on, person.counting, start, end, person.thursdays):
        description = describe_person(person, words, linked, item)
        calendar.add_component(_event(person, item, words, host, stamp, description, linked))
    return bytes(calendar.to_ical())


def describe_person(
    person: FeedPerson, words: Words, linked: LinkedDay | None, item: Remembrance
) -> str:
    """The lines an event of the person carries: dates (a martyr's, linked to a memorial
    day, as the date of martyrdom), the counting (only on the days it moves: the 3rd,
    7th, 40th and the Thursdays, never an anniversary), linked day."""
    lang = words.lang
    died = short_date(person.died_on, lang)
    if linked is not None:  # a martyr: az "Şəhadət tarixi", ru "Дата гибели"
        lines = [words.pgettext("martyr", "Date of death: {date}", date=died)]
    else:
        lines = [words.pgettext("remembrance feed", "Date of death: {date}", date=died)]
    if person.born_on is not None:
        born = short_date(person.born_on, lang)
        lines.append(words.pgettext("remembrance feed", "Date of birth: {date}", date=born))
    if counting_matters(item):
        counting = counting_label(person.counting, words)
        lines.append(words.pgettext("remembrance feed", "Counting: {counting}", counting=counting))
    if linked is not None:
        day = words.pgettext("remembrance feed", "Linked memorial day: {name}", name=linked.name)
        lines.append(f"{day}\n{linked.url}")
    return "\n".join(lines)


def _event(
    person: FeedPerson,
    item: Remembrance,
    words: Words,
    host: str,
    stamp: dt.datetime,
    description: str,
    linked: LinkedDay | None,
) -> Event:
    lang = words.lang
    title = remembrance_title(item, person.name, words, martyr=linked is not None)
    event = Event.new(
        uid=remembrance_uid(person.id, item.occasion, host),
        stamp=stamp,
        last_modified=stamp,
        start=item.date,
        end=item.date + dt.timedelta(days=1),
        summary=title,
        description=f"{title}\n\n{description}",
        transparency=TRANSP.TRANSPARENT,
        classification=CLASS.PRIVATE,
    )
    if linked is not None:
        event.add("URL", linked.url)
    for name in ("SUMMARY", "DESCRIPTION"):
        event[name].params["LANGUAGE"] = lang
    return event
