"""Pages kept per (address, language, day, data version) and compressed by the app."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

from flask import Flask
from sqlalchemy import event

from calendar_app.data.prepare import prepare_database
from calendar_app.extensions import db
from calendar_app.web.page_cache import page_cache
from tests.conftest import build_app
from tests.support.site import client_on

GZIP = {"Accept-Encoding": "gzip"}


def test_a_page_is_rendered_once_and_then_answered_from_the_cache(app: Flask) -> None:
    client = client_on(app, dt.date(2027, 1, 21))
    first = client.get("/days/january-20?lang=ru")
    with app.app_context():
        kept = len(page_cache())
    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    again = client.get("/days/january-20?lang=ru")
    assert again.get_data() == first.get_data() and again.status_code == 200
    assert statements == []  # no query, no template: the kept bytes
    with app.app_context():
        assert len(page_cache()) == kept == 1
    client.get("/days/january-20?lang=en")
    assert statements  # the listener sees a page not kept yet: its silence above means something
    client.get("/days/january-20?lang=ru&x=1")
    with app.app_context():
        assert len(page_cache()) == 3  # each language and address its own


def test_the_next_day_renders_again(app: Flask) -> None:
    before = client_on(app, dt.date(2027, 1, 19)).get("/days/january-20?lang=en")
    on_the_day = client_on(app, dt.date(2027, 1, 20)).get("/days/january-20?lang=en")
    assert "Today" not in before.get_data(as_text=True)
    assert "Today" in on_the_day.get_data(as_text=True)


def test_an_unknown_day_is_a_404_and_not_kept(app: Flask) -> None:
    client = client_on(app, dt.date(2027, 1, 21))
    assert client.get("/days/june-15").status_code == 404
    with app.app_context():
        assert len(page_cache()) == 0


def test_pages_go_out_gzipped_to_clients_that_accept_it(app: Flask) -> None:
    client = client_on(app, dt.date(2027, 1, 21))
    plain = client.get("/?lang=az")
    packed = client.get("/?lang=az", headers=GZIP)
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert (
        "Accept-Encoding" in packed.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
    )
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert len(packed.get_data()) < len(plain.get_data()) / 3
    sources = client.get("/sources", headers=GZIP)  # rendered now, compressed as kept
    assert gzip.decompress(sources.get_data()).startswith(b"<!doctype html>")


def test_other_text_responses_are_compressed_too(app: Flask) -> None:
    client = client_on(app, dt.date(2027, 1, 21))
    plain = client.get("/api/v1/days")
    assert plain.status_code == 200 and len(plain.get_data()) > 1024
    packed = client.get("/api/v1/days", headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    feed = client.get("/calendar.ics", headers=GZIP)  # already gzip: not twice
    assert gzip.decompress(feed.get_data()).startswith(b"BEGIN:VCALENDAR")
    small = client.get("/healthz", headers=GZIP)
    assert "Content-Encoding" not in small.headers


def test_compression_can_be_left_to_a_proxy(tmp_path: Path) -> None:
    app = build_app(tmp_path, server={"compress": False}, limits={"enabled": False})
    prepare_database(app)
    client = client_on(app, dt.date(2027, 1, 21))
    for path in ("/", "/api/v1/days", "/sources"):
        response = client.get(path, headers=GZIP)
        assert response.status_code == 200 and "Content-Encoding" not in response.headers, path
