"""Pure: the days of one name side by side in both countings, for /remember's preview.

``preview_rows(person, today, words)`` gives the table the sign-up form shows before
anything is stored: in the first year after the death, every day of the forty days
(the 3rd, 7th, 40th and, if chosen, the Thursday evenings), past ones included and
marked; then the next ``ANNIVERSARIES_SHOWN`` anniversaries from today. Each row has
one date per counting (``COUNTINGS`` order); a row whose date is the same in both (an
anniversary, a Thursday) is marked ``same``. Why the past days stay: docs/REMEMBRANCE.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from calendar_app.core.dates import long_date
from calendar_app.core.remembrance import (
    COUNTINGS,
    KINDS,
    NamedPerson,
    Remembrance,
    anniversary,
    remembrance_dates,
    remembrance_title,
)
from calendar_app.core.words import Words

ANNIVERSARIES_SHOWN = 3


class PreviewPerson(NamedPerson, Protocol):
    """A name as entered on the form (reminders.remembrance.Entry has these)."""

    @property
    def day_slug(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class PreviewCell:
    """One date of a row under one counting."""

    date: dt.date
    text: str  # as the language writes it, with the weekday: "3 yanvar 2027, bazar"
    when: str  # "past", "today" or "coming"


@dataclass(frozen=True, slots=True)
class PreviewRow:
    kind: str  # "day", "thursday" or "anniversary"
    number: int
    title: str  # the calendar's title: "Anarın vəfatının 40-cı günü"
    cells: tuple[PreviewCell | None, ...]  # one per counting, COUNTINGS order; None: no such day

    @property
    def same(self) -> bool:
        """The same date whatever the counting (every anniversary, most Thursdays)."""
        return len(set(self.cells)) == 1


def _when(day: dt.date, today: dt.date) -> str:
    if day < today:
        return "past"
    return "today" if day == today else "coming"


def next_anniversaries(died_on: dt.date, today: dt.date, count: int) -> list[Remembrance]:
    """The first ``count`` anniversaries on or after ``today``."""
    found: list[Remembrance] = []
    number = max(1, today.year - died_on.year - 1)
    while len(found) < count and died_on.year + number < dt.date.max.year:
        day = anniversary(died_on, number)
        if day >= today:
            found.append(Remembrance(day, "anniversary", number))
        number += 1
    return found


def preview_rows(person: PreviewPerson, today: dt.date, words: Words) -> list[PreviewRow]:
    """The rows of the person's table, in date order (see the module's docstring)."""
    first_year = anniversary(person.died_on, 1)
    by_occasion: dict[str, dict[str, Remembrance]] = {}
    if today < first_year:  # the forty days are this year's: show them all
        for counting in COUNTINGS:
            end = first_year - dt.timedelta(days=1)
            for item in remembrance_dates(
                person.died_on, counting, person.died_on, end, person.thursdays
            ):
                by_occasion.setdefault(item.occasion, {})[counting] = item
    for item in next_anniversaries(person.died_on, today, ANNIVERSARIES_SHOWN):
        by_occasion[item.occasion] = dict.fromkeys(COUNTINGS, item)
    martyr = person.day_slug is not None
    rows = []
    for items in by_occasion.values():
        first = next(iter(items.values()))
        cells = tuple(
            PreviewCell(i.date, long_date(i.date, words.lang), _when(i.date, today))
            if (i := items.get(counting))
            else None
            for counting in COUNTINGS
        )
        title = remembrance_title(first, person.name, words, martyr=martyr)
        rows.append(PreviewRow(first.kind, first.number, title, cells))
    order = {kind: i for i, kind in enumerate(KINDS)}
    return sorted(
        rows,
        key=lambda r: (min(c.date for c in r.cells if c), order[r.kind], r.number),
    )
