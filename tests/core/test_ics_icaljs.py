"""ical.js (from npm, under node) reads every feed variant as a JavaScript client would.

It is the oracle for absolute instants: the minute of silence at 12:00 Asia/Baku
must be 08:00 UTC. The package is pinned by tests/js/package-lock.json and
installed with `npm ci` into tests/js/node_modules (git-ignored) on first use.
Locally, a missing node or npm package skips these tests with the reason; with
CI=true it fails them instead.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

from calendar_app.core.ics import FeedOptions, feed_window, render_calendar
from tests.support.feed import (
    BASE_URL,
    DATA_CHANGED,
    YEAR,
    expected_dates,
    parse_uid,
    plain_days,
)
from tests.support.icaljs import node, read_with_icaljs

__all__ = ["node"]  # the fixture, from tests/support/icaljs.py
DAYS = plain_days()
SILENCE_UTC = {"january-20": dt.time(8), "february-26": dt.time(13), "september-27": dt.time(8)}


def test_icaljs_reads_every_variant_at_the_right_instants(node: str, tmp_path: Path) -> None:
    variants = list(
        itertools.product(("az", "en", "ru"), (True, False), [None, *(d.slug for d in DAYS)])
    )
    paths, expected = [], {}
    first, last = feed_window(YEAR, 2, 10)
    for lang, silence, slug in variants:
        options = FeedOptions(lang=lang, include_silence=silence, slug=slug)
        path = tmp_path / f"{lang}-{int(silence)}-{slug or 'all'}.ics"
        path.write_bytes(
            render_calendar(DAYS, options, year=YEAR, base_url=BASE_URL, data_changed=DATA_CHANGED)
        )
        paths.append(path)
        chosen = [d for d in DAYS if slug in (None, d.slug)]
        expected[str(path)] = (options, expected_dates(chosen, first.year, last.year))

    feeds = read_with_icaljs(node, paths)
    assert len(feeds) == len(variants)
    for feed in feeds:
        options, dates = expected[feed["path"]]
        all_day, timed = set(), set()
        for event in feed["events"]:
            slug, year, is_silence, _ = parse_uid(event["uid"])
            assert not event["isRecurring"]
            start, end = event["start"], event["end"]
            if is_silence:
                assert start["zone"] == end["zone"] == "Asia/Baku", event
                at = dt.datetime.fromisoformat(start["utc"].replace("Z", "+00:00"))
                assert event["durationSeconds"] == 60
                timed.add((slug, at.date(), at.time()))
            else:
                assert start["isDate"] and end["isDate"], event
                assert event["durationSeconds"] == 86400
                all_day.add((slug, dt.date.fromisoformat(start["local"])))
            assert year == int(start["local"][:4])
            assert event["summary"] and event["description"]
        assert all_day == dates
        assert timed == {
            (slug, day, SILENCE_UTC[slug])
            for slug, day in dates
            if options.include_silence and slug in SILENCE_UTC
        }


def test_icaljs_sees_the_alarm(node: str, tmp_path: Path) -> None:
    path = tmp_path / "alarm.ics"
    options = FeedOptions(lang="en", years_back=0, years_ahead=0, alarm=dt.timedelta(days=-1))
    path.write_bytes(
        render_calendar(DAYS, options, year=YEAR, base_url=BASE_URL, data_changed=DATA_CHANGED)
    )
    (feed,) = read_with_icaljs(node, [path])
    assert feed["name"] == "Memorial days of Azerbaijan"
    assert feed["events"] and all(e["alarms"] == ["-P1D"] for e in feed["events"])


def test_a_tzid_without_its_vtimezone_would_be_caught(node: str, tmp_path: Path) -> None:
    """The oracle itself: strip the VTIMEZONE and ical.js no longer finds 08:00 UTC."""
    options = FeedOptions(lang="en", years_back=0, years_ahead=0, slug="january-20")
    body = render_calendar(DAYS, options, year=YEAR, base_url=BASE_URL, data_changed=DATA_CHANGED)
    start, end = body.index(b"BEGIN:VTIMEZONE"), body.index(b"END:VTIMEZONE\r\n") + 15
    path = tmp_path / "stripped.ics"
    path.write_bytes(body[:start] + body[end:])
    (feed,) = read_with_icaljs(node, [path])
    silence = next(e for e in feed["events"] if "-silence@" in e["uid"])
    assert silence["start"]["zone"] != "Asia/Baku"
    assert silence["start"]["utc"] != "2027-01-20T08:00:00.000Z"
