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
    COUNTING_LABELS,
    Remembrance,
    remembrance_dates,
    remembrance_title,
)

PRODID = "-//Commemoration Calendar//Private remembrance//{lang}"
REFRESH = dt.timedelta(days=1)
YEARS_AHEAD = 10

_TEXT: dict[str, dict[str, str]] = {
    "calendar_name": {"az": "xatirə günləri", "en": "days of remembrance", "ru": "дни памяти"},
    "died": {"az": "Vəfat tarixi", "en": "Date of death", "ru": "Дата смерти"},
    "born": {"az": "Doğum tarixi", "en": "Date of birth", "ru": "Дата рождения"},
    "counting": {"az": "Günlərin sayılması", "en": "Counting", "ru": "Счёт дней"},
    "linked": {
        "az": "Bağlı olduğu anım günü",
        "en": "Linked memorial day",
        "ru": "Связанный день памяти",
    },
    "private": {
        "az": "Bu təqvim şəxsidir: linki yalnız yaxınlarınızla paylaşın.",
        "en": "This calendar is private: share its link only with those close to you.",
        "ru": "Этот календарь личный: делитесь ссылкой только с близкими.",
    },
}


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
    stamp = person.changed_dt.replace(tzinfo=dt.UTC)
    calendar = subscribed_calendar(
        prodid=PRODID.format(lang=lang.upper()),
        name=f"{' '.join(person.name.split())}: {_TEXT['calendar_name'][lang]}",
        description=_TEXT["private"][lang],
        last_modified=stamp,
        refresh=REFRESH,
    )
    start, end = feed_window(person, year, years_ahead)
    description = describe_person(person, lang, linked)
    for item in remembrance_dates(person.died_on, person.counting, start, end, person.thursdays):
        calendar.add_component(_event(person, item, lang, host, stamp, description, linked))
    return bytes(calendar.to_ical())


def describe_person(person: FeedPerson, lang: str, linked: LinkedDay | None) -> str:
    """The lines every event of the person carries: dates, counting, linked day."""
    lines = [f"{_TEXT['died'][lang]}: {short_date(person.died_on, lang)}"]
    if person.born_on is not None:
        lines.append(f"{_TEXT['born'][lang]}: {short_date(person.born_on, lang)}")
    lines.append(f"{_TEXT['counting'][lang]}: {COUNTING_LABELS[person.counting][lang]}")
    if linked is not None:
        lines.append(f"{_TEXT['linked'][lang]}: {linked.name}\n{linked.url}")
    return "\n".join(lines)


def _event(
    person: FeedPerson,
    item: Remembrance,
    lang: str,
    host: str,
    stamp: dt.datetime,
    description: str,
    linked: LinkedDay | None,
) -> Event:
    title = remembrance_title(item, person.name, lang)
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
