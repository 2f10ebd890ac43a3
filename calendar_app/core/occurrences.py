"""Pure: which occurrences (a memorial day on its date in a year) fall between two dates.

A memorial day recurs every year on its month and day; its anniversary in a year
is ``year - events_year`` and it has occurrences only in the years after the year
of the events. A day fixed on 29 February falls on 28 February in common years
(``is_moved`` says so); none of the current days is on 29 February.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar


class DaySpec(Protocol):
    """What occurrences need from a memorial day (a model row or a plain record)."""

    @property
    def slug(self) -> str: ...
    @property
    def month(self) -> int: ...
    @property
    def day(self) -> int: ...
    @property
    def events_year(self) -> int: ...
    @property
    def first_observed_year(self) -> int: ...


D = TypeVar("D", bound=DaySpec)


class Jubilee(enum.Enum):
    """Round anniversaries: every 5th, and the 25th, 50th, 75th, 100th … called out."""

    ROUND = "round"
    MAJOR = "major"


def jubilee_of(anniversary: int) -> Jubilee | None:
    if anniversary % 25 == 0:
        return Jubilee.MAJOR
    if anniversary % 5 == 0:
        return Jubilee.ROUND
    return None


@dataclass(frozen=True)
class Occurrence(Generic[D]):
    """One year's observance of a memorial day."""

    day: D
    date: dt.date
    anniversary: int
    jubilee: Jubilee | None
    is_observed: bool  # officially observed as this day in that year
    is_moved: bool  # 29 February observed on 28 February in a common year

    @property
    def slug(self) -> str:
        return self.day.slug

    @property
    def is_jubilee(self) -> bool:
        return self.jubilee is not None


def date_in_year(month: int, day: int, year: int) -> tuple[dt.date, bool]:
    """The observance date of (month, day) in ``year``, and whether it was moved."""
    if month == 2 and day == 29 and not calendar.isleap(year):
        return dt.date(year, 2, 28), True
    return dt.date(year, month, day), False


def occurrence_in_year(day: D, year: int) -> Occurrence[D] | None:
    """The day's occurrence in ``year``, or None in and before the year of its events."""
    anniversary = year - day.events_year
    if anniversary < 1:
        return None
    when, moved = date_in_year(day.month, day.day, year)
    return Occurrence(
        day=day,
        date=when,
        anniversary=anniversary,
        jubilee=jubilee_of(anniversary),
        is_observed=year >= day.first_observed_year,
        is_moved=moved,
    )


def occurrences_between(days: Iterable[D], start: dt.date, end: dt.date) -> list[Occurrence[D]]:
    """Every occurrence with ``start <= date <= end``, ordered by date, then slug."""
    if end < start:
        raise ValueError(f"the range ends ({end}) before it starts ({start})")
    found = []
    for day in days:
        for year in range(start.year, end.year + 1):
            occurrence = occurrence_in_year(day, year)
            if occurrence is not None and start <= occurrence.date <= end:
                found.append(occurrence)
    found.sort(key=lambda o: (o.date, o.slug))
    return found
