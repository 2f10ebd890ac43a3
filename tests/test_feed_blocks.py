"""Feeds assembled from blocks are byte for byte the reference renderer's, and bounded.

``ics.render_calendar`` (one icalendar Calendar per feed, as before blocks) is
the reference; ``FeedBlocks`` must give the same bytes for every variant,
whatever was rendered before it, after a data change and with a store too
small to keep everything.
"""

from __future__ import annotations

import datetime as dt
import random
import tracemalloc
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar.prop import vDate, vDatetime, vText

from calendar_app.core.feed_blocks import FeedBlocks, _date_digits, _local_date_time_digits, _text
from calendar_app.core.ics import ALARM_LIMIT, FeedOptions, render_calendar
from calendar_app.data.dataset import DayRecord
from calendar_app.extensions import db
from calendar_app.web.feed_cache import FeedCache, feed_for
from tests.support.feed import BASE_URL, CASES, DATA_CHANGED, GOLDEN, YEAR, plain_days, with_day

DAYS = plain_days()
SLUGS = [None, *(d.slug for d in DAYS)]


def random_options(rng: random.Random) -> FeedOptions:
    alarm = rng.choice(
        [
            None,
            dt.timedelta(0),
            -ALARM_LIMIT,
            dt.timedelta(days=-1),
            -dt.timedelta(seconds=rng.randrange(int(ALARM_LIMIT.total_seconds()) + 1)),
            -dt.timedelta(minutes=rng.randrange(1, 600)),
        ]
    )
    return FeedOptions(
        lang=rng.choice(["az", "en", "ru"]),
        include_silence=rng.random() < 0.7,
        alarm=alarm,
        years_back=rng.choice([0, 1, 2, rng.randrange(11)]),
        years_ahead=rng.choice([0, 10, rng.randrange(21)]),
        slug=rng.choice(SLUGS),
    )


class Calls:
    """The days, counting how often the store asks for them (the query, in the app)."""

    def __init__(self, days: list[DayRecord]) -> None:
        self.days = days
        self.count = 0

    def __call__(self) -> list[DayRecord]:
        self.count += 1
        return self.days


def test_the_golden_files_come_out_of_the_blocks_too() -> None:
    blocks = FeedBlocks()
    for name, options in sorted(CASES.items()):
        body = blocks.render(
            Calls(DAYS), options, year=YEAR, base_url=BASE_URL, data_changed=DATA_CHANGED, version=1
        )
        assert body == (GOLDEN / name).read_bytes(), name


@pytest.mark.parametrize("seed", range(4))
def test_every_variant_matches_the_reference_renderer(seed: int) -> None:
    rng = random.Random(seed)
    blocks = FeedBlocks()
    days, version = DAYS, 0
    for step in range(60):
        if step % 20 == 19:  # a data load: another summary, another stamp, another version
            days = with_day(
                days, "march-31", summary={"az": f"Xülasə {step}", "en": f"S {step}", "ru": "Ж"}
            )
            version += 1
        changed = DATA_CHANGED + dt.timedelta(hours=version)
        options = random_options(rng)
        year = rng.choice([YEAR, 1995, 2026, 2031, 2090])
        base_url = rng.choice([BASE_URL, "http://127.0.0.1:8000/", "https://anim.example.org"])
        expected = render_calendar(
            days, options, year=year, base_url=base_url, data_changed=changed
        )
        body = blocks.render(
            Calls(days), options, year=year, base_url=base_url, data_changed=changed,
            version=version,
        )  # fmt: skip
        assert body == expected, (step, options, year, base_url)


def test_a_new_variant_needs_no_days_once_its_blocks_exist() -> None:
    blocks, calls = FeedBlocks(), Calls(DAYS)
    args = {"year": YEAR, "base_url": BASE_URL, "data_changed": DATA_CHANGED, "version": 1}
    blocks.render(calls, FeedOptions(lang="en", alarm=dt.timedelta(days=-1)), **args)
    assert calls.count == 1
    for minutes in range(1, 40):  # a stream of distinct alarm= values, silence on and off
        options = FeedOptions(
            lang="en", alarm=dt.timedelta(minutes=-minutes), include_silence=minutes % 2 == 0
        )
        assert blocks.render(calls, options, **args) == render_calendar(DAYS, options, **_ref(args))
    one_day = FeedOptions(lang="en", slug="january-20")
    assert blocks.render(calls, one_day, **args) == render_calendar(DAYS, one_day, **_ref(args))
    assert calls.count == 1  # a new plan and header, from the days already read
    blocks.render(calls, FeedOptions(lang="en"), **{**args, "version": 2})
    assert calls.count == 2  # a new data version reads its days again


def test_a_stream_of_new_windows_reads_the_days_once() -> None:
    """Each window is a new plan, VTIMEZONE and blocks for years not asked before."""
    blocks, calls = FeedBlocks(), Calls(DAYS)
    args = {"year": YEAR, "base_url": BASE_URL, "data_changed": DATA_CHANGED, "version": 1}
    for back, ahead in [(2, 10), (0, 0), (10, 20), (3, 12), (7, 1), (1, 19)]:
        for lang in ("az", "ru"):
            options = FeedOptions(lang=lang, years_back=back, years_ahead=ahead)
            expected = render_calendar(DAYS, options, **_ref(args))
            assert blocks.render(calls, options, **args) == expected
    assert calls.count == 1


def test_an_unknown_slug_is_refused() -> None:
    with pytest.raises(ValueError, match="no memorial day 'june-15'"):
        FeedBlocks().render(
            Calls(DAYS), FeedOptions(lang="en", slug="june-15"), year=YEAR, base_url=BASE_URL,
            data_changed=DATA_CHANGED, version=1,
        )  # fmt: skip


def test_the_store_stays_within_its_bound_and_still_renders_right() -> None:
    rng = random.Random(7)
    blocks = FeedBlocks(max_bytes=200_000)  # far less than one language's blocks
    for _ in range(60):
        options = random_options(rng)
        body = blocks.render(
            Calls(DAYS), options, year=YEAR, base_url=BASE_URL, data_changed=DATA_CHANGED,
            version=1,
        )  # fmt: skip
        assert body == render_calendar(
            DAYS, options, year=YEAR, base_url=BASE_URL, data_changed=DATA_CHANGED
        )
        assert 0 < blocks.bytes_held <= blocks.max_bytes


def test_the_feed_cache_memory_is_bounded_under_a_stream_of_variants(app: Flask) -> None:
    """Distinct alarm= values forever: what the process holds stays under the bound."""
    cache = FeedCache(max_bytes=2_000_000, blocks_max_bytes=1_000_000)
    with app.app_context():
        feed_for(db.session, cache, FeedOptions(lang="ru"), year=YEAR, base_url=BASE_URL)
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for minutes in range(1, 120):
                options = FeedOptions(
                    lang="ru", alarm=dt.timedelta(minutes=-minutes), years_back=10, years_ahead=20
                )
                feed_for(db.session, cache, options, year=YEAR, base_url=BASE_URL)
                assert cache.bytes_held <= cache.max_bytes_held
            grown = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
    assert len(cache) < 119  # the oldest variants were let go
    # Python objects around the counted bytes: keys, dicts, entries; well within 2x
    assert grown < 2 * cache.max_bytes_held, grown


def _ref(args: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in args.items() if k != "version"}


def test_a_render_of_old_data_during_a_reload_leaves_nothing_for_the_new() -> None:
    """A request still rendering the old data while another switches to the new one."""
    blocks = FeedBlocks()
    old = DAYS
    renamed = {"az": "Yeni ad", "en": "A new name", "ru": "Новое имя"}
    new = with_day(DAYS, "january-20", name=renamed)
    plain, alarmed = FeedOptions(lang="en"), FeedOptions(lang="en", alarm=dt.timedelta(days=-1))
    args = {"year": YEAR, "base_url": BASE_URL, "data_changed": DATA_CHANGED}
    blocks.render(Calls(old), plain, **args, version=1)  # plan, header, events of the old

    def old_days_while_new_data_arrives() -> list[DayRecord]:
        blocks.render(Calls(new), alarmed, **args, version=2)  # the other request
        return old  # the first goes on rendering the old data's alarms

    blocks.render(old_days_while_new_data_arrives, alarmed, **args, version=1)
    assert blocks.render(Calls(new), alarmed, **args, version=2) == render_calendar(
        new, alarmed, **args
    )


# --- the writers of the lines that change with the year, against icalendar's types ----------

TEXT_ALPHABET = "aZ09 -—@.:\"'əğıöşüçƏЖжё\\;,\r\n\tN𝄞\ufeff"


@settings(max_examples=2000)
@given(st.text(alphabet=TEXT_ALPHABET, max_size=120))
def test_year_text_is_written_as_vtext_writes_it(text: str) -> None:
    assert _text(text) == vText(text).to_ical()


@settings(max_examples=500)
@given(st.dates(min_value=dt.date(1, 1, 1)))
def test_year_dates_are_written_as_vdate_writes_them(day: dt.date) -> None:
    assert _date_digits(day) == vDate(day).to_ical()


@settings(max_examples=500)
@given(
    st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)),
    st.sampled_from([None, "Asia/Baku", "Europe/London", "America/New_York", "Asia/Kolkata"]),
)
def test_year_local_times_are_written_as_vdatetime_writes_them(
    moment: dt.datetime, zone: str | None
) -> None:
    local = moment if zone is None else moment.replace(tzinfo=ZoneInfo(zone))
    assert _local_date_time_digits(local) == vDatetime(local).to_ical()
