"""The bundled data file, the one a server loads, whatever days it holds.

It parses; every text is in every language; every record cites sources that exist;
it exports and parses back unchanged; and once loaded, every day has its page and
its feed in every language. Every other test runs on the tests' own data file
(tests/data/memorial_days.toml), so a new day in the bundled file needs no test
change; the content tests beside this file (test_content_edit.py,
test_words_edit.py, test_no_english.py) check the words of the bundled file.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from icalendar import Calendar

from calendar_app.cli import cli
from calendar_app.core.languages import LANGUAGES
from calendar_app.data.dataset import Dataset, parse_dataset
from calendar_app.data.dataset_toml import dump_dataset
from calendar_app.data.prepare import read_dataset
from tests.support.data_files import BUNDLED_DATA_FILE
from tests.support.texts import localized_texts


@pytest.fixture(scope="module")
def data_file() -> Path:
    """The apps of this module load the bundled file."""
    return BUNDLED_DATA_FILE


@pytest.fixture(scope="module")
def bundled() -> Dataset:
    return read_dataset(BUNDLED_DATA_FILE)


def test_the_bundled_file_passes_data_check(runner: FlaskCliRunner, bundled: Dataset) -> None:
    result = runner.invoke(cli, ["data", "check", str(BUNDLED_DATA_FILE)])
    assert result.exit_code == 0, result.output
    assert f"ok: {len(bundled.days)} days, {len(bundled.sources)} sources" in result.output
    assert bundled.days and bundled.sources


def test_every_text_of_every_day_is_in_every_language(bundled: Dataset) -> None:
    for day in bundled.days:
        texts = {lang: list(localized_texts(day, lang)) for lang in LANGUAGES}
        counts = {lang: len(found) for lang, found in texts.items()}
        assert len(set(counts.values())) == 1 and counts["en"] >= 4, (day.slug, counts)
        for lang, found in texts.items():
            assert all(text.strip() for text in found), (day.slug, lang)


def test_every_record_cites_a_source_that_exists(bundled: Dataset) -> None:
    keys = {source.key for source in bundled.sources}
    for day in bundled.days:
        records = (*day.facts, *day.legal_acts, *day.moments, *day.timeline)
        for record in records:
            assert record.sources, (day.slug, record.key)
            assert set(record.sources) <= keys, (day.slug, record.key)
    for source in bundled.sources:  # readers see a source's title in their language
        assert source.display_title is not None, source.key


def test_the_export_parses_back_to_the_same_dataset(bundled: Dataset) -> None:
    assert parse_dataset(dump_dataset(bundled), "exported") == bundled


def test_the_days_we_know_keep_their_dates_death_tolls_and_silences(bundled: Dataset) -> None:
    """The facts of the four days the site opened with; a new day adds to them."""
    days = {d.slug: d for d in bundled.days}
    dates = {slug: (days[slug].month, days[slug].day, days[slug].events_year)
             for slug in ("january-20", "february-26", "march-31", "september-27")}  # fmt: skip
    assert dates == {
        "january-20": (1, 20, 1990),
        "february-26": (2, 26, 1992),
        "march-31": (3, 31, 1918),
        "september-27": (9, 27, 2020),
    }
    killed = sorted(f.value or 0 for f in days["january-20"].facts if f.kind == "killed")
    for toll in (131, 134, 137, 147, 150):
        assert toll in killed, f"20 January death toll {toll} is missing"

    def silences(slug: str) -> list[tuple[dt.time, str]]:
        return [(m.local_time, m.timezone) for m in days[slug].moments
                if m.kind == "minute-of-silence"]  # fmt: skip

    assert silences("january-20") == [(dt.time(12, 0), "Asia/Baku")]
    assert silences("february-26") == [(dt.time(17, 0), "Asia/Baku")]
    assert silences("march-31") == []
    assert silences("september-27") == [(dt.time(12, 0), "Asia/Baku")]
    assert days["january-20"].is_non_working
    assert not any(days[s].is_non_working for s in ("february-26", "march-31", "september-27"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_once_loaded_every_day_has_its_page_and_its_feed(
    app: Flask, bundled: Dataset, lang: str
) -> None:
    client = app.test_client()
    listed = client.get("/api/v1/days").get_json()["days"]
    assert sorted(d["slug"] for d in listed) == sorted(d.slug for d in bundled.days)
    for day in bundled.days:
        page = client.get(f"/{lang}/days/{day.slug}")
        assert page.status_code == 200, day.slug
        assert day.name[lang] in html.unescape(page.get_data(as_text=True)), day.slug
        feed = client.get(f"/days/{day.slug}.ics?lang={lang}")
        assert feed.status_code == 200, day.slug
        events = Calendar.from_ical(feed.data).walk("VEVENT")
        assert events and all(day.name[lang] in str(e["SUMMARY"]) for e in events), day.slug
