"""Pure: the iCalendar feed of the memorial days, rendered to bytes.

``render_calendar(days, options, year=…, base_url=…, data_changed=…)`` takes plain
values (model rows or any records with the same attributes) and returns the
bytes of one feed. It reads no clock and no database: the same inputs give the
same bytes, so two requests, or a request and a static export, agree.

Decisions (RFC 5545, RFC 7986 and how the four big clients behave):

- One VEVENT per (day, year), never an RRULE: the title names the anniversary
  ("37th anniversary of …") and changes every year. All-day, ``DTSTART;VALUE=DATE``
  and ``DTEND;VALUE=DATE`` the next day. Only years in which the day was officially
  observed are listed.
- UIDs are stable for ever and shared by the three languages:
  ``<slug>-<year>@<host>`` for the observance and ``<slug>-<year>-silence@<host>``
  for its minute of silence, ``host`` being the host of ``[server] base_url``. The
  az, en and ru feeds describe the same observance: a client whose subscription
  switches language, or that imports two languages into one calendar, updates
  the events in place instead of showing each day twice. Separate subscriptions
  are separate calendars in every client, so shared UIDs never collide there.
  Slugs (data-file ids) never change, so neither do the UIDs.
- The minute of silence is the day's first *verified* moment of kind
  minute-of-silence: a timed event at its local time with ``TZID`` (Asia/Baku) and
  a VTIMEZONE generated from zoneinfo for the feed's window. A nationwide minute
  of silence happens once a day; an unverified one is not shown as a timed
  event (the all-day event still describes it, marked as not verified).
- No METHOD: a subscription feed is not a scheduling message. METHOD:PUBLISH
  would require an ORGANIZER (RFC 5546) and ``method=PUBLISH`` in the
  Content-Type; without METHOD the Content-Type is plain ``text/calendar``.
- DTSTAMP and LAST-MODIFIED are ``data_changed`` (the data's last change, UTC),
  never the clock.
- No calendar-level UID (RFC 7986 makes it optional): clients that split a feed
  into items copy it into every event, so all events collide and one is shown.
- The VTIMEZONE has no COMMENT: libical's restriction check (Evolution, GNOME)
  rejects one there, and icalendar's ``Timezone.from_tzid`` writes one.
- DESCRIPTION: the day's summary, every figure (fact with a value) each with its
  own source(s), side by side where sources disagree, the day's customs, and the
  day's page. VALARM only on request (subscribed calendars drop alarms anyway).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vDuration, vText
from icalendar.enums import CLASS, TRANSP

from calendar_app.core.figures import figure_text
from calendar_app.core.languages import BAKU, LANGUAGES
from calendar_app.core.observances import DescribedDay, Observance, describe
from calendar_app.core.occurrences import occurrences_between
from calendar_app.core.ordinals import dashed
from calendar_app.core.presentation import local_today
from calendar_app.core.sources import NamedSource, citation
from calendar_app.core.vtimezones import vtimezone
from calendar_app.core.words import Words, words_for

MINUTE_OF_SILENCE = "minute-of-silence"
PRODID = "-//Commemoration Calendar//Memorial days of Azerbaijan//{lang}"
COLOR = "darkslategray"  # RFC 7986 wants a CSS3 colour name
REFRESH = dt.timedelta(days=1)
ALARM_LIMIT = dt.timedelta(days=30)

_DURATION = re.compile(  # RFC 5545 dur-value: weeks alone, or days and/or a time part
    r"(?P<sign>[+-]?)P(?:(?P<weeks>[0-9]{1,4})W"
    r"|(?=[0-9]|T[0-9])(?:(?P<days>[0-9]{1,5})D)?(?:T(?=[0-9])(?:(?P<hours>[0-9]{1,6})H)?"
    r"(?:(?P<minutes>[0-9]{1,7})M)?(?:(?P<seconds>[0-9]{1,9})S)?)?)\Z"
)


CitedSource = NamedSource


class FeedFact(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def value(self) -> int | None: ...
    @property
    def qualifier(self) -> str: ...
    @property
    def label(self) -> Mapping[str, str]: ...
    @property
    def is_verified(self) -> bool: ...
    @property
    def sources(self) -> Sequence[CitedSource]: ...


class FeedMoment(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def local_time(self) -> dt.time: ...
    @property
    def timezone(self) -> str: ...
    @property
    def duration_minutes(self) -> int: ...
    @property
    def description(self) -> Mapping[str, str]: ...
    @property
    def is_verified(self) -> bool: ...
    @property
    def sources(self) -> Sequence[CitedSource]: ...


class FeedDay(DescribedDay, Protocol):
    """What the feed needs from a memorial day (a model row or a plain record)."""

    @property
    def is_non_working(self) -> bool: ...
    @property
    def facts(self) -> Sequence[FeedFact]: ...
    @property
    def moments(self) -> Sequence[FeedMoment]: ...


@dataclass(frozen=True)
class FeedOptions:
    """Everything a subscriber can choose; equal options give equal feeds."""

    lang: str
    include_silence: bool = True
    alarm: dt.timedelta | None = None  # VALARM trigger before the start, 0 to 30 days
    years_back: int = 2
    years_ahead: int = 10
    slug: str | None = None  # one day's feed; None for all days

    def __post_init__(self) -> None:
        if self.lang not in LANGUAGES:
            raise ValueError(f"unknown language {self.lang!r}; use one of {', '.join(LANGUAGES)}")
        if self.years_back < 0 or self.years_ahead < 0:
            raise ValueError("years_back and years_ahead must not be negative")
        if self.alarm is not None:
            check_alarm(self.alarm)


def parse_alarm(text: str) -> dt.timedelta:
    """An RFC 5545 duration such as -P1D or -PT2H, 0 to 30 days before the start.

    Stricter than icalendar's parser, which accepts "P" and "-P1DT".
    """
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"alarm {text!r} is not a duration such as -P1D or -PT2H")
    parts = {k: int(v or 0) for k, v in match.groupdict().items() if k != "sign"}
    try:
        delta = dt.timedelta(**parts)
    except OverflowError:
        raise ValueError(f"alarm {text!r} is out of range (0 to 30 days before)") from None
    alarm = -delta if match["sign"] == "-" else delta
    check_alarm(alarm)
    return alarm


def check_alarm(alarm: dt.timedelta) -> None:
    if alarm > dt.timedelta(0):
        raise ValueError("alarm must not be after the start; use a negative duration such as -P1D")
    if -alarm > ALARM_LIMIT:
        raise ValueError("alarm must be at most 30 days before (-P30D)")


def feed_window(year: int, years_back: int, years_ahead: int) -> tuple[dt.date, dt.date]:
    """Whole calendar years around ``year``: 1 January to 31 December, both included."""
    return dt.date(year - years_back, 1, 1), dt.date(year + years_ahead, 12, 31)


def feed_year(now: dt.datetime) -> int:
    """The year the window is built around: the current year in Baku."""
    return local_today(now).year


def year_start_utc(year: int) -> dt.datetime:
    """The moment the window last moved: 1 January 00:00 in Baku, in UTC."""
    return dt.datetime(year, 1, 1, tzinfo=BAKU).astimezone(dt.UTC)


def feed_host(base_url: str) -> str:
    host = urlsplit(base_url).hostname
    if not host:
        raise ValueError(f"base_url has no host: {base_url!r}")
    return host


def observance_uid(slug: str, year: int, host: str) -> str:
    return f"{slug}-{year}@{host}"


def silence_uid(slug: str, year: int, host: str) -> str:
    return f"{slug}-{year}-silence@{host}"


def day_page_url(base_url: str, slug: str, lang: str | None = None) -> str:
    """The public address of a day's page in ``lang`` (without: in the reader's language)."""
    return f"{base_url.rstrip('/')}" + (f"/{lang}" if lang else "") + f"/days/{slug}"


def render_calendar(
    days: Iterable[FeedDay],
    options: FeedOptions,
    *,
    year: int,
    base_url: str,
    data_changed: dt.datetime,
) -> bytes:
    """The feed's bytes: CRLF lines folded at 75 octets, UTF-8."""
    words = words_for(options.lang)
    base_url = base_url.rstrip("/")
    host = feed_host(base_url)
    stamp = utc(data_changed)
    chosen = list(days)
    if options.slug is not None:
        chosen = [day for day in chosen if day.slug == options.slug]
        if not chosen:
            raise ValueError(f"no memorial day {options.slug!r}")
    start, end = feed_window(year, options.years_back, options.years_ahead)

    calendar = calendar_component(chosen, options, words, base_url, stamp)
    silences = {d.slug: minute_of_silence(d) if options.include_silence else None for d in chosen}
    for tzid in sorted({m.timezone for m in silences.values() if m is not None}):
        calendar.add_component(vtimezone(tzid, start, end + dt.timedelta(days=1)))
    descriptions: dict[str, str] = {}  # the same every year: built once per day
    for occurrence in occurrences_between(chosen, start, end):
        if not occurrence.is_observed:
            continue
        day: FeedDay = occurrence.day
        observance = describe(occurrence, words)
        url = day_page_url(base_url, day.slug, words.lang)
        if day.slug not in descriptions:
            descriptions[day.slug] = observance_description(day, observance, url, words)
        calendar.add_component(
            observance_event(
                day, observance, descriptions[day.slug], options, words, host, url, stamp
            )
        )
        silence = silences[day.slug]
        if silence is not None:
            calendar.add_component(
                silence_event(day, silence, observance, options, words, host, url, stamp)
            )
    return bytes(calendar.to_ical())


def calendar_component(
    days: Sequence[FeedDay], options: FeedOptions, words: Words, base_url: str, stamp: dt.datetime
) -> Calendar:
    lang = options.lang
    if options.slug is None:
        name = words.pgettext("feed", "Memorial days of Azerbaijan")
        description = words.pgettext(
            "feed",
            "Azerbaijan's memorial days: each year's anniversary, the key figures as each "
            "source gives them, and a link to the day's page.",
        )
        url = f"{base_url}/{words.lang}/"
    else:
        (day,) = days
        name, description = day.name[lang], day.summary[lang]
        url = day_page_url(base_url, day.slug, lang)
    return subscribed_calendar(
        prodid=PRODID.format(lang=lang.upper()),
        name=name,
        description=description,
        color=COLOR,
        url=url,
        last_modified=stamp,
        refresh=REFRESH,
    )


def subscribed_calendar(*, refresh: dt.timedelta, **properties: Any) -> Calendar:
    """A VCALENDAR for clients that subscribe: no calendar-level UID (clients that split a
    feed copy it into every event), and how often to poll in both spellings clients read."""
    calendar = Calendar.new(refresh_interval=refresh, **properties)
    del calendar["UID"]  # Calendar.new makes up a random one when given none
    for key in ("NAME", "X-WR-CALNAME"):  # icalendar writes them unescaped; they are TEXT
        if key in calendar:
            calendar[key] = vText(str(calendar[key]))
    # icalendar writes REFRESH-INTERVAL without the VALUE=DURATION that RFC 7986 requires
    calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"
    calendar.add("X-PUBLISHED-TTL", vDuration(refresh))
    return calendar


def observance_event(
    day: FeedDay,
    observance: Observance,
    description: str,
    options: FeedOptions,
    words: Words,
    host: str,
    url: str,
    stamp: dt.datetime,
) -> Event:
    categories = [_category(words)]
    if day.is_non_working:
        categories.append(words.pgettext("feed", "Non-working day"))
    event = Event.new(
        uid=observance_uid(day.slug, observance.date.year, host),
        stamp=stamp,
        last_modified=stamp,
        start=observance.date,
        end=observance.date + dt.timedelta(days=1),
        summary=observance.title,
        description=description,
        url=url,
        categories=categories,
        transparency=TRANSP.TRANSPARENT,
        classification=CLASS.PUBLIC,
    )
    return _finish(event, observance.title, options)


def silence_event(
    day: FeedDay,
    moment: FeedMoment,
    observance: Observance,
    options: FeedOptions,
    words: Words,
    host: str,
    url: str,
    stamp: dt.datetime,
) -> Event:
    lang = options.lang
    begins = dt.datetime.combine(observance.date, moment.local_time, ZoneInfo(moment.timezone))
    summary = dashed(words, _silence(words), observance.name)
    description = "\n\n".join(
        [moment.description[lang], _citation_line(moment.sources, words), _more(url, words)]
    )
    event = Event.new(
        uid=silence_uid(day.slug, observance.date.year, host),
        stamp=stamp,
        last_modified=stamp,
        start=begins,
        end=begins + dt.timedelta(minutes=moment.duration_minutes),
        summary=summary,
        description=description,
        url=url,
        categories=[_category(words), _silence(words)],
        transparency=TRANSP.TRANSPARENT,
        classification=CLASS.PUBLIC,
    )
    return _finish(event, summary, options)


def _finish(event: Event, summary: str, options: FeedOptions) -> Event:
    for name in ("SUMMARY", "DESCRIPTION"):
        event[name].params["LANGUAGE"] = options.lang
    if options.alarm is not None:
        event.add_component(Alarm.new_display(description=summary, trigger=options.alarm))
    return event


def minute_of_silence(day: FeedDay) -> FeedMoment | None:
    return next(
        (m for m in day.moments if m.kind == MINUTE_OF_SILENCE and m.is_verified),
        None,
    )


def observance_description(day: FeedDay, observance: Observance, url: str, words: Words) -> str:
    lang = words.lang
    parts = [observance.summary]
    if day.is_non_working:
        parts.append(words.pgettext("feed", "A non-working day in Azerbaijan."))
    figures = [fact for fact in day.facts if fact.value is not None]
    if figures:
        lines = [words.pgettext("feed", "Key figures, as each source gives them:")]
        if _figures_differ(figures):
            lines.append(
                words.pgettext("feed", "The sources give different figures; all of them are shown.")
            )
        lines.extend(f"• {_figure_line(fact, words)}" for fact in figures)
        parts.append("\n".join(lines))
    for moment in day.moments:
        parts.append(moment.description[lang] + _unverified(moment.is_verified, words))
    parts.append(_more(url, words))
    return "\n\n".join(parts)


def _figure_line(fact: FeedFact, words: Words) -> str:
    assert fact.value is not None
    figure = figure_text(fact.value, fact.qualifier, words)
    label = fact.label[words.lang] + _unverified(fact.is_verified, words)
    return f"{dashed(words, figure, label)}. {_citation_line(fact.sources, words)}"


def _figures_differ(figures: Sequence[FeedFact]) -> bool:
    """Whether two sources give different figures for the same thing."""
    seen: dict[str, set[tuple[int | None, str]]] = {}
    for fact in figures:
        seen.setdefault(fact.kind, set()).add((fact.value, fact.qualifier))
    return any(len(values) > 1 for values in seen.values())


def _citation_line(sources: Sequence[CitedSource], words: Words) -> str:
    cited = "; ".join(citation(s, words) for s in sources)
    if len(sources) > 1:
        return words.pgettext("feed", "Sources: {sources}", sources=cited)
    return words.pgettext("feed", "Source: {source}", source=cited)


def _unverified(is_verified: bool, words: Words) -> str:
    return "" if is_verified else " " + words.pgettext("feed", "(not verified)")


def _more(url: str, words: Words) -> str:
    return words.pgettext("feed", "More: {url}", url=url)


def _category(words: Words) -> str:
    # generic, unlike the name of 27 September ("Anım Günü", "День памяти")
    return words.pgettext("feed", "Memorial day")


def _silence(words: Words) -> str:
    return words.pgettext("feed", "Minute of silence")


def utc(moment: dt.datetime) -> dt.datetime:
    """Naive datetimes are UTC (the database stores them so)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)
