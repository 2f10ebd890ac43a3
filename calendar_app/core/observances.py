"""Pure: an occurrence described in one language, as every edge shows it.

The CLI, the feed, the pages, the API and the e-mails all ask this module for
an observance's title, label and texts, so they never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from calendar_app.core.dates import long_date
from calendar_app.core.occurrences import DaySpec, Occurrence
from calendar_app.core.ordinals import (
    anniversary_label,
    anniversary_phrase,
    anniversary_title,
)
from calendar_app.core.words import Words


class DescribedDay(DaySpec, Protocol):
    """A day with its localized texts (a model row or a plain record)."""

    @property
    def name(self) -> Mapping[str, str]: ...
    @property
    def anniversary_of(self) -> Mapping[str, str]: ...
    @property
    def summary(self) -> Mapping[str, str]: ...


@dataclass(frozen=True)
class Observance:
    """One occurrence, in one language."""

    lang: str
    date: dt.date
    date_label: str
    slug: str
    name: str
    summary: str
    anniversary: int
    anniversary_label: str
    anniversary_phrase: str  # "37th anniversary of the 20 January tragedy"
    title: str  # the phrase, a dash and the day's name
    is_jubilee: bool
    jubilee: str | None  # "round" (every 5th) or "major" (25th, 50th, 75th, 100th …)
    is_observed: bool
    is_moved: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "date_label": self.date_label,
            "slug": self.slug,
            "name": self.name,
            "summary": self.summary,
            "anniversary": self.anniversary,
            "anniversary_label": self.anniversary_label,
            "title": self.title,
            "is_jubilee": self.is_jubilee,
            "jubilee": self.jubilee,
            "is_observed": self.is_observed,
            "is_moved": self.is_moved,
            "lang": self.lang,
        }


def describe(occurrence: Occurrence[Any], words: Words) -> Observance:
    lang = words.lang
    day: DescribedDay = occurrence.day
    name = day.name[lang]
    return Observance(
        lang=lang,
        date=occurrence.date,
        date_label=long_date(occurrence.date, lang),
        slug=occurrence.slug,
        name=name,
        summary=day.summary[lang],
        anniversary=occurrence.anniversary,
        anniversary_label=anniversary_label(occurrence.anniversary, words),
        anniversary_phrase=anniversary_phrase(
            occurrence.anniversary, words, day.anniversary_of[lang]
        ),
        title=observance_title(occurrence, words),
        is_jubilee=occurrence.is_jubilee,
        jubilee=occurrence.jubilee.value if occurrence.jubilee else None,
        is_observed=occurrence.is_observed,
        is_moved=occurrence.is_moved,
    )


def observance_title(occurrence: Occurrence[Any], words: Words) -> str:
    """The title alone ("37th anniversary of … — <name>"), without the rest of describe()."""
    day: DescribedDay = occurrence.day
    lang = words.lang
    return anniversary_title(
        occurrence.anniversary, words, day.anniversary_of[lang], day.name[lang]
    )
