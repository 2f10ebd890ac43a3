"""Feed test support: plain records for the pure renderer, and the checks every feed passes.

They prove that calendar_app.core.ics needs nothing from the ORM: the same renderer
serves model rows in the app and these frozen dataclasses in the tests.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TypeVar

from icalendar import Calendar

from calendar_app.core.ics import FeedOptions
from calendar_app.data.dataset import Dataset, DayRecord
from calendar_app.data.prepare import read_dataset
from tests.support.data_files import TEST_DATA_FILE

# A fixed data version and year for golden files and byte-level checks.
DATA_CHANGED = dt.datetime(2026, 3, 1, 9, 30, 0)
YEAR = 2027
BASE_URL = "https://calendar.example.az"
R = TypeVar("R")
# The golden feeds and the variant each one holds (tests/core/test_ics_golden.py).
CASES = {
    "calendar-az.ics": FeedOptions(lang="az", years_back=1, years_ahead=1),
    "calendar-en.ics": FeedOptions(lang="en", years_back=1, years_ahead=1),
    "calendar-ru.ics": FeedOptions(lang="ru", years_back=1, years_ahead=1),
    "february-26-en-alarm.ics": FeedOptions(
        lang="en", years_back=0, years_ahead=0, slug="february-26", alarm=dt.timedelta(hours=-2)
    ),
    "march-31-ru-no-silence.ics": FeedOptions(
        lang="ru", years_back=0, years_ahead=0, slug="march-31", include_silence=False
    ),
}


@dataclass(frozen=True)
class PlainSource:
    title: str
    display_title: Mapping[str, str] | None
    publisher_name: Mapping[str, str] | None


def plain_days(dataset: Dataset | None = None) -> list[DayRecord]:
    """The days of ``dataset`` (default: the tests' data file), in file order, as plain
    records whose citations are resolved to sources, as the database's rows hold them."""
    data = dataset or read_dataset(TEST_DATA_FILE)
    by_key = {s.key: PlainSource(s.title, s.display_title, s.publisher_name) for s in data.sources}
    position = {s.key: i for i, s in enumerate(data.sources)}

    def cited(record: R) -> R:
        # the database lists a record's sources in data-file order, whatever order it cites them
        ordered = sorted(record.sources, key=position.__getitem__)  # type: ignore[attr-defined]
        return replace(record, sources=tuple(by_key[key] for key in ordered))  # type: ignore[type-var]

    return [
        replace(d, facts=tuple(map(cited, d.facts)), moments=tuple(map(cited, d.moments)))
        for d in data.days
    ]


def with_day(days: list[DayRecord], slug: str, **changes: object) -> list[DayRecord]:
    """A copy of ``days`` with one day's fields replaced."""
    return [replace(d, **changes) if d.slug == slug else d for d in days]  # type: ignore[arg-type]


# --- checks every feed must pass, whoever renders it --------------------------------

_TZID_PARAM = re.compile(rb";TZID=([^:;]+)")


def byte_problems(body: bytes) -> list[str]:
    """RFC 5545 at the byte level: UTF-8, CRLF only, lines of at most 75 octets, folds
    never inside a UTF-8 sequence, no empty line."""
    problems = []
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as error:
        problems.append(f"not UTF-8: {error}")
    if not body.endswith(b"\r\n"):
        problems.append("does not end with CRLF")
    for number, line in enumerate(body.split(b"\r\n")[:-1], start=1):
        if b"\n" in line or b"\r" in line:
            problems.append(f"line {number}: a bare CR or LF")
        if len(line) > 75:
            problems.append(f"line {number}: {len(line)} octets")
        if not line:
            problems.append(f"line {number}: empty")
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(f"line {number}: folded inside a UTF-8 sequence")
    return problems


def structure_problems(body: bytes) -> list[str]:
    """What icalendar's parser and our own rules find wrong in a feed."""
    calendar = Calendar.from_ical(body)
    problems = [f"{c.name}: {c.errors}" for c in calendar.walk() if c.errors]
    if calendar.get_missing_tzids():
        problems.append(f"missing VTIMEZONE for {calendar.get_missing_tzids()}")
    used = {m.decode() for m in _TZID_PARAM.findall(body)}
    defined = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    if used - defined:
        problems.append(f"TZID without VTIMEZONE: {used - defined}")
    if "UID" in calendar:  # clients that split a feed copy it into every event (issue 11)
        problems.append(f"calendar-level UID {calendar['UID']}")
    for timezone in calendar.walk("VTIMEZONE"):
        if "COMMENT" in timezone:  # libical's restriction check rejects it
            problems.append(f"VTIMEZONE {timezone['TZID']} has a COMMENT")
    uids = [str(event["UID"]) for event in calendar.walk("VEVENT")]
    if len(uids) != len(set(uids)):
        problems.append("duplicate UIDs")
    for event in calendar.walk("VEVENT"):
        start, end = event["DTSTART"].dt, event["DTEND"].dt
        if isinstance(start, dt.datetime) != isinstance(end, dt.datetime):
            problems.append(f"{event['UID']}: DTSTART and DTEND of different types")
        elif not end > start:
            problems.append(f"{event['UID']}: DTEND not after DTSTART")
        if "RRULE" in event:
            problems.append(f"{event['UID']}: has an RRULE")
        for name in ("DTSTAMP", "SUMMARY", "DESCRIPTION", "URL"):
            if name not in event:
                problems.append(f"{event['UID']}: no {name}")
    return problems


def expected_dates(
    days: list[DayRecord], first_year: int, last_year: int
) -> set[tuple[str, dt.date]]:
    """(slug, date) of every observance, worked out here without the code under test."""
    return {
        (d.slug, dt.date(year, d.month, d.day))
        for d in days
        for year in range(first_year, last_year + 1)
        if year > d.events_year and year >= d.first_observed_year
    }


def event_uids(body: bytes) -> list[str]:
    return [str(e["UID"]) for e in Calendar.from_ical(body).walk("VEVENT")]


_UID = re.compile(
    r"(?P<slug>[a-z]+-[0-9]{1,2})-(?P<year>[0-9]{4})(?P<silence>-silence)?@(?P<host>.+)\Z"
)


def parse_uid(uid: object) -> tuple[str, int, bool, str]:
    """(slug, year, is the minute of silence, host) of one of our UIDs."""
    match = _UID.match(str(uid))
    assert match is not None, f"not one of our UIDs: {uid}"
    return match["slug"], int(match["year"]), bool(match["silence"]), match["host"]
