"""Pure: parse and validate the data file into plain records.

The format is described in docs/DATA_FILE.md. Every problem is reported as a
DataFileError naming the file, the key and the reason; nothing here touches the
database, so a rejected file never changes stored data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tomllib
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from calendar_app.core.figures import QUALIFIERS
from calendar_app.core.languages import LANGUAGES

SCHEMA_VERSION = 1
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SOURCE_KINDS = ("press", "official", "legal-act", "statement", "reference", "article")
ACT_KINDS = ("parliament-resolution", "presidential-decree", "presidential-order", "law")
MOMENT_KINDS = ("minute-of-silence", "ceremony")
PRECISIONS = ("day", "month", "year")

Localized = dict[str, str]


class DataFileError(Exception):
    """A problem in the data file: which file, which key, and why."""

    def __init__(self, filename: str, key: str, reason: str) -> None:
        self.filename, self.key, self.reason = filename, key, reason
        super().__init__(f"{filename}: {key}: {reason}" if key else f"{filename}: {reason}")


# Record fields are named like the model columns (calendar_app/data/models.py); where the
# data file or the API spells one otherwise, the field says so here and nowhere else
# (calendar_app/data/record_map.py reads these names). A new column is one new field.

KEY = {"toml": "id", "json": "id"}
VERIFIED = {"toml": "verified"}
CITED = {"cites": True}


@dataclass(frozen=True)
class SourceRecord:
    key: str = field(metadata=KEY)
    title: str = field()  # as the document itself is titled, in its own language
    display_title: Localized | None = field()  # what readers see, in their language
    publisher_name: Localized | None = field(metadata={"toml": "publisher", "json": "publisher"})
    kind: str = field()
    language: str = field()
    published_on: dt.date | None = field(metadata={"toml": "published"})
    published_year: int | None = field(metadata={"toml": "year"})
    url: str | None = field()
    locator: str | None = field()
    note: str | None = field(metadata={"json": None})
    is_verified: bool = field(metadata=VERIFIED)


@dataclass(frozen=True)
class FactRecord:
    key: str = field(metadata=KEY)
    kind: str = field()
    value: int | None = field()
    qualifier: str = field()
    label: Localized = field()
    sources: tuple[str, ...] = field(metadata=CITED)
    is_verified: bool = field(metadata=VERIFIED)


@dataclass(frozen=True)
class LegalActRecord:
    key: str = field(metadata=KEY)
    adopted_on: dt.date = field(metadata={"toml": "adopted"})
    kind: str = field()
    title: Localized = field()
    sources: tuple[str, ...] = field(metadata=CITED)
    is_verified: bool = field(metadata=VERIFIED)


@dataclass(frozen=True)
class MomentRecord:
    key: str = field(metadata=KEY)
    kind: str = field()
    local_time: dt.time = field()
    timezone: str = field()
    duration_minutes: int = field()
    description: Localized = field()
    sources: tuple[str, ...] = field(metadata=CITED)
    is_verified: bool = field(metadata=VERIFIED)


@dataclass(frozen=True)
class TimelineRecord:
    key: str = field(metadata=KEY)
    occurred_on: dt.date = field(metadata={"toml": "date", "json": "date"})
    precision: str = field()
    title: Localized = field()
    sources: tuple[str, ...] = field(metadata=CITED)
    is_verified: bool = field(metadata=VERIFIED)


@dataclass(frozen=True)
class DayRecord:
    slug: str = field(metadata={"toml": "id"})
    month: int = field()
    day: int = field()
    events_year: int = field()
    first_observed_year: int = field()
    first_observed_verified: bool = field()
    first_observed_note: Localized | None = field()  # what the year alone would not say
    is_non_working: bool = field()
    name: Localized = field()
    anniversary_of: Localized = field()
    summary: Localized = field()
    history: Localized = field()
    facts: tuple[FactRecord, ...] = field(metadata={"child": FactRecord})
    legal_acts: tuple[LegalActRecord, ...] = field(metadata={"child": LegalActRecord})
    moments: tuple[MomentRecord, ...] = field(metadata={"child": MomentRecord})
    timeline: tuple[TimelineRecord, ...] = field(metadata={"child": TimelineRecord})


@dataclass(frozen=True)
class Dataset:
    sources: tuple[SourceRecord, ...]
    days: tuple[DayRecord, ...]

    def fingerprint(self) -> str:
        """SHA-256 over a canonical form: equal content, equal fingerprints.

        Citations are a set (the database keeps them in source order), so their
        order in the file does not count.
        """
        canonical = json.dumps(
            _canonical(asdict(self)), sort_keys=True, default=str, ensure_ascii=False
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _canonical(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _canonical(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        items = [_canonical(v) for v in value]
        citations = key == "sources" and all(isinstance(v, str) for v in items)
        return sorted(items) if citations else items
    return value


def parse_dataset(text: str, filename: str) -> Dataset:
    """Parse TOML text and validate it; raise DataFileError on the first problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DataFileError(filename, "", f"TOML syntax: {error}") from None
    return _Parser(filename).dataset(data)


class _Parser:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.seen: dict[str, set[str]] = {}

    def fail(self, key: str, reason: str) -> DataFileError:
        return DataFileError(self.filename, key, reason)

    # --- structure -----------------------------------------------------------------

    def dataset(self, data: dict[str, Any]) -> Dataset:
        self.only(data, "", {"schema_version", "sources", "days"})
        version = self.required(data, "", "schema_version", self.integer)
        if version != SCHEMA_VERSION:
            raise self.fail("schema_version", f"expected {SCHEMA_VERSION}, got {version}")
        sources = tuple(
            self.source(table, where) for where, table in self.tables(data, "", "sources")
        )
        known = {source.key for source in sources}
        days = tuple(
            self.day(table, where, known) for where, table in self.tables(data, "", "days")
        )
        if not days:
            raise self.fail("days", "the file defines no memorial day")
        return Dataset(sources=sources, days=days)

    def source(self, t: dict[str, Any], at: str) -> SourceRecord:
        self.only(
            t,
            at,
            {"id", "title", "display_title", "publisher", "kind", "language", "published"}
            | {"year", "url", "locator", "note", "verified"},
        )
        published = self.optional(t, at, "published", self.date)
        year = self.optional(t, at, "year", self.integer)
        if published is not None and year is not None and published.year != year:
            raise self.fail(f"{at}.year", f"{year} disagrees with published = {published}")
        url = self.optional(t, at, "url", self.text)
        if url is not None and not url.startswith(("https://", "http://")):
            raise self.fail(f"{at}.url", f"not a web address: {url!r}")
        return SourceRecord(
            key=self.ident(t, at, "source"),
            title=self.required(t, at, "title", self.text),
            display_title=self.optional(t, at, "display_title", self.localized),
            publisher_name=self.optional(t, at, "publisher", self.localized),
            kind=self.required(t, at, "kind", self.choice(SOURCE_KINDS)),
            language=self.required(t, at, "language", self.language_code),
            published_on=published,
            published_year=year,
            url=url,
            locator=self.optional(t, at, "locator", self.text),
            note=self.optional(t, at, "note", self.text),
            is_verified=self.flag(t, at),
        )

    def day(self, t: dict[str, Any], at: str, known: set[str]) -> DayRecord:
        self.only(
            t,
            at,
            {"id", "month", "day", "events_year", "first_observed_year", "is_non_working"}
            | {"first_observed_verified", "first_observed_note"}
            | {"name", "anniversary_of", "summary", "history"}
            | {"facts", "legal_acts", "moments", "timeline"},
        )
        slug = self.ident(t, at, "day")
        month = self.required(t, at, "month", self.integer)
        day = self.required(t, at, "day", self.integer)
        if not 1 <= month <= 12:
            raise self.fail(f"{at}.month", f"no month {month}")
        try:
            dt.date(2000, month, day)  # a leap year: 29 February exists
        except ValueError:
            raise self.fail(f"{at}.day", f"no day {day} in month {month}") from None
        events_year = self.required(t, at, "events_year", self.year)
        first_observed = self.required(t, at, "first_observed_year", self.year)
        if first_observed < events_year:
            raise self.fail(
                f"{at}.first_observed_year", f"{first_observed} is before events_year {events_year}"
            )
        return DayRecord(
            slug=slug,
            month=month,
            day=day,
            events_year=events_year,
            first_observed_year=first_observed,
            first_observed_verified=self.optional(t, at, "first_observed_verified", self.boolean)
            is not False,
            first_observed_note=self.optional(t, at, "first_observed_note", self.localized),
            is_non_working=self.required(t, at, "is_non_working", self.boolean),
            name=self.required(t, at, "name", self.localized),
            anniversary_of=self.required(t, at, "anniversary_of", self.localized),
            summary=self.required(t, at, "summary", self.localized),
            history=self.required(t, at, "history", self.localized),
            facts=tuple(self.fact(x, w, known) for w, x in self.tables(t, at, "facts")),
            legal_acts=tuple(self.act(x, w, known) for w, x in self.tables(t, at, "legal_acts")),
            moments=tuple(self.moment(x, w, known) for w, x in self.tables(t, at, "moments")),
            timeline=tuple(self.event(x, w, known) for w, x in self.tables(t, at, "timeline")),
        )

    def fact(self, t: dict[str, Any], at: str, known: set[str]) -> FactRecord:
        self.only(t, at, {"id", "kind", "value", "qualifier", "label", "sources", "verified"})
        value = self.optional(t, at, "value", self.integer)
        if value is not None and value < 0:
            raise self.fail(f"{at}.value", f"a count cannot be negative, got {value}")
        qualifier = self.optional(t, at, "qualifier", self.choice(QUALIFIERS)) or "exact"
        if value is None and "qualifier" in t:
            raise self.fail(f"{at}.qualifier", "a statement without a value takes no qualifier")
        return FactRecord(
            key=self.ident(t, at, "fact"),
            kind=self.required(t, at, "kind", self.slug_text),
            value=value,
            qualifier=qualifier,
            label=self.required(t, at, "label", self.localized),
            sources=self.citations(t, at, known),
            is_verified=self.flag(t, at),
        )

    def act(self, t: dict[str, Any], at: str, known: set[str]) -> LegalActRecord:
        self.only(t, at, {"id", "adopted", "kind", "title", "sources", "verified"})
        return LegalActRecord(
            key=self.ident(t, at, "legal act"),
            adopted_on=self.required(t, at, "adopted", self.date),
            kind=self.required(t, at, "kind", self.choice(ACT_KINDS)),
            title=self.required(t, at, "title", self.localized),
            sources=self.citations(t, at, known),
            is_verified=self.flag(t, at),
        )

    def moment(self, t: dict[str, Any], at: str, known: set[str]) -> MomentRecord:
        self.only(
            t,
            at,
            {"id", "kind", "local_time", "timezone", "duration_minutes", "description"}
            | {"sources", "verified"},
        )
        minutes = self.required(t, at, "duration_minutes", self.integer)
        if not 1 <= minutes <= 24 * 60:
            raise self.fail(f"{at}.duration_minutes", f"must be 1-1440, got {minutes}")
        return MomentRecord(
            key=self.ident(t, at, "moment"),
            kind=self.required(t, at, "kind", self.choice(MOMENT_KINDS)),
            local_time=self.required(t, at, "local_time", self.time),
            timezone=self.required(t, at, "timezone", self.zone),
            duration_minutes=minutes,
            description=self.required(t, at, "description", self.localized),
            sources=self.citations(t, at, known),
            is_verified=self.flag(t, at),
        )

    def event(self, t: dict[str, Any], at: str, known: set[str]) -> TimelineRecord:
        self.only(t, at, {"id", "date", "precision", "title", "sources", "verified"})
        return TimelineRecord(
            key=self.ident(t, at, "timeline entry"),
            occurred_on=self.required(t, at, "date", self.date),
            precision=self.optional(t, at, "precision", self.choice(PRECISIONS)) or "day",
            title=self.required(t, at, "title", self.localized),
            sources=self.citations(t, at, known),
            is_verified=self.flag(t, at),
        )

    # --- helpers -------------------------------------------------------------------

    def only(self, t: Mapping[str, Any], at: str, allowed: set[str]) -> None:
        for key in t:
            if key not in allowed:
                hint = ", ".join(sorted(allowed))
                raise self.fail(_join(at, key), f"unknown key (allowed here: {hint})")

    def tables(self, t: Mapping[str, Any], at: str, key: str) -> list[tuple[str, dict[str, Any]]]:
        value = t.get(key, [])
        where = _join(at, key)
        if not isinstance(value, list) or not all(isinstance(x, dict) for x in value):
            raise self.fail(where, f"must be an array of tables ([[{where}]])")
        return [(f"{where}[{_label(x, i)}]", x) for i, x in enumerate(value)]

    def required(
        self, t: Mapping[str, Any], at: str, key: str, check: Callable[[str, Any], Any]
    ) -> Any:
        if key not in t:
            raise self.fail(_join(at, key), "required key is missing")
        return check(_join(at, key), t[key])

    def optional(
        self, t: Mapping[str, Any], at: str, key: str, check: Callable[[str, Any], Any]
    ) -> Any:
        return check(_join(at, key), t[key]) if key in t else None

    def flag(self, t: Mapping[str, Any], at: str) -> bool:
        return bool(self.optional(t, at, "verified", self.boolean) is not False)

    def ident(self, t: Mapping[str, Any], at: str, kind: str) -> str:
        value: str = self.required(t, at, "id", self.text)
        if not ID_PATTERN.match(value) or len(value) > 80:
            raise self.fail(f"{at}.id", f"{value!r} is not a lower-case id (a-z, 0-9, hyphens)")
        seen = self.seen.setdefault(kind, set())
        if value in seen:
            raise self.fail(f"{at}.id", f"duplicate {kind} id {value!r}")
        seen.add(value)
        return value

    def citations(self, t: Mapping[str, Any], at: str, known: set[str]) -> tuple[str, ...]:
        where = _join(at, "sources")
        if "sources" not in t:
            raise self.fail(where, "every record must cite at least one source")
        value = t["sources"]
        if not isinstance(value, list) or not value or not all(isinstance(x, str) for x in value):
            raise self.fail(where, "must be a non-empty list of source ids")
        for source_id in value:
            if source_id not in known:
                raise self.fail(where, f"unknown source {source_id!r}")
        if len(set(value)) != len(value):
            raise self.fail(where, "a source is cited twice")
        return tuple(value)

    def text(self, where: str, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"expected a non-empty string, got {value!r}")
        return value.strip()

    def slug_text(self, where: str, value: Any) -> str:
        text = self.text(where, value)
        if not ID_PATTERN.match(text):
            raise self.fail(where, f"{text!r} is not a lower-case word (a-z, 0-9, hyphens)")
        return text

    def language_code(self, where: str, value: Any) -> str:
        text = self.text(where, value)
        if not re.fullmatch(r"[a-z]{2,3}", text):
            raise self.fail(where, f"expected an ISO 639 language code, got {text!r}")
        return text

    def integer(self, where: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(where, f"expected an integer, got {value!r}")
        return value

    def year(self, where: str, value: Any) -> int:
        number = self.integer(where, value)
        if not 1 <= number <= 9999:
            raise self.fail(where, f"not a year: {number}")
        return number

    def boolean(self, where: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.fail(where, f"expected true or false, got {value!r}")
        return value

    def date(self, where: str, value: Any) -> dt.date:
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise self.fail(where, f"expected a date like 1990-01-20, got {value!r}")
        return value

    def time(self, where: str, value: Any) -> dt.time:
        if not isinstance(value, dt.time):
            raise self.fail(where, f"expected a local time like 12:00:00, got {value!r}")
        return value

    def zone(self, where: str, value: Any) -> str:
        name = self.text(where, value)
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise self.fail(where, f"unknown time zone {name!r}") from None
        return name

    def choice(self, allowed: tuple[str, ...]) -> Callable[[str, Any], str]:
        def check(where: str, value: Any) -> str:
            if value not in allowed:
                raise self.fail(where, f"expected one of {', '.join(allowed)}, got {value!r}")
            return str(value)

        return check

    def localized(self, where: str, value: Any) -> Localized:
        if not isinstance(value, dict):
            raise self.fail(where, "expected a table with az, en and ru texts")
        missing = [lang for lang in LANGUAGES if lang not in value]
        if missing:
            raise self.fail(where, f"missing language(s): {', '.join(missing)}")
        extra = sorted(set(value) - set(LANGUAGES))
        if extra:
            raise self.fail(where, f"unknown language(s): {', '.join(extra)} (az, en, ru only)")
        return {lang: self.text(f"{where}.{lang}", value[lang]) for lang in LANGUAGES}


def _join(at: str, key: str) -> str:
    return f"{at}.{key}" if at else key


def _label(table: Mapping[str, Any], index: int) -> str:
    ident = table.get("id")
    return ident if isinstance(ident, str) and ident else str(index)
