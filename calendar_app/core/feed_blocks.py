"""Pure: feeds assembled from event blocks rendered once per data version.

Two feed variants (language, minute of silence, alarm, window, one day or all)
differ only in which events they list and in the alarm inside each event. So
each event is rendered once per (day, year, language) and data version, as
bytes, and a variant is the join of its blocks with the alarm's TRIGGER line
put in. The bytes are those of ``ics.render_calendar`` (the reference renderer,
which the e-mail attachment uses) for the same variant: tests compare the two
across many variants, and both with the golden files.

What each step costs:

- per (day, language, kind of event): one template rendered through icalendar
  (``ics.observance_event`` / ``ics.silence_event``), with an alarm only when a
  variant has one, where the long DESCRIPTION is escaped once, then cut into its
  content lines;
- per (day, year, language): only the lines that change with the year (SUMMARY,
  DTSTART, DTEND, UID and the alarm's DESCRIPTION): the name and parameters
  icalendar wrote for the template, then the year's value as icalendar writes
  it (``_writer``);
- per variant: the TRIGGER line once, and a join.

Every line is folded by ``ics_folding`` (icalendar's folding, on the bytes).

The days themselves (the caller's query) are read once per data version, the
first time a piece needs them: a window or language asked for the first time
then costs a plan and the blocks of its new years, not a query.

Memory: one LRU, bounded by the bytes it holds (``max_bytes``, 8 MiB by
default), and the days of the current version; a new data version drops
everything.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from icalendar import Alarm, Event
from icalendar.parser import Contentline, Parameters
from icalendar.prop import vDate, vDatetime, vDDDTypes, vText

from calendar_app.core.ics import (
    FeedDay,
    FeedMoment,
    FeedOptions,
    calendar_component,
    day_page_url,
    feed_host,
    feed_window,
    minute_of_silence,
    observance_description,
    observance_event,
    observance_uid,
    silence_event,
    silence_uid,
    utc,
)
from calendar_app.core.ics_folding import component_bytes, fold, fold_utf8
from calendar_app.core.observances import describe, observance_title
from calendar_app.core.occurrences import Occurrence, occurrences_between
from calendar_app.core.vtimezones import vtimezone
from calendar_app.core.words import words_for

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
_SENTINEL_ALARM = dt.timedelta(days=-30)  # any valid trigger: templates carry an alarm to cut
_END_ALARM = b"END:VALARM\r\n"  # after the TRIGGER line (checked when a template is cut)
_END_EVENT = b"END:VEVENT\r\n"
_END_CALENDAR = b"END:VCALENDAR\r\n"
_OBSERVANCE, _SILENCE = "observance", "silence"
_YEARLY = {  # the lines of a template that change with the year
    _OBSERVANCE: frozenset({"SUMMARY", "DTSTART", "DTEND", "UID", "VALARM:DESCRIPTION"}),
    _SILENCE: frozenset({"DTSTART", "DTEND", "UID"}),
}
_T = TypeVar("_T")
Lines = tuple["bytes | _Slot", ...]  # folded lines as icalendar writes them, or slots


@dataclass(frozen=True)
class _Slot:
    """A line that changes with the year: its name, the text before the value, its writer."""

    name: str  # "UID", or "VALARM:DESCRIPTION" for the alarm's
    prefix: bytes  # name and parameters as icalendar writes them, up to the colon, UTF-8
    write: Callable[[Any], bytes]  # the value as icalendar writes it (see _writer)

    def line(self, value: object) -> bytes:
        """The folded line for ``value``, as ``Contentline.from_parts(...).to_ical()``."""
        written = self.write(value)
        if written.startswith(codecs.BOM_UTF8):  # icalendar reads it back as "utf-8-sig"
            written = written[len(codecs.BOM_UTF8) :]
        return fold_utf8(self.prefix + written) + b"\r\n"


def _writer(value: Any) -> Callable[[Any], bytes]:
    """What writes a year's value of the property ``value`` is the template's value of.

    Text goes through icalendar's vText wherever RFC 5545 (3.3.11) escapes
    anything in it; text with nothing to escape is written as it is. A DATE, or
    a DATE-TIME that is not UTC (its zone is the TZID in the line's prefix, which
    icalendar wrote), is eight digits, or eight, T and six (3.3.4, 3.3.5), what
    vDate and vDatetime write. ``tests/test_feed_blocks.py`` checks each writer
    against icalendar's type, and every feed against the reference renderer.
    """
    if isinstance(value, vText):
        return _text
    if isinstance(value, vDDDTypes):
        typed = value.to_property_type()
        if isinstance(typed, vDate):
            return _date_digits
        if isinstance(typed, vDatetime) and not typed.is_utc():
            return _local_date_time_digits
        kind: type[Any] = type(typed)
    else:
        kind = type(value)

    def through_icalendar(year_value: Any) -> bytes:
        return bytes(kind(year_value).to_ical())

    return through_icalendar


_ESCAPED_IN_TEXT = re.compile(r"[\\;,\r\n]")  # RFC 5545, 3.3.11; "\N" has its backslash


def _text(text: str) -> bytes:
    if _ESCAPED_IN_TEXT.search(text) is None:
        return text.encode("utf-8")
    written: bytes = vText(text).to_ical()
    return written


def _date_digits(day: dt.date) -> bytes:
    return b"%04d%02d%02d" % (day.year, day.month, day.day)


def _local_date_time_digits(moment: dt.datetime) -> bytes:
    return b"%04d%02d%02dT%02d%02d%02d" % (
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
    )


@dataclass(frozen=True)
class _Template:
    """One kind of event for one (day, language): folded lines with slots for the year."""

    event: Lines  # BEGIN:VEVENT up to (without) BEGIN:VALARM
    alarm: Lines  # BEGIN:VALARM up to (without) the TRIGGER line, then _END_ALARM

    @property
    def size(self) -> int:
        return sum(len(x) if isinstance(x, bytes) else 128 for x in self.event + self.alarm)


@dataclass(frozen=True)
class _Plan:
    """Which blocks a (day or all, window) lists, in order, and the zones of its silences."""

    events: tuple[tuple[str, int, bool], ...]  # (slug, year, has a minute of silence)
    silence_zones: tuple[str, ...]
    occurrences: dict[tuple[str, int], Occurrence[Any]]  # of the events, by (slug, year)

    @property
    def size(self) -> int:
        return 64 * (len(self.events) + len(self.silence_zones) + 1) + 160 * len(self.occurrences)


class FeedBlocks:
    """Rendered pieces of feeds for one data version, bounded by bytes; thread-safe."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, _Template | _Plan | bytes] = OrderedDict()
        self._bytes = 0
        self._version: Hashable = None
        self._days: Sequence[FeedDay] | None = None  # of the version, once a piece needed them
        self._lock = threading.Lock()

    @property
    def bytes_held(self) -> int:
        with self._lock:
            return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self._version = None
            self._days = None

    def render(
        self,
        days: Callable[[], Sequence[FeedDay]],
        options: FeedOptions,
        *,
        year: int,
        base_url: str,
        data_changed: dt.datetime,
        version: Hashable,
    ) -> bytes:
        """The bytes ``ics.render_calendar`` gives for the same arguments.

        ``days`` is called only when a piece is missing (the caller's query);
        ``version`` names the data ``days`` returns: a new one drops every piece.
        Raises ValueError for a slug that names no day.
        """
        with self._lock:
            if version != self._version:
                self._entries.clear()
                self._bytes = 0
                self._version = version
                self._days = None
        base_url = base_url.rstrip("/")
        lang = options.lang

        def chosen() -> list[FeedDay]:
            picked = [d for d in self._days_of(version, days) if options.slug in (None, d.slug)]
            if not picked:
                raise ValueError(f"no memorial day {options.slug!r}")
            return picked

        start, end = feed_window(year, options.years_back, options.years_ahead)
        # Every key names the version: a request still rendering the old data while
        # another switches to the new one cannot leave old pieces under new keys.
        plan = self._get(("plan", version, options.slug, start, end), _Plan)
        if plan is None:
            plan = _make_plan(chosen(), start, end)
            self._put(("plan", version, options.slug, start, end), plan)
        header = self._get(("header", version, lang, options.slug, base_url), bytes)
        if header is None:
            header = component_bytes(
                calendar_component(chosen(), options, words_for(lang), base_url, utc(data_changed))
            )
            header = header[: -len(_END_CALENDAR)]
            self._put(("header", version, lang, options.slug, base_url), header)
        parts = [header]
        if options.include_silence:
            parts.extend(self._timezone(tzid, start, end) for tzid in plan.silence_zones)

        wanted = [
            (slug, y, kind)
            for slug, y, has_silence in plan.events
            for kind in ((_OBSERVANCE, _SILENCE) if has_silence else (_OBSERVANCE,))
            if kind == _OBSERVANCE or options.include_silence
        ]
        pieces = ("event", "alarm") if options.alarm is not None else ("event",)
        found: dict[tuple[str, int, str, str], bytes] = {}
        missing = []
        for key in ((*w, p) for w in wanted for p in pieces):
            block = self._get(("block", version, lang, base_url, *key), bytes)
            if block is None:
                missing.append(key)
            else:
                found[key] = block
        if missing:
            found.update(
                self._render_blocks(
                    plan.occurrences, missing, lang, base_url, data_changed, version
                )
            )

        trigger = None if options.alarm is None else _trigger_line(options.alarm)
        for w in wanted:
            parts.append(found[(*w, "event")])
            if trigger is not None:
                parts += (found[(*w, "alarm")], trigger, _END_ALARM)
            parts.append(_END_EVENT)
        parts.append(_END_CALENDAR)
        return b"".join(parts)

    def _render_blocks(
        self,
        occurrences: dict[tuple[str, int], Occurrence[Any]],
        missing: list[tuple[str, int, str, str]],
        lang: str,
        base_url: str,
        data_changed: dt.datetime,
        version: Hashable,
    ) -> dict[tuple[str, int, str, str], bytes]:
        """The missing (slug, year, kind, "event" or "alarm") blocks, rendered and kept."""
        host = feed_host(base_url)
        stamp = utc(data_changed)
        # a variant without an alarm needs no alarm in its templates: none is rendered
        with_alarm = any(piece == "alarm" for *_, piece in missing)
        templates: dict[tuple[str, str], _Template] = {}
        silences: dict[str, FeedMoment | None] = {}
        rendered = {}
        for key in missing:
            slug, year, kind, piece = key
            occurrence = occurrences[slug, year]
            day: FeedDay = occurrence.day
            template = templates.get((slug, kind))
            if template is None:
                template = templates[slug, kind] = self._template(
                    day, occurrence, kind, lang, (base_url, host, stamp, version), with_alarm
                )
            if kind == _OBSERVANCE:
                title = observance_title(occurrence, words_for(lang))
                values: dict[str, object] = {
                    "SUMMARY": title,
                    "DTSTART": occurrence.date,
                    "DTEND": occurrence.date + dt.timedelta(days=1),
                    "UID": observance_uid(slug, occurrence.date.year, host),
                    "VALARM:DESCRIPTION": title,
                }
            else:
                moment = silences.get(slug) or silences.setdefault(slug, minute_of_silence(day))
                # the plan lists silences only where one is
                assert moment is not None  # nosec B101
                begins = dt.datetime.combine(
                    occurrence.date, moment.local_time, ZoneInfo(moment.timezone)
                )
                values = {
                    "DTSTART": begins,
                    "DTEND": begins + dt.timedelta(minutes=moment.duration_minutes),
                    "UID": silence_uid(slug, occurrence.date.year, host),
                }
            block = _fill(template.event if piece == "event" else template.alarm, values)
            self._put(("block", version, lang, base_url, *key), block)
            rendered[key] = block
        return rendered

    def _template(
        self,
        day: FeedDay,
        occurrence: Occurrence[Any],
        kind: str,
        lang: str,
        where: tuple[str, str, dt.datetime, Hashable],
        with_alarm: bool,
    ) -> _Template:
        """The (day, language, kind) template, with its alarm lines if ``with_alarm``."""
        base_url, host, stamp, version = where
        key = ("template", version, lang, base_url, day.slug, kind)
        found = self._get((*key, True), _Template)  # one with an alarm serves both
        if found is None and not with_alarm:
            found = self._get((*key, False), _Template)
        if found is not None:
            return found
        options = FeedOptions(lang=lang, alarm=_SENTINEL_ALARM if with_alarm else None)
        words = words_for(lang)
        observance = describe(occurrence, words)
        url = day_page_url(base_url, day.slug, lang)
        if kind == _OBSERVANCE:
            description = observance_description(day, observance, url, words)
            event = observance_event(day, observance, description, options, words, host, url, stamp)
        else:
            moment: FeedMoment | None = minute_of_silence(day)
            assert moment is not None  # nosec B101
            event = silence_event(day, moment, observance, options, words, host, url, stamp)
        template = _cut(event, _YEARLY[kind])
        self._put((*key, with_alarm), template)
        return template

    def _days_of(
        self, version: Hashable, load: Callable[[], Sequence[FeedDay]]
    ) -> Sequence[FeedDay]:
        """The days of ``version``: loaded once, for every piece of it that needs them."""
        with self._lock:
            if self._days is not None and self._version == version:
                return self._days
        found = tuple(load())
        with self._lock:
            if self._version == version:
                self._days = found
        return found

    def _timezone(self, tzid: str, start: dt.date, end: dt.date) -> bytes:
        key = ("timezone", tzid, start, end)
        found = self._get(key, bytes)
        if found is None:
            found = component_bytes(vtimezone(tzid, start, end + dt.timedelta(days=1)))
            self._put(key, found)
        return found

    def _get(self, key: Hashable, kind: type[_T]) -> _T | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                assert isinstance(found, kind)  # nosec B101
                return found
            return None

    def _put(self, key: Hashable, value: _Template | _Plan | bytes) -> None:
        size = len(value) if isinstance(value, bytes) else value.size
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old) if isinstance(old, bytes) else old.size
            if size > self.max_bytes:
                return
            self._entries[key] = value
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted) if isinstance(evicted, bytes) else evicted.size


def _make_plan(days: list[FeedDay], start: dt.date, end: dt.date) -> _Plan:
    silences = {d.slug: minute_of_silence(d) for d in days}
    observed = [o for o in occurrences_between(days, start, end) if o.is_observed]
    events = tuple((o.slug, o.date.year, silences[o.slug] is not None) for o in observed)
    zones = sorted({m.timezone for m in silences.values() if m is not None})
    return _Plan(events, tuple(zones), {(o.slug, o.date.year): o for o in observed})


def _cut(event: Event, yearly: frozenset[str]) -> _Template:
    """The event's folded content lines, as icalendar writes them, with slots for ``yearly``.

    The alarm's lines (up to, without, its TRIGGER) go to ``alarm``; an event
    without an alarm has none.
    """
    event_part: list[bytes | _Slot] = []
    alarm_part: list[bytes | _Slot] = []
    place = "event"
    value: Any
    for name, value in event.property_items():
        if name == "BEGIN" and value == b"VALARM":
            place = "alarm"
        elif name == "TRIGGER" and place == "alarm":
            place = "after the trigger"
            continue
        if name == "END" and value == b"VEVENT":
            break
        # as event.content_line(name, value), which builds a spare Parameters for every line
        params = getattr(value, "params", None)
        params = Parameters() if params is None else params
        slot = f"VALARM:{name}" if place == "alarm" else name
        target = event_part if place == "event" else alarm_part
        if place == "after the trigger":
            # TRIGGER is the alarm's last property: the variant writes it, then END:VALARM
            line = Contentline.from_parts(name, params, value)
            assert fold(line) + b"\r\n" == _END_ALARM  # nosec B101
        elif slot in yearly:
            # what icalendar writes before an empty value: "NAME;PARAMS:"
            prefix = Contentline.from_parts(name, params, "").encode("utf-8")
            target.append(_Slot(slot, prefix, _writer(value)))
        else:
            target.append(fold(Contentline.from_parts(name, params, value)) + b"\r\n")
    return _Template(tuple(event_part), tuple(alarm_part))


def _fill(lines: Lines, values: dict[str, object]) -> bytes:
    """The lines with each slot rendered for this year's value."""
    return b"".join(
        line if isinstance(line, bytes) else line.line(values[line.name]) for line in lines
    )


def _trigger_line(alarm: dt.timedelta) -> bytes:
    """The TRIGGER line of a display alarm, as icalendar writes it."""
    rendered = Alarm.new_display(description="-", trigger=alarm)
    return fold(rendered.content_line("TRIGGER", rendered["TRIGGER"])) + b"\r\n"
