"""libical (Evolution, GNOME) reads every feed variant and finds nothing to object to.

libical is the C library behind Evolution and GNOME Calendar. Its restriction
check applies RFC 5545's rules on which properties each component may hold and
how often; it is stricter than the Python parsers (it rejects a COMMENT inside
VTIMEZONE, which icalendar's ``Timezone.from_tzid`` writes). It also shows a
calendar-level UID, which clients that split a feed into items copy into every
event (issue 11).

The bindings (Debian's python3-gi and gir1.2-ical-3.0) live in the system
Python, which the virtualenv cannot import from, so tests/libical/read_feeds.py
runs under /usr/bin/python3 and answers in JSON. Locally a missing package skips
these tests with the reason; with CI=true (.ci/run installs both) it fails them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import subprocess
from pathlib import Path
from typing import Any

import icalendar
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from calendar_app.cli import cli
from calendar_app.core.ics import FeedOptions, render_calendar
from calendar_app.extensions import db
from calendar_app.reminders.scheduler import run_once
from calendar_app.reminders.subscriptions import Preferences, confirm, normalize_email, sign_up
from tests.conftest import IN_CI
from tests.support.feed import BASE_URL, DATA_CHANGED, YEAR, parse_uid, plain_days
from tests.support.processes import read_feeds_with
from tests.support.smtp_sink import SmtpSink

SYSTEM_PYTHON = Path("/usr/bin/python3")
SCRIPT = Path(__file__).resolve().parents[1] / "libical" / "read_feeds.py"
DAYS = plain_days()
SILENCE_UTC = {"january-20": dt.time(8), "february-26": dt.time(13), "september-27": dt.time(8)}
ALARMS = {None: [], dt.timedelta(days=-1): ["-P1D"], dt.timedelta(hours=-2): ["-PT2H"]}


@pytest.fixture(scope="module")
def libical() -> Path:
    problem = _missing()
    if problem is not None:
        if IN_CI:
            pytest.fail(f"the libical check cannot run in CI: {problem}")
        pytest.skip(problem)
    return SYSTEM_PYTHON


def _missing() -> str | None:
    if not SYSTEM_PYTHON.exists():
        return f"{SYSTEM_PYTHON} is missing"
    probe = "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib"
    done = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", probe], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return "libical's bindings are missing (apt-get install python3-gi gir1.2-ical-3.0)"
    return None


def read_with_libical(python: Path, paths: list[Path]) -> list[dict[str, Any]]:
    feeds = read_feeds_with([str(python), str(SCRIPT)], paths, timeout=300)
    assert [f["path"] for f in feeds] == [str(p) for p in paths]
    return feeds


def problems(feed: dict[str, Any]) -> list[str]:
    """What libical objects to, or what it shows of a defect the other parsers accept."""
    if not feed["parsed"]:
        return ["libical could not parse it"]
    found = [f"parse: {e}" for e in feed["parse_errors"]]
    found += [f"restriction: {e}" for e in feed["restriction_errors"]]
    if feed["kind"] != "VCALENDAR":
        found.append(f"top component {feed['kind']}")
    if feed["calendar_uid"]:
        found.append("calendar-level UID")
    for event in feed["events"]:
        if not event["is_date"] and (event["tzid"] is None or not event["zone_found"]):
            found.append(f"{event['uid']}: no time zone for {event['start_local']}")
    return found


def check_against_icalendar(feed: dict[str, Any], body: bytes) -> None:
    """libical sees the same events, at the same instants, with the same alarms."""
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert [e["uid"] for e in feed["events"]] == [str(e["UID"]) for e in events]
    for seen, event in zip(feed["events"], events, strict=True):
        slug, year, is_silence, _ = parse_uid(seen["uid"])
        assert seen["is_date"] is not is_silence
        if is_silence:
            at = dt.datetime.fromtimestamp(seen["start_utc"], dt.UTC)
            assert at == event["DTSTART"].dt.astimezone(dt.UTC)
            assert at.time() == SILENCE_UTC[slug] and at.year == year
        assert seen["alarms"] == [a["TRIGGER"].to_ical().decode() for a in event.walk("VALARM")]


def test_libical_accepts_every_feed_variant(libical: Path, tmp_path: Path) -> None:
    variants = list(
        itertools.product(
            ("az", "en", "ru"), (True, False), ALARMS, [None, *(d.slug for d in DAYS)]
        )
    )
    paths, bodies = [], {}
    for lang, silence, alarm, slug in variants:
        options = FeedOptions(lang=lang, include_silence=silence, alarm=alarm, slug=slug)
        body = render_calendar(
            DAYS, options, year=YEAR, base_url=BASE_URL, data_changed=DATA_CHANGED
        )
        path = tmp_path / f"{lang}-{int(silence)}-{alarm}-{slug or 'all'}.ics"
        path.write_bytes(body)
        paths.append(path)
        bodies[str(path)] = (body, ALARMS[alarm])

    feeds = read_with_libical(libical, paths)
    assert len(feeds) == len(variants) == 90
    for feed in feeds:
        assert problems(feed) == [], feed["path"]
        body, alarms = bodies[feed["path"]]
        check_against_icalendar(feed, body)
        assert all(e["alarms"] == alarms for e in feed["events"])
        assert feed["events"]


def test_libical_accepts_the_static_export(
    libical: Path, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    result = runner.invoke(cli, ["feed", "export", "--out", str(out), "--year", "2027"])
    assert result.exit_code == 0, result.output
    paths = sorted(out.rglob("*.ics"))
    assert len(paths) == 20
    for feed in read_with_libical(libical, paths):
        assert problems(feed) == [], feed["path"]
        check_against_icalendar(feed, Path(feed["path"]).read_bytes())


def test_libical_accepts_the_email_attachment(
    libical: Path, smtp_app: Flask, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    signed_up = dt.datetime(2026, 12, 1, 10, 0)
    due = dt.datetime(2027, 1, 19, 5, 0)  # 09:00 in Baku, the day before 20 January
    with smtp_app.app_context():
        for lang in ("az", "en", "ru"):
            prefs = Preferences(lang, "Asia/Baku", ("january-20",), (1,), 9)
            signup = sign_up(db.session, normalize_email(f"{lang}@example.org"), prefs, signed_up)
            assert confirm(db.session, signup.token, signed_up) is not None
        db.session.commit()
        assert "3 sent" in run_once(due).summary()
    paths = []
    for number, message in enumerate(smtp_sink.messages):
        (attachment,) = list(message.iter_attachments())
        assert attachment.get_content_type() == "text/calendar"
        content = attachment.get_content()
        path = tmp_path / f"attachment-{number}.ics"
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        paths.append(path)
    assert len(paths) == 3
    for feed in read_with_libical(libical, paths):
        assert problems(feed) == [], feed["path"]
        check_against_icalendar(feed, Path(feed["path"]).read_bytes())
        assert {parse_uid(e["uid"])[:3] for e in feed["events"]} == {
            ("january-20", 2027, False),
            ("january-20", 2027, True),
        }


def test_the_oracle_sees_a_calendar_uid_and_a_comment_in_vtimezone(
    libical: Path, tmp_path: Path
) -> None:
    """The check itself: put back what issue 11 removed and libical reports both."""
    options = FeedOptions(lang="en", years_back=0, years_ahead=0, slug="january-20")
    body = render_calendar(DAYS, options, year=YEAR, base_url=BASE_URL, data_changed=DATA_CHANGED)
    broken = body.replace(
        b"VERSION:2.0\r\n", b"VERSION:2.0\r\nUID:memorial-days-en@calendar.example.az\r\n", 1
    ).replace(b"TZID:Asia/Baku\r\n", b"TZID:Asia/Baku\r\nCOMMENT:Only 2027.\r\n", 1)
    path = tmp_path / "broken.ics"
    path.write_bytes(broken)
    (feed,) = read_with_libical(libical, [path])
    found = problems(feed)
    assert "calendar-level UID" in found
    assert any("VTIMEZONE" in p and "COMMENT" in p for p in found), found
