"""Pure: the private iCalendar feeds of remembered people, rendered to bytes.

One function renders one person's feed or a family's (every name of an address,
each event titled with its name); the events are the same in both.

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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from icalendar import Event
from icalendar.enums import CLASS, TRANSP

from calendar_app.core.dates import short_date
from calendar_app.core.ics import subscribed_calendar
from calendar_app.core.remembrance import (
    NamedPerson,
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


class DatedPerson(NamedPerson, Protocol):
    """A name and its dates: what an event needs (a stored name, or one only entered)."""

    @property
    def born_on(self) -> dt.date | None: ...


class FeedPerson(DatedPerson, Protocol):
    @property
    def id(self) -> int: ...
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


@dataclass(frozen=True)
class FeedEntry:
    """One person of a feed, with the national day the family linked them to."""

    person: FeedPerson
    linked: LinkedDay | None = None


def render_remembrance(
    person: FeedPerson,
    lang: str,
    *,
    year: int,
    host: str,
    linked: LinkedDay | None = None,
    years_ahead: int = YEARS_AHEAD,
) -> bytes:
    """One person's feed: CRLF lines folded at 75 octets, UTF-8."""
    words = words_for(lang)
    name = " ".join(person.name.split())
    title = words.pgettext("remembrance feed", "{name}: days of remembrance", name=name)
    stamp = person.changed_dt
    return render_feed(
        [FeedEntry(person, linked)], lang, title=title, changed=stamp, year=year, host=host,
        years_ahead=years_ahead,
    )  # fmt: skip


def render_family(
    entries: Sequence[FeedEntry],
    lang: str,
    *,
    changed: dt.datetime,
    year: int,
    host: str,
    years_ahead: int = YEARS_AHEAD,
) -> bytes:
    """A family's feed: every person's days, each titled with the person's name.

    ``changed`` is the family link's last change; the calendar's LAST-MODIFIED is
    the latest of it and the people's changes."""
    title = words_for(lang).pgettext("remembrance feed", "Our family's days of remembrance")
    latest = max([changed, *(entry.person.changed_dt for entry in entries)])
    return render_feed(
        entries, lang, title=title, changed=latest, year=year, host=host, years_ahead=years_ahead
    )


def render_feed(
    entries: Sequence[FeedEntry],
    lang: str,
    *,
    title: str,
    changed: dt.datetime,
    year: int,
    host: str,
    years_ahead: int = YEARS_AHEAD,
) -> bytes:
    """The feed of one or several people, in the order given; each event's DTSTAMP is
    its person's last change, so a family's feed and a name's carry the same events."""
    words = words_for(lang)
    calendar = subscribed_calendar(
        prodid=PRODID.format(lang=lang.upper()),
        name=title,
        description=words.pgettext(
            "remembrance feed",
            "This calendar is private: share its link only with those close to you.",
        ),
        last_modified=changed.replace(tzinfo=dt.UTC),
        refresh=REFRESH,
    )
    for entry in entries:
        person, linked = entry.person, entry.linked
        stamp = person.changed_dt.replace(tzinfo=dt.UTC)
        start, end = feed_window(person, year, years_ahead)
        dates = remembrance_dates(person.died_on, person.counting, start, end, person.thursdays)
        for item in dates:
            description = describe_person(person, words, linked, item)
            uid = remembrance_uid(person.id, item.occasion, host)
            calendar.add_component(
                remembrance_event(person, item, words, uid, stamp, description, linked)
            )
    return bytes(calendar.to_ical())


def describe_person(
    person: DatedPerson, words: Words, linked: LinkedDay | None, item: Remembrance
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
        counting = counting_label(person.counting, words, martyr=linked is not None)
        lines.append(words.pgettext("remembrance feed", "Counting: {counting}", counting=counting))
    if linked is not None:
        day = words.pgettext("remembrance feed", "Linked memorial day: {name}", name=linked.name)
        lines.append(f"{day}\n{linked.url}")
    return "\n".join(lines)


def remembrance_event(
    person: DatedPerson,
    item: Remembrance,
    words: Words,
    uid: str,
    stamp: dt.datetime,
    description: str,
    linked: LinkedDay | None,
) -> Event:
    """One all-day event of the person's day; the UID is the caller's (a feed's, a
    download's)."""
    lang = words.lang
    title = remembrance_title(item, person.name, words, martyr=linked is not None)
    event = Event.new(
        uid=uid,
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
