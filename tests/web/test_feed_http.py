"""The feed routes through Flask's test client, on a real SQLite app with the bundled data."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
from collections.abc import Callable
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from calendar_app.core.ics import FeedOptions, render_calendar
from calendar_app.data.dataset import parse_dataset
from calendar_app.data.models import DataState
from calendar_app.data.prepare import load_dataset, read_dataset
from calendar_app.extensions import db
from calendar_app.resources import resource_dir
from calendar_app.web.feed import CACHE_KEY, feed_cache
from calendar_app.web.feed_cache import FeedCache
from tests.conftest import build_app
from tests.support.data_files import TEST_DATA_FILE
from tests.support.factories import dump, minimal_document
from tests.support.feed import (
    byte_problems,
    event_uids,
    parse_uid,
    plain_days,
    structure_problems,
)

ALL = "/calendar.ics"
NOW = dt.datetime(2027, 5, 1, 12, 0, tzinfo=dt.UTC)


def at(moment: dt.datetime) -> Callable[[], dt.datetime]:
    return lambda: moment


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.config["CLOCK"] = at(NOW)
    return app.test_client()


def test_the_feed_is_served_with_its_headers(client: FlaskClient) -> None:
    response = client.get(ALL)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Vary"] == "Accept-Encoding"
    assert "Content-Encoding" not in response.headers
    assert "Content-Disposition" not in response.headers
    body = response.get_data()
    etag = response.headers["ETag"]
    assert etag == f'"{hashlib.sha256(body).hexdigest()[:32]}"'  # strong, over the body
    assert byte_problems(body) == [] and structure_problems(body) == []
    assert client.get(ALL).get_data() == body  # identical bytes on every request


def test_defaults_come_from_the_configuration(tmp_path: Path) -> None:
    app = build_app(
        tmp_path,
        f"sqlite:///{tmp_path / 'c.db'}",
        site={"default_language": "en"},
        feed={"years_back": 0, "years_ahead": 1},
        server={"base_url": "https://anim.example.org:8443"},
    )
    from calendar_app.data.prepare import prepare_database

    prepare_database(app)
    app.config["CLOCK"] = at(NOW)
    body = app.test_client().get(ALL).get_data()
    assert b"NAME:Memorial days of Azerbaijan\r\n" in body
    assert {parse_uid(u)[1] for u in event_uids(body)} == {2027, 2028}
    assert {parse_uid(u)[3] for u in event_uids(body)} == {"anim.example.org"}


def test_the_served_feed_is_the_pure_render_of_the_stored_data(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        state = db.session.get(DataState, 1)
        assert state is not None
        changed = state.changed_dt
    for query, options in (
        ("", FeedOptions(lang="az")),
        ("?lang=ru&silence=0&alarm=-PT2H&years_back=1&years_ahead=3", None),
    ):
        expected_options = options or FeedOptions(
            lang="ru",
            include_silence=False,
            alarm=dt.timedelta(hours=-2),
            years_back=1,
            years_ahead=3,
        )
        expected = render_calendar(
            plain_days(),
            expected_options,
            year=2027,
            base_url="http://127.0.0.1:8000",
            data_changed=changed,
        )
        assert client.get(ALL + query).get_data() == expected


def test_one_day(client: FlaskClient) -> None:
    response = client.get("/days/february-26.ics?lang=en")
    assert response.status_code == 200
    body = response.get_data()
    assert {parse_uid(u)[0] for u in event_uids(body)} == {"february-26"}
    assert b"NAME:Day of the Khojaly Genocide\r\n" in body
    assert structure_problems(body) == []


def test_if_none_match_gives_304(client: FlaskClient) -> None:
    first = client.get(ALL)
    etag = first.headers["ETag"]
    again = client.get(ALL, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    assert again.headers["Cache-Control"] == "public, max-age=3600"
    assert client.get(ALL, headers={"If-None-Match": f'"other", {etag}'}).status_code == 304
    assert client.get(ALL, headers={"If-None-Match": "*"}).status_code == 304
    assert client.get(ALL, headers={"If-None-Match": '"other"'}).status_code == 200
    # another representation has another validator
    assert client.get(ALL + "?lang=en", headers={"If-None-Match": etag}).status_code == 200


def test_if_modified_since_gives_304(client: FlaskClient) -> None:
    first = client.get(ALL)
    modified = parsedate_to_datetime(first.headers["Last-Modified"])
    same = format_datetime(modified, usegmt=True)
    later = format_datetime(modified + dt.timedelta(days=1), usegmt=True)
    earlier = format_datetime(modified - dt.timedelta(seconds=1), usegmt=True)
    assert client.get(ALL, headers={"If-Modified-Since": same}).status_code == 304
    assert client.get(ALL, headers={"If-Modified-Since": later}).status_code == 304
    assert client.get(ALL, headers={"If-Modified-Since": earlier}).status_code == 200
    # If-None-Match wins over If-Modified-Since
    both = {"If-None-Match": '"other"', "If-Modified-Since": later}
    assert client.get(ALL, headers=both).status_code == 200


def test_last_modified_moves_with_the_year(app: Flask, client: FlaskClient) -> None:
    """The window moves on 1 January (Baku), so If-Modified-Since must not keep last year's."""
    with app.app_context():
        state = db.session.get(DataState, 1)
        assert state is not None
        state.changed_dt = dt.datetime(2026, 6, 1, 10, 0)
        db.session.commit()
    app.config["CLOCK"] = at(dt.datetime(2026, 12, 31, 19, 0, tzinfo=dt.UTC))  # 23:00 in Baku
    old = client.get(ALL)
    assert old.headers["Last-Modified"] == "Mon, 01 Jun 2026 10:00:00 GMT"
    app.config["CLOCK"] = at(dt.datetime(2026, 12, 31, 21, 0, tzinfo=dt.UTC))  # 01:00, 1 January
    new = client.get(ALL, headers={"If-Modified-Since": old.headers["Last-Modified"]})
    assert new.status_code == 200
    assert new.headers["Last-Modified"] == "Thu, 31 Dec 2026 20:00:00 GMT"
    assert new.get_data() != old.get_data()
    assert min(parse_uid(u)[1] for u in event_uids(new.get_data())) == 2025


def test_head_is_get_without_a_body(client: FlaskClient) -> None:
    get = client.get("/days/january-20.ics")
    head = client.head("/days/january-20.ics")
    assert head.status_code == 200
    assert head.get_data() == b""
    assert head.headers["Content-Length"] == str(len(get.get_data()))
    for name in ("ETag", "Last-Modified", "Content-Type", "Cache-Control"):
        assert head.headers[name] == get.headers[name]


def test_gzip_when_the_client_accepts_it(client: FlaskClient) -> None:
    plain = client.get(ALL)
    packed = client.get(ALL, headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert len(packed.get_data()) < len(plain.get_data()) / 5
    assert packed.headers["ETag"] != plain.headers["ETag"]  # a strong ETag per representation
    assert client.get(ALL, headers={"Accept-Encoding": "gzip"}).get_data() == packed.get_data()
    refused = client.get(ALL, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers
    again = client.get(
        ALL, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]}
    )
    assert again.status_code == 304


def test_download_adds_an_attachment_header(client: FlaskClient) -> None:
    response = client.get("/days/march-31.ics?download=1&lang=ru")
    assert response.headers["Content-Disposition"] == 'attachment; filename="march-31-ru.ics"'
    every = client.get(ALL + "?download=1")
    assert every.headers["Content-Disposition"] == 'attachment; filename="memorial-days-az.ics"'
    assert every.get_data() == client.get(ALL).get_data()


def test_parameters_change_the_feed(client: FlaskClient) -> None:
    silent = client.get(ALL + "?silence=0").get_data()
    assert b"-silence@" not in silent and b"-silence@" in client.get(ALL).get_data()
    assert b"TRIGGER:-P1D\r\n" in client.get(ALL + "?alarm=-P1D").get_data()
    assert b"VALARM" not in client.get(ALL + "?alarm=").get_data()
    years = {
        parse_uid(u)[1]
        for u in event_uids(client.get(ALL + "?years_back=0&years_ahead=0").get_data())
    }
    assert years == {2027}
    assert b"SUMMARY;LANGUAGE=ru:" in client.get(ALL + "?lang=ru").get_data()


@pytest.mark.parametrize(
    ("url", "status", "reason"),
    [
        (ALL + "?lang=tr", 400, "unknown lang 'tr'; use one of az, en, ru"),
        (ALL + "?lang=", 400, "unknown lang ''"),
        (ALL + "?lang=en&lang=az", 400, "lang is given more than once"),
        (ALL + "?silence=yes", 400, "silence must be 0 or 1, not 'yes'"),
        (ALL + "?download=2", 400, "download must be 0 or 1, not '2'"),
        (ALL + "?alarm=tomorrow", 400, "alarm 'tomorrow' is not a duration such as -P1D"),
        (ALL + "?alarm=-P31D", 400, "alarm must be at most 30 days before (-P30D)"),
        (ALL + "?alarm=P1D", 400, "alarm must not be after the start"),
        (ALL + "?alarm=-P99999999999D", 400, "alarm '-P99999999999D' is not a duration"),
        (ALL + "?years_back=11", 400, "years_back must be a whole number from 0 to 10"),
        (ALL + "?years_ahead=21", 400, "years_ahead must be a whole number from 0 to 20"),
        (ALL + "?years_ahead=-1", 400, "years_ahead must be a whole number"),
        (ALL + "?years_back=1.5", 400, "years_back must be a whole number"),
        (ALL + "?years_back=%D9%A1", 400, "years_back must be a whole number"),
        (ALL + "?years_back=" + "9" * 5000, 400, "years_back must be a whole number"),
        ("/days/april-1.ics", 404, "There is no memorial day “april-1”."),
        ("/days/JANUARY-20.ics", 404, "There is no memorial day “JANUARY-20”."),
        ("/days/%0Aevil.ics", 404, "There is no memorial day “\\nevil”."),
        ("/days/april-1.ics?lang=tr", 400, "unknown lang 'tr'"),
    ],
)
def test_bad_parameters_get_a_one_line_plain_reason(
    client: FlaskClient, url: str, status: int, reason: str
) -> None:
    response = client.get(url, headers={"Accept-Language": "en"})
    assert response.status_code == status
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    text = response.get_data(as_text=True)
    assert text.endswith("\n") and text.count("\n") == 1 and len(text) < 200
    assert text.startswith(reason), text


def test_an_unknown_slug_stays_404_once_the_slugs_are_known(client: FlaskClient) -> None:
    assert client.get("/days/january-20.ics").status_code == 200
    assert client.get("/days/nope.ics").status_code == 404
    assert client.get("/days/nope.ics").status_code == 404


def test_no_data_yet_is_503_not_500(empty_app: Flask) -> None:
    with empty_app.app_context():
        upgrade(directory=str(resource_dir("migrations")))
    response = empty_app.test_client().get(ALL)
    assert response.status_code == 503
    assert response.get_data(as_text=True) == "no data has been loaded yet; try again later\n"


def test_the_day_page_route_does_not_swallow_the_feed(tmp_path: Path) -> None:
    app = build_app(tmp_path, f"sqlite:///{tmp_path / 'c.db'}")
    urls = app.url_map.bind("calendar.example.az")
    if not any(rule.rule == "/days/<slug>" for rule in app.url_map.iter_rules()):
        app.add_url_rule("/days/<slug>", "test_day_page", lambda slug: f"page {slug}")
    assert urls.match("/days/january-20.ics") == ("feed.one_day", {"slug": "january-20"})
    page, arguments = urls.match("/days/january-20")
    assert page != "feed.one_day" and arguments == {"slug": "january-20"}


def test_a_poll_reuses_the_rendered_bytes(app: Flask, client: FlaskClient) -> None:
    client.get(ALL)
    with app.app_context():
        cache = feed_cache()
        assert len(cache) == 1
    client.get(ALL, headers={"Accept-Encoding": "gzip"})
    client.get(ALL, headers={"If-None-Match": '"x"'})
    with app.app_context():
        assert len(feed_cache()) == 1  # one entry serves identity, gzip and 304
    client.get(ALL + "?lang=en")
    with app.app_context():
        assert len(feed_cache()) == 2


def test_a_data_reload_keeps_uids_and_changes_the_stamp(app: Flask, client: FlaskClient) -> None:
    before = client.get(ALL)
    with app.app_context():
        app.extensions[CACHE_KEY] = FeedCache(version_ttl=0)  # see the reload at once
        unchanged = load_dataset(read_dataset(TEST_DATA_FILE), now=dt.datetime(2027, 6, 1, 8, 0))
        assert not unchanged.changed
    same = client.get(ALL)
    assert same.get_data() == before.get_data()  # nothing changed: same bytes, same ETag

    text = TEST_DATA_FILE.read_text(encoding="utf-8").replace(
        "It is observed across Azerbaijan as a day of national mourning.",
        "It is observed across Azerbaijan as a day of national mourning (edited).",
    )
    with app.app_context():
        report = load_dataset(parse_dataset(text, "edited"), now=dt.datetime(2027, 6, 1, 8, 0))
        assert report.changed
    after = client.get(ALL + "?lang=en")
    assert after.status_code == 200
    assert b"(edited)" in after.get_data().replace(b"\r\n ", b"")
    assert event_uids(after.get_data()) == event_uids(before.get_data())
    assert b"DTSTAMP:20270601T080000Z\r\n" in after.get_data()
    assert after.headers["Last-Modified"] == "Tue, 01 Jun 2027 08:00:00 GMT"
    az_after = client.get(ALL, headers={"If-None-Match": before.headers["ETag"]})
    assert az_after.status_code == 200  # the bytes changed, so the old ETag no longer matches


def test_a_reload_shows_within_the_version_ttl(app: Flask, client: FlaskClient) -> None:
    clock = [100.0]
    with app.app_context():
        app.extensions[CACHE_KEY] = FeedCache(clock=lambda: clock[0])
    before = client.get(ALL).get_data()
    document = minimal_document()
    with app.app_context():
        load_dataset(parse_dataset(dump(document), "small"), now=dt.datetime(2027, 6, 1, 8, 0))
    clock[0] += 1.0  # within the TTL: the version read a second ago still serves
    assert client.get(ALL).get_data() == before
    clock[0] += 1.5
    after = client.get(ALL).get_data()
    assert after != before
    assert {parse_uid(u)[0] for u in event_uids(after)} == {"january-20", "september-27"}
    assert client.get("/days/march-31.ics").status_code == 404  # retired from the data


def test_the_largest_feed_allowed_stays_under_a_megabyte(client: FlaskClient) -> None:
    """Google Calendar reportedly ignores feeds over about 1 MB; the year bounds keep us under."""
    for lang in ("az", "en", "ru"):
        response = client.get(f"{ALL}?lang={lang}&years_back=10&years_ahead=20&alarm=-P1D")
        assert response.status_code == 200
        assert len(response.get_data()) < 1_000_000, lang
