"""Pure: the coming days of remembrance of a family's names, for the manage page and its print.

For each name, the days from today to the day before the same date next year:
the 3rd, 7th and 40th days and the Thursday evenings still ahead, and the next
anniversary. Dates are written out in the reader's language (core/dates.py),
titles are the feed's (core/remembrance.py); the counting is named only when one
of the listed days depends on it (never for an anniversary alone).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from calendar_app.core.dates import long_date
from calendar_app.core.occurrences import date_in_year
from calendar_app.core.remembrance import (
    NamedPerson,
    counting_label,
    counting_matters,
    remembrance_dates,
    remembrance_title,
)
from calendar_app.core.words import Words

ComingPerson = NamedPerson  # a stored name: models.RememberedPerson


@dataclass(frozen=True)
class ComingDay:
    date: dt.date
    when: str  # "7 yanvar 2027, çərşənbə"
    title: str  # "Anarın vəfatının 40-cı günü"


@dataclass(frozen=True)
class ComingDays:
    """One name's coming days, in date order."""

    name: str
    days: tuple[ComingDay, ...]
    counting: str | None  # "the day of death is day 1", when a listed day depends on it


def year_ahead(today: dt.date) -> dt.date:
    """The last day of the year from ``today``: the day before the same date next year
    (from 29 February: 27 February, the day before 28 February of a common year)."""
    return date_in_year(today.month, today.day, today.year + 1)[0] - dt.timedelta(days=1)


def coming_days(person: ComingPerson, words: Words, today: dt.date, martyr: bool) -> ComingDays:
    """The person's days from ``today`` to ``year_ahead(today)``, both included."""
    dates = remembrance_dates(
        person.died_on, person.counting, today, year_ahead(today), person.thursdays
    )
    days = tuple(
        ComingDay(
            item.date,
            long_date(item.date, words.lang),
            remembrance_title(item, person.name, words, martyr=martyr),
        )
        for item in dates
    )
    moved = any(counting_matters(item) for item in dates)
    counting = counting_label(person.counting, words, martyr) if moved else None
    return ComingDays(" ".join(person.name.split()), days, counting)


def family_coming_days(
    people: Sequence[tuple[ComingPerson, bool]], words: Words, today: dt.date
) -> list[ComingDays]:
    """Each (person, martyr)'s coming days, in the order given."""
    return [coming_days(person, words, today, martyr) for person, martyr in people]
