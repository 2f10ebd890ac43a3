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
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from calendar_app.core.ics import FeedOptions, feed_window, render_calendar
from tests.conftest import IN_CI
from tests.support.feed import (
    BASE_URL,
    DATA_CHANGED,
    YEAR,
    expected_dates,
    parse_uid,
    plain_days,
)

JS_DIR = Path(__file__).parent / "js"
SCRIPT = JS_DIR / "read_feeds.mjs"
DAYS = plain_days()
SILENCE_UTC = {"january-20": dt.time(8), "february-26": dt.time(13), "september-27": dt.time(8)}


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"ical.js check cannot run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def node() -> str:
    found = shutil.which("node")
    if found is None:
        _unavailable("node is not installed (apt-get install nodejs npm)")
        raise AssertionError("unreachable")
    if not (JS_DIR / "node_modules" / "ical.js" / "package.json").exists():
        npm = shutil.which("npm")
        if npm is None:
            _unavailable("npm is not installed, so ical.js cannot be installed")
            raise AssertionError("unreachable")
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=JS_DIR,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            _unavailable(f"npm ci failed in {JS_DIR}: {done.stderr.strip()[-500:]}")
    return found


def read_with_icaljs(node: str, paths: list[Path]) -> list[dict[str, Any]]:
    done = subprocess.run(
        [node, str(SCRIPT), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "TZ": "America/Los_Angeles"},  # not UTC, not Baku
    )
    assert done.returncode == 0, done.stderr
    feeds: list[dict[str, Any]] = json.loads(done.stdout)
    return feeds


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
