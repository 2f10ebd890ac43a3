"""Pure: a family's customary days of remembrance, dated and titled in the reader's language.

``remembrance_dates(death_date, counting, start, end)`` lists the 3rd, 7th and
40th days, optionally the Thursday evenings of the forty days, and every
anniversary that fall from ``start`` to ``end`` (both included). The custom,
the two countings and the title rules, with their sources: docs/REMEMBRANCE.md.
The titles' patterns are catalog messages (core/words.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from calendar_app.core.azerbaijani import az_genitive as az_genitive  # re-exported
from calendar_app.core.occurrences import date_in_year
from calendar_app.core.words import N_, NoCaseForm, Words

COUNTINGS = ("death-day", "day-after")  # day 1 is the day of death / the day after it
DEFAULT_COUNTING = "death-day"
CUSTOMARY_DAYS = (3, 7, 40)
THURSDAY = 3  # date.weekday()
KINDS = ("day", "thursday", "anniversary")
MAX_NAME_LENGTH = 120


class CountedPerson(Protocol):
    """What the dates of a person's days need: the death and how the family counts."""

    @property
    def died_on(self) -> dt.date: ...
    @property
    def counting(self) -> str: ...
    @property
    def thursdays(self) -> bool: ...


class NamedPerson(CountedPerson, Protocol):
    """A person's dates and the name their days are titled with."""

    @property
    def name(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Remembrance:
    """One remembrance day of a person: the 40th day, the 2nd Thursday, the 5th anniversary…"""

    date: dt.date
    kind: str  # "day", "thursday" or "anniversary"
    number: int

    @property
    def occasion(self) -> str:
        """A stable key for the outbox and the feed's UIDs: day-40, thursday-2, year-5."""
        prefix = "year" if self.kind == "anniversary" else self.kind
        return f"{prefix}-{self.number}"


LATEST_DEATH = dt.date(9998, 11, 1)  # its 40th day and 1st anniversary still fit in a date
EARLIEST_DEATH = dt.date(1900, 1, 1)  # the form's and the CLI's earliest date of death


def death_problem(death_date: dt.date, today: dt.date) -> str | None:
    """Why a family cannot keep this date of death: "early", "future", or None if it can."""
    if death_date < EARLIEST_DEATH:
        return "early"
    if death_date > today:
        return "future"
    return None


def name_problem(name: str) -> str | None:
    """Why a name cannot be kept: "empty", "control" (characters that print as nothing),
    "long", or None. ``name`` is as entered; runs of white space count as one space."""
    joined = " ".join(name.split())
    if not joined:
        return "empty"
    if not joined.isprintable():
        return "control"
    if len(joined) > MAX_NAME_LENGTH:
        return "long"
    return None


def check_counting(counting: str) -> None:
    if counting not in COUNTINGS:
        raise ValueError(f"unknown counting {counting!r}; expected one of {', '.join(COUNTINGS)}")


def check_death(death_date: dt.date) -> None:
    if death_date > LATEST_DEATH:
        raise ValueError(f"a date of death after {LATEST_DEATH} is out of range")


def nth_day(death_date: dt.date, number: int, counting: str) -> dt.date:
    """The date of day ``number`` of the mourning under ``counting``."""
    check_counting(counting)
    offset = number - 1 if counting == "death-day" else number
    return death_date + dt.timedelta(days=offset)


def anniversary(death_date: dt.date, number: int) -> dt.date:
    """The ``number``-th anniversary; a 29 February death falls on 28 February in common years."""
    return date_in_year(death_date.month, death_date.day, death_date.year + number)[0]


def remembrance_dates(
    death_date: dt.date,
    counting: str,
    start: dt.date,
    end: dt.date,
    thursdays: bool = False,
) -> list[Remembrance]:
    """The observances from ``start`` to ``end`` (both included), in date order."""
    check_counting(counting)
    check_death(death_date)
    found: list[Remembrance] = []
    fortieth = nth_day(death_date, 40, counting)
    for number in CUSTOMARY_DAYS:
        found.append(Remembrance(nth_day(death_date, number, counting), "day", number))
    if thursdays:
        first = death_date + dt.timedelta(days=(THURSDAY - death_date.weekday() - 1) % 7 + 1)
        day, number = first, 1
        while day <= fortieth:
            found.append(Remembrance(day, "thursday", number))
            day, number = day + dt.timedelta(days=7), number + 1
    first_year = max(1, start.year - death_date.year - 1)
    last_year = min(end.year, dt.date.max.year - 1) - death_date.year
    for number in range(first_year, max(last_year, 0) + 1):
        found.append(Remembrance(anniversary(death_date, number), "anniversary", number))
    order = {kind: i for i, kind in enumerate(KINDS)}
    return sorted(
        (r for r in found if start <= r.date <= end),
        key=lambda r: (r.date, order[r.kind], r.number),
    )


MOVING_KINDS = ("day", "thursday")  # the kinds whose date depends on the counting

# (kind, martyr) -> the message; N_ marks them for `make translations`
_TITLES = {
    ("day", False): N_("{number:ordinal} day after the death of {name}"),
    ("thursday", False): N_("{number:ordinal} Thursday evening after the death of {name}"),
    ("anniversary", False): N_("{number:ordinal} anniversary of the death of {name}"),
    ("day", True): N_("{number:ordinal} day after the martyrdom of {name}"),
    ("thursday", True): N_("{number:ordinal} Thursday evening after the martyrdom of {name}"),
    ("anniversary", True): N_("{number:ordinal} anniversary of the martyrdom of {name}"),
}
_PHRASES = {
    ("day", False): N_("{number:ordinal} day after the death"),
    ("thursday", False): N_("{number:ordinal} Thursday evening after the death"),
    ("anniversary", False): N_("{number:ordinal} anniversary of the death"),
    ("day", True): N_("{number:ordinal} day after the martyrdom"),
    ("thursday", True): N_("{number:ordinal} Thursday evening after the martyrdom"),
    ("anniversary", True): N_("{number:ordinal} anniversary of the martyrdom"),
}


def remembrance_title(
    item: Remembrance, name: str, words: Words, martyr: bool = False, after_colon: bool = False
) -> str:
    """The observance's title for the person ``name`` (see docs/REMEMBRANCE.md).

    A martyr (a name linked to a memorial day) is named as one: az "Şəhid Rəşidin
    şəhadətinin 7-ci ildönümü", ru "Шехид Рашид — 7-я годовщина со дня гибели".
    ``after_colon`` is the martyr's title after "Tomorrow:" in a subject, from its own
    catalog entries (context "martyr, after a colon"): ru writes "шехид" in lower case
    there, az keeps "Şəhid". A name no az genitive can be built for gets a pattern
    that needs none ("Анар — vəfatının 5-ci ildönümü").
    """
    name = " ".join(name.split())
    number = words.number(item.number)
    try:
        if martyr and after_colon:
            return _martyr_title_after_colon(item.kind, words, number, words.name(name))
        return words.gettext(_TITLES[item.kind, martyr], number=number, name=words.name(name))
    except NoCaseForm:
        phrase = remembrance_phrase(item, words, martyr)
        if martyr and after_colon:
            return words.pgettext(
                "martyr, after a colon", "{phrase} of {name}", phrase=phrase, name=name
            )
        if martyr:
            return words.pgettext("martyr", "{phrase} of {name}", phrase=phrase, name=name)
        return words.gettext("{phrase} of {name}", phrase=phrase, name=name)


def _martyr_title_after_colon(kind: str, words: Words, number: object, name: object) -> str:
    """A martyr's title inside a sentence (after a colon); literal calls for extraction."""
    if kind == "day":
        return words.pgettext(
            "martyr, after a colon",
            "{number:ordinal} day after the martyrdom of {name}",
            number=number,
            name=name,
        )
    if kind == "thursday":
        return words.pgettext(
            "martyr, after a colon",
            "{number:ordinal} Thursday evening after the martyrdom of {name}",
            number=number,
            name=name,
        )
    return words.pgettext(
        "martyr, after a colon",
        "{number:ordinal} anniversary of the martyrdom of {name}",
        number=number,
        name=name,
    )


def remembrance_phrase(item: Remembrance, words: Words, martyr: bool = False) -> str:
    """The title without a name (for the CLI without --name): 'vəfatının 40-cı günü'."""
    return words.gettext(_PHRASES[item.kind, martyr], number=words.number(item.number))


def counting_label(counting: str, words: Words, martyr: bool = False) -> str:
    """How the family counts the days: 'the day of death is day 1'; for a martyr, from
    the day of martyrdom (az "şəhadət günü", ru "день гибели"), as the titles say."""
    check_counting(counting)
    if martyr:
        if counting == "death-day":
            return words.pgettext("counting of the days, martyr", "the day of death is day 1")
        return words.pgettext("counting of the days, martyr", "the day after the death is day 1")
    if counting == "death-day":
        return words.pgettext("counting of the days", "the day of death is day 1")
    return words.pgettext("counting of the days", "the day after the death is day 1")


def counting_matters(item: Remembrance) -> bool:
    """Whether the counting moves this observance: the 3rd, 7th, 40th days and the
    Thursdays; never an anniversary, which falls on the date of death."""
    return item.kind in MOVING_KINDS
