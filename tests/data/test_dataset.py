"""The data file parser: a valid file round-trips; every kind of malformed input is refused.

The bundled file is checked by tests/data/test_bundled_data.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from calendar_app.data.dataset import DataFileError, parse_dataset
from calendar_app.data.dataset_toml import dump_dataset
from tests.support.data_files import TEST_DATA_FILE
from tests.support.factories import dump, minimal_document

Change = Callable[[dict[str, Any]], None]


def day0(d: dict[str, Any]) -> dict[str, Any]:
    day: dict[str, Any] = d["days"][0]
    return day


def test_minimal_document_parses() -> None:
    dataset = parse_dataset(dump(minimal_document()), "x.toml")
    assert [d.slug for d in dataset.days] == ["january-20", "september-27"]
    fact = dataset.days[0].facts[1]
    assert (fact.value, fact.qualifier, fact.sources) == (150, "about", ("doc-b", "doc-a"))
    assert dataset.sources[1].is_verified is False and dataset.sources[0].is_verified is True
    assert dataset.days[0].moments[0].local_time == dt.time(12, 0)


def test_export_text_parses_back_to_the_same_dataset() -> None:
    dataset = parse_dataset(TEST_DATA_FILE.read_text(encoding="utf-8"), "tests' data")
    assert parse_dataset(dump_dataset(dataset), "exported") == dataset


def _set(path: str, value: Any) -> Change:
    def change(d: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = d
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value

    return change


def _delete(path: str) -> Change:
    def change(d: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = d
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        del target[last]

    return change


MALFORMED: list[tuple[str, Change, str, str]] = [
    ("unknown top-level key", _set("colour", "red"), "colour", "unknown key"),
    ("unknown day key", _set("days.0.colour", "red"), "days[january-20].colour", "unknown key"),
    ("typo in a fact key", _set("days.0.facts.0.valeu", 3), "facts[january-20-killed-a].valeu",
     "unknown key"),
    ("day without Russian name", _delete("days.0.name.ru"), "days[january-20].name",
     "missing language(s): ru"),
    ("day without history", _delete("days.0.history"), "days[january-20].history",
     "required key is missing"),
    ("extra language", _set("days.0.summary.de", "x"), "days[january-20].summary",
     "unknown language(s): de"),
    ("empty text", _set("days.0.summary.az", "  "), "days[january-20].summary.az",
     "non-empty string"),
    ("fact without source", _delete("days.0.facts.0.sources"),
     "facts[january-20-killed-a].sources", "cite at least one source"),
    ("fact with empty sources", _set("days.0.facts.0.sources", []),
     "facts[january-20-killed-a].sources", "non-empty list"),
    ("fact citing unknown source", _set("days.0.facts.0.sources", ["nope"]),
     "facts[january-20-killed-a].sources", "unknown source 'nope'"),
    ("moment without source", _delete("days.0.moments.0.sources"),
     "moments[january-20-silence].sources", "cite at least one source"),
    ("day 32", _set("days.0.day", 32), "days[january-20].day", "no day 32 in month 1"),
    ("month 13", _set("days.0.month", 13), "days[january-20].month", "no month 13"),
    ("30 February", lambda d: d["days"][1].update(month=2, day=30), "days[september-27].day",
     "no day 30 in month 2"),
    ("31 April", lambda d: d["days"][0].update(month=4, day=31), "days[january-20].day",
     "no day 31 in month 4"),
    ("first observed before the events", _set("days.0.first_observed_year", 1989),
     "days[january-20].first_observed_year", "before events_year"),
    ("date given as text", _set("days.0.legal_acts.0.adopted", "1994-03-29"),
     "legal_acts[january-20-act].adopted", "expected a date"),
    ("value as text", _set("days.0.facts.0.value", "134"), "facts[january-20-killed-a].value",
     "expected an integer"),
    ("negative count", _set("days.0.facts.0.value", -1), "facts[january-20-killed-a].value",
     "cannot be negative"),
    ("bad qualifier", _set("days.0.facts.0.qualifier", "roughly"),
     "facts[january-20-killed-a].qualifier", "expected one of"),
    ("unknown time zone", _set("days.0.moments.0.timezone", "Asia/Bakuu"),
     "moments[january-20-silence].timezone", "unknown time zone"),
    ("zero-minute moment", _set("days.0.moments.0.duration_minutes", 0),
     "moments[january-20-silence].duration_minutes", "1-1440"),
    ("bad id", _set("days.0.id", "January 20"), "id", "not a lower-case id"),
    ("duplicate day id", _set("days.1.id", "january-20"), "days[january-20].id", "duplicate"),
    ("duplicate fact id", _set("days.0.facts.1.id", "january-20-killed-a"),
     "facts[january-20-killed-a].id", "duplicate"),
    ("publisher in one language only", _set("sources.0.publisher", "Publisher A"),
     "sources[doc-a].publisher", "az, en and ru"),
    ("display title without ru", _set("sources.0.display_title", {"az": "A", "en": "A"}),
     "sources[doc-a].display_title", "missing language(s): ru"),
    ("source year disagrees", _set("sources.0.year", 2022), "sources[doc-a].year", "disagrees"),
    ("bad url", _set("sources.0.url", "javascript:alert(1)"), "sources[doc-a].url",
     "not a web address"),
    ("wrong schema version", _set("schema_version", 2), "schema_version", "expected 1"),
    ("no days", _set("days", []), "days", "no memorial day"),
    ("days not a table array", _set("days", "x"), "days", "array of tables"),
    ("boolean as text", _set("days.0.is_non_working", "yes"), "days[january-20].is_non_working",
     "true or false"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "change", "key", "reason"), MALFORMED, ids=[m[0] for m in MALFORMED]
)
def test_malformed_documents_are_refused_with_key_and_reason(
    case: str, change: Change, key: str, reason: str
) -> None:
    document = minimal_document()
    change(document)
    with pytest.raises(DataFileError) as caught:
        parse_dataset(dump(document), "days.toml")
    message = str(caught.value)
    assert message.startswith("days.toml: ")
    assert key in caught.value.key, message
    assert reason in caught.value.reason, message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("schema_version = 1\n[[days]\n", "TOML syntax"),
        ("schema_version = 1\ndate = 1992-02-30\n", "TOML syntax"),
        ('schema_version = "1"\n', "expected an integer"),
        ("", "schema_version: required key is missing"),
    ],
)
def test_unparseable_text(text: str, fragment: str) -> None:
    with pytest.raises(DataFileError, match=fragment) as caught:
        parse_dataset(text, "broken.toml")
    assert str(caught.value).startswith("broken.toml: ")
