"""Replayed feed answers are Flask's own answers, and they expire."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.test import Client

from calendar_app.bootstrap import load_dataset, prepare_database, read_dataset
from calendar_app.feed_cache import FeedCache
from calendar_app.resources import DATA_FILE
from calendar_app.web import feed_replay
from tests.conftest import build_app


@pytest.fixture
def feed_app(tmp_path: Path) -> Flask:
    app = build_app(tmp_path, f"sqlite:///{tmp_path / 'c.db'}", limits={"enabled": False})
    prepare_database(app)
    return app


def answer(client: Client, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    response = client.get(path, headers=headers)
    return response.status_code, dict(response.headers), response.get_data()


def test_a_replayed_answer_equals_flasks_answer(feed_app: Flask) -> None:
    client = Client(feed_app.wsgi_app)
    for path in ("/calendar.ics?lang=en", "/days/january-20.ics?lang=ru&silence=0"):
        for encoding in ("gzip", "identity"):
            first = answer(client, path, **{"Accept-Encoding": encoding})
            replayed = answer(client, path, **{"Accept-Encoding": encoding})
            assert first[0] == 200 and replayed == first
            etag = first[1]["ETag"]
            status, headers, body = answer(
                client, path, **{"Accept-Encoding": encoding, "If-None-Match": etag}
            )
            assert (status, body) == (304, b"") and headers["ETag"] == etag
            assert (
                "Content-Type" not in headers
                and headers["Cache-Control"] == first[1]["Cache-Control"]
            )
            assert headers["X-Frame-Options"] == first[1]["X-Frame-Options"]


def test_errors_and_head_always_go_through_flask(feed_app: Flask) -> None:
    client = Client(feed_app.wsgi_app)
    for _ in range(2):
        assert client.get("/calendar.ics?lang=de").status_code == 400
        assert client.get("/days/no-such-day.ics").status_code == 404
    assert client.head("/calendar.ics").status_code == 200
    assert feed_replay.FEED_PATH.match("/calendar.ics")
    assert not feed_replay.FEED_PATH.match("/calendar.ics/../api")


def test_a_data_change_shows_as_soon_as_the_feed_cache_sees_it(
    feed_app: Flask, tmp_path: Path
) -> None:
    clock = [100.0]
    feed_app.extensions["calendar_app.feed_cache"] = FeedCache(clock=lambda: clock[0])
    client = Client(feed_app.wsgi_app)
    before = answer(client, "/calendar.ics?lang=en")[2]
    edited = DATA_FILE.read_text("utf-8").replace(
        'en = "National Mourning Day"', 'en = "National Day of Mourning"', 1
    )
    changed = tmp_path / "edited.toml"
    changed.write_text(edited, "utf-8")
    with feed_app.app_context():
        load_dataset(read_dataset(changed), now=dt.datetime(2030, 1, 1))
    clock[0] += 1.0  # the version read a second ago is still trusted: the record replays
    assert answer(client, "/calendar.ics?lang=en")[2] == before
    clock[0] += 1.5  # now the cache reads the version again, and so the feed changes
    after = answer(client, "/calendar.ics?lang=en")[2]
    assert before != after and b"National Day of Mourning" in after


def test_replayed_polls_count_against_the_feed_limit(tmp_path: Path) -> None:
    app = build_app(tmp_path, f"sqlite:///{tmp_path / 'c.db'}", limits={"enabled": True})
    prepare_database(app)
    limit = feed_replay.FEED_LIMIT.amount
    client = Client(app.wsgi_app)
    responses = [client.get("/calendar.ics") for _ in range(limit + 5)]
    codes = [r.status_code for r in responses]
    assert codes.count(200) <= limit + 1 and codes[-1] == 429
    assert int(responses[-1].headers["Retry-After"]) > 0
