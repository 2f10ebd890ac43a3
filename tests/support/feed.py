"""Feed test support: plain records for the pure renderer, and the checks every feed passes.

They prove that calendar_app.core.ics needs nothing from the ORM: the same renderer
serves model rows in the app and these frozen dataclasses in the tests.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import TypeVar

from icalendar import Calendar

from calendar_app.data.dataset import Dataset, SourceRecord
from calendar_app.data.prepare import read_dataset
from calendar_app.resources import DATA_FILE

# A fixed data version and year for golden files and byte-level checks.
DATA_CHANGED = dt.datetime(2026, 3, 1, 9, 30, 0)
YEAR = 2027
BASE_URL = "https://calendar.example.az"
P = TypeVar("P")


@dataclass(frozen=True)
class PlainSource:
    title: str
    publisher: str


@dataclass(frozen=True)
class PlainFact:
    kind: str
    value: int | None
    qualifier: str
    label: Mapping[str, str]
    is_verified: bool
    sources: tuple[PlainSource, ...]


@dataclass(frozen=True)
class PlainMoment:
    kind: str
    local_time: dt.time
    timezone: str
    duration_minutes: int
    description: Mapping[str, str]
    is_verified: bool
    sources: tuple[PlainSource, ...]


@dataclass(frozen=True)
class PlainDay:
    slug: str
    month: int
    day: int
    events_year: int
    first_observed_year: int
    is_non_working: bool
    name: Mapping[str, str]
    anniversary_of: Mapping[str, str]
    summary: Mapping[str, str]
    facts: tuple[PlainFact, ...]
    moments: tuple[PlainMoment, ...]


def plain_days(dataset: Dataset | None = None) -> list[PlainDay]:
    """The days of ``dataset`` (default: the bundled data file), in file order."""
    data = dataset or read_dataset(DATA_FILE)
    by_key: dict[str, SourceRecord] = {s.key: s for s in data.sources}
    position = {s.key: i for i, s in enumerate(data.sources)}

    def plain(plain_type: type[P], record: object) -> P:
        """The fields ``plain_type`` keeps, taken by name; citations resolved to sources."""
        values = {}
        for item in fields(plain_type):  # type: ignore[arg-type]
            value = getattr(record, item.name)
            if item.name == "sources":
                # the database lists a record's sources in data-file order
                ordered = sorted(value, key=position.__getitem__)
                value = tuple(plain(PlainSource, by_key[key]) for key in ordered)
            elif item.name in ("facts", "moments"):
                child = PlainFact if item.name == "facts" else PlainMoment
                value = tuple(plain(child, x) for x in value)
            values[item.name] = value
        return plain_type(**values)

    return [plain(PlainDay, d) for d in data.days]


def with_day(days: list[PlainDay], slug: str, **changes: object) -> list[PlainDay]:
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
    days: list[PlainDay], first_year: int, last_year: int
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
