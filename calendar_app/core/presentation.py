"""Pure: what the site shows, built from loaded records and an explicit today.

Views fetch rows, call these and render; nothing here imports Flask or runs a
query. Dates are Azerbaijani dates: "today" is today in Baku, wherever the
server or the reader is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton

from calendar_app.core.dates import BABEL_LOCALES, short_date
from calendar_app.core.figures import figure_text
from calendar_app.core.languages import BAKU, BAKU_ZONE
from calendar_app.core.observances import Observance
from calendar_app.core.occurrences import date_in_year
from calendar_app.core.ordinals import dashed
from calendar_app.core.words import Words

if TYPE_CHECKING:
    from calendar_app.data.models import Fact, MemorialDay, Moment, Source

ANNIVERSARY_YEARS_BACK = 3
ANNIVERSARY_YEARS_AHEAD = 10


def local_today(now: dt.datetime) -> dt.date:
    """The date in Baku at the instant ``now`` (which must be timezone-aware)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(BAKU).date()


def add_years(day: dt.date, years: int) -> dt.date:
    """The same month and day ``years`` later (29 February becomes 28 February);
    clamped to the last date Python knows."""
    year = day.year + years
    if year > dt.MAXYEAR:
        return dt.date.max
    return date_in_year(day.month, day.day, year)[0]


def years_window(start: dt.date, years: int) -> tuple[dt.date, dt.date]:
    """From ``start`` up to the day before the same date ``years`` later."""
    end = add_years(start, years)
    return start, end if end == dt.date.max else end - dt.timedelta(days=1)


def anniversary_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The years a day page tabulates: a few back, ten ahead, whole calendar years."""
    first = max(dt.MINYEAR, today.year - ANNIVERSARY_YEARS_BACK)
    last = min(dt.MAXYEAR, today.year + ANNIVERSARY_YEARS_AHEAD)
    return dt.date(first, 1, 1), dt.date(last, 12, 31)


def paragraphs(text: str) -> list[str]:
    """A history text split at its blank lines."""
    return [part.strip() for part in text.strip().split("\n\n") if part.strip()]


# --- moments -----------------------------------------------------------------------


@dataclass(frozen=True)
class MomentTime:
    """A custom fixed in local time, placed on one date."""

    moment: Moment
    at: dt.datetime  # aware, in the moment's own zone

    @property
    def local_time(self) -> str:
        return self.at.strftime("%H:%M")

    @property
    def utc_offset(self) -> str:
        """'UTC+4', 'UTC+5:30', 'UTC−3' (what the reader compares with their own)."""
        offset = self.at.utcoffset() or dt.timedelta(0)
        minutes = int(offset.total_seconds()) // 60
        sign = "+" if minutes >= 0 else "−"
        hours, rest = divmod(abs(minutes), 60)
        return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")

    @property
    def is_baku_time(self) -> bool:
        return self.moment.timezone == BAKU_ZONE


def moment_on(moment: Moment, day: dt.date) -> MomentTime:
    at = dt.datetime.combine(day, moment.local_time, tzinfo=ZoneInfo(moment.timezone))
    return MomentTime(moment, at)


# --- the coming observances --------------------------------------------------------


@dataclass(frozen=True)
class Upcoming:
    """One coming observance as the home page and the widget list it."""

    observance: Observance
    days_left: int
    moments: tuple[MomentTime, ...] = ()

    @property
    def is_today(self) -> bool:
        return self.days_left == 0


def upcoming(
    observances: Iterable[Observance],
    days: Mapping[str, MemorialDay],
    today: dt.date,
) -> list[Upcoming]:
    """The observances from today on, with the days left and their moments that day."""
    found = []
    for o in observances:
        if o.date < today:
            continue
        day = days.get(o.slug)
        moments = tuple(moment_on(m, o.date) for m in day.moments) if day else ()
        found.append(Upcoming(o, (o.date - today).days, moments))
    return found


# --- figures -----------------------------------------------------------------------


@dataclass(frozen=True)
class FigureGroup:
    """The facts of one kind on one day; several values mean the sources disagree."""

    kind: str
    facts: tuple[Fact, ...]

    @property
    def disagree(self) -> bool:
        return len({(f.value, f.qualifier) for f in self.facts}) > 1


@dataclass(frozen=True)
class FigureBlock:
    """Figures shown together: one disagreeing kind, or a run of kinds that agree."""

    facts: tuple[Fact, ...]
    disagree: bool


@dataclass(frozen=True)
class DayFigures:
    groups: list[FigureGroup] = field(default_factory=list)  # figures with a value
    statements: list[Fact] = field(default_factory=list)  # facts without one

    @property
    def blocks(self) -> list[FigureBlock]:
        """Each disagreeing kind on its own; neighbouring undisputed figures share a block."""
        blocks: list[FigureBlock] = []
        for group in self.groups:
            if not group.disagree and blocks and not blocks[-1].disagree:
                blocks[-1] = FigureBlock(blocks[-1].facts + group.facts, False)
            else:
                blocks.append(FigureBlock(group.facts, group.disagree))
        return blocks


def day_figures(facts: Iterable[Fact]) -> DayFigures:
    """Group figures by kind, in the order each kind first appears; keep every value."""
    by_kind: dict[str, list[Fact]] = {}
    statements = []
    for fact in facts:
        if fact.value is None:
            statements.append(fact)
        else:
            by_kind.setdefault(fact.kind, []).append(fact)
    return DayFigures([FigureGroup(k, tuple(v)) for k, v in by_kind.items()], statements)


def fact_figure(fact: Fact, words: Words) -> str:
    """'131', 'more than 700', '700-dən çox', 'около 800'."""
    if fact.value is None:
        return ""
    return figure_text(fact.value, fact.qualifier, words)


# --- dates of records --------------------------------------------------------------


def dated(day: dt.date, precision: str, lang: str) -> str:
    """A date written only as precisely as it is known: '1988', 'February 1992', a full date."""
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return str(format_skeleton("yMMMM", day, locale=BABEL_LOCALES[lang]))
    return short_date(day, lang)


def iso_dated(day: dt.date, precision: str) -> str:
    """The machine-readable form of the same: '1988', '1992-02', '1992-02-26'."""
    return {"year": day.isoformat()[:4], "month": day.isoformat()[:7]}.get(
        precision, day.isoformat()
    )


def source_date(source: Source, lang: str) -> str:
    if source.published_on is not None:
        return short_date(source.published_on, lang)
    return str(source.published_year) if source.published_year else ""


# --- sources and what they support -------------------------------------------------


@dataclass(frozen=True)
class Citation:
    """A record that cites a source: its id on the day page and what it says."""

    anchor: str  # the record's id on the day page
    section: str  # facts, legal-acts, moments or timeline
    text: str


@dataclass(frozen=True)
class DayCitations:
    """The records of one day that cite one source."""

    day_slug: str
    day_name: str
    citations: list[Citation]


def cited_sources(day: MemorialDay) -> list[Source]:
    """Every source a day's records cite, once each, in data-file order."""
    cited: list[list[Source]] = [
        *(f.sources for f in day.facts),
        *(a.sources for a in day.legal_acts),
        *(m.sources for m in day.moments),
        *(t.sources for t in day.timeline),
    ]
    found: dict[str, Source] = {}
    for sources in cited:
        for source in sources:
            found.setdefault(source.key, source)
    return sorted(found.values(), key=lambda s: s.position)


def citations_by_source(days: Sequence[MemorialDay], words: Words) -> dict[str, list[DayCitations]]:
    """For each source key, the records that cite it, grouped by day in the days' order."""
    lang = words.lang
    found: dict[str, list[DayCitations]] = {}
    for day in days:
        for key, section, text, sources in _cited_records(day, words):
            for source in sources:
                groups = found.setdefault(source.key, [])
                if not groups or groups[-1].day_slug != day.slug:
                    groups.append(DayCitations(day.slug, day.name[lang], []))
                groups[-1].citations.append(Citation(key, section, text))
    return found


def _cited_records(
    day: MemorialDay, words: Words
) -> Iterable[tuple[str, str, str, Iterable[Source]]]:
    lang = words.lang
    for fact in day.facts:
        figure = fact_figure(fact, words)
        text = dashed(words, figure, fact.label[lang]) if figure else fact.label[lang]
        yield fact.key, "facts", text, fact.sources
    for act in day.legal_acts:
        yield act.key, "legal-acts", act.title[lang], act.sources
    for moment in day.moments:
        yield moment.key, "moments", moment.description[lang], moment.sources
    for entry in day.timeline:
        yield entry.key, "timeline", entry.title[lang], entry.sources
