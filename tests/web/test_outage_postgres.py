"""The database goes away and comes back (PostgreSQL): pages, feeds and the API answer 503
with a short message meanwhile, then serve again without a restart; a `calendar-app
worker` process keeps running through it and sends what fell due.

The outage is a TCP forwarder of this test's own between the app and a fresh database
(tests/support/tcp_forwarder.py): the machine's PostgreSQL server is never stopped.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from calendar_app.data.models import Reminder
from calendar_app.data.prepare import prepare_database
from calendar_app.extensions import db
from calendar_app.reminders.leader import LOCK_KEY
from tests.conftest import build_app
from tests.support.hostile import csrf_of
from tests.support.outbox import seed_due_reminders
from tests.support.processes import app_env, start, stop_all, wait_until
from tests.support.smtp_sink import SmtpSink
from tests.support.tcp_forwarder import TcpForwarder

pytestmark = pytest.mark.slow  # real processes and real-time waits

# path -> the media type of its 503 (a page, plain text for calendar clients, JSON)
PATHS = {
    "/en/": "text/html",
    "/en/days/january-20": "text/html",
    "/en/sources": "text/html",
    "/en/embed": "text/html",
    "/subscribe": "text/html",
    "/feed.atom": "text/html",
    "/calendar.ics": "text/plain",
    "/days/february-26.ics?lang=ru": "text/plain",
    "/api/v1/days": "application/json",
    "/api/v1/observances?lang=az": "application/json",
    "/readyz": "application/json",
}
# served from memory while the database is away: feeds already rendered
CACHED = {"/calendar.ics", "/days/february-26.ics?lang=ru"}
CYCLES = 2
UNAVAILABLE = {
    "en": "briefly unavailable",
    "ru": "временно недоступен",
    "az": "müvəqqəti olaraq işləmir",
}


@pytest.fixture
def forwarder(postgres_admin_url: str) -> Iterator[TcpForwarder]:
    url = sa.make_url(postgres_admin_url)
    relay = TcpForwarder(url.host or "127.0.0.1", url.port or 5432).start()
    yield relay
    relay.stop()


def through(url: str, relay: TcpForwarder) -> str:
    """The same database, reached through the forwarder."""
    return sa.make_url(url).set(host="127.0.0.1", port=relay.port).render_as_string(False)


@pytest.fixture
def relayed_app(
    postgres_url: str, forwarder: TcpForwarder, tmp_path: Path, smtp_sink: SmtpSink
) -> Iterator[Flask]:
    app = build_app(
        tmp_path,
        through(postgres_url, forwarder),
        limits={"enabled": False},
        site={"default_language": "en"},
        mail={"backend": "smtp", "host": "127.0.0.1", "port": smtp_sink.port},
    )
    prepare_database(app)
    app.logger.disabled = True  # the outage is logged as warnings; the test asserts instead
    yield app
    with app.app_context():
        db.engine.dispose()


def test_pages_feeds_and_api_answer_503_and_recover_without_a_restart(
    relayed_app: Flask, forwarder: TcpForwarder, smtp_sink: SmtpSink
) -> None:
    client = relayed_app.test_client()
    for path in PATHS:
        assert client.get(path).status_code == 200, path
    csrf = csrf_of(client.get("/subscribe").get_data(as_text=True))
    for _ in range(CYCLES):
        forwarder.cut()
        for path, media in PATHS.items():
            response = client.get(path)
            if path in CACHED:  # a kept feed is served from memory meanwhile
                assert response.status_code == 200, (path, response.status_code)
                continue
            assert response.status_code == 503, (path, response.status_code)
            assert response.mimetype == media, path
            body = response.get_data(as_text=True)
            assert len(body) < 8000 and "Traceback" not in body, path
            if path != "/readyz":
                lang = path.partition("lang=")[2] or "en"  # in the reader's language
                assert UNAVAILABLE[lang] in body, path
                assert int(response.headers["Retry-After"]) > 0
        signup = client.post("/subscribe", data={
            "csrf_token": csrf, "email": "leyla@example.org", "lang": "en",
            "timezone": "Asia/Baku", "days": ["january-20"], "leads": ["1"], "send_hour": "9",
        })  # fmt: skip
        assert signup.status_code == 503 and smtp_sink.messages == []
        forwarder.restore()
        for path in PATHS:  # the very first request after the outage is served
            assert client.get(path).status_code == 200, path
    assert forwarder.refused > 0


def statuses(app: Flask) -> list[str]:
    with app.app_context():
        found = list(db.session.scalars(sa.select(Reminder.status)))
        db.session.remove()
    return found


def test_a_worker_process_survives_the_outage_and_sends_afterwards(
    postgres_url: str, forwarder: TcpForwarder, tmp_path: Path, smtp_sink: SmtpSink
) -> None:
    direct = build_app(tmp_path, postgres_url)  # the test's own view, around the forwarder
    prepare_database(direct)
    env = app_env(through(postgres_url, forwarder), smtp_sink.port, reminders_tick_seconds="1")
    log = tmp_path / "worker.log"
    worker = start(["worker"], env, tmp_path, log)
    try:
        assert wait_until(lambda: forwarder.accepted > 0, seconds=30), log.read_text()
        forwarder.cut()
        seed_due_reminders(direct, 1)  # falls due while the worker cannot see the database
        failures = lambda: len(re.findall("dispatch failed", log.read_text()))  # noqa: E731
        assert wait_until(lambda: failures() >= 3, seconds=30), log.read_text()
        assert worker.poll() is None, log.read_text()
        assert smtp_sink.messages == [] and statuses(direct) == ["pending"]
        forwarder.restore()
        assert wait_until(lambda: statuses(direct) == ["sent"], seconds=30), log.read_text()
        assert worker.poll() is None
    finally:
        worker.send_signal(signal.SIGTERM)
        stop_all([worker])
        with direct.app_context():
            db.engine.dispose()
    assert worker.returncode == 0, log.read_text()
    assert [m["To"] for m in smtp_sink.messages] == ["p1@example.org"]


def lock_holders(app: Flask) -> int:
    """Sessions of this test's database holding the schedulers' advisory lock."""
    with app.app_context():
        count = db.session.execute(
            sa.text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND objid = :key AND database ="
                " (SELECT oid FROM pg_database WHERE datname = current_database())"
            ),
            {"key": LOCK_KEY},
        ).scalar_one()
        db.session.remove()
    return int(count)


def test_two_schedulers_survive_the_outage_and_one_leads_afterwards(
    postgres_url: str, forwarder: TcpForwarder, tmp_path: Path, smtp_sink: SmtpSink
) -> None:
    direct = build_app(tmp_path, postgres_url)
    prepare_database(direct)
    env = app_env(through(postgres_url, forwarder), smtp_sink.port, reminders_tick_seconds="1")
    logs = [tmp_path / "s1.log", tmp_path / "s2.log"]
    first = start(["scheduler"], env, tmp_path, logs[0])
    try:
        assert wait_until(lambda: "scheduler running" in logs[0].read_text(), seconds=30)
        second = start(["scheduler"], env, tmp_path, logs[1])
        schedulers = [first, second]
        assert wait_until(lambda: "waiting" in logs[1].read_text(), seconds=30)
        forwarder.cut()
        seed_due_reminders(direct, 1)
        text = lambda n: logs[n].read_text()  # noqa: E731
        assert wait_until(lambda: text(0).count("tick failed") >= 2, seconds=30), text(0)
        assert wait_until(lambda: "database unavailable" in text(1), seconds=30), text(1)
        assert [s.poll() for s in schedulers] == [None, None], text(0) + text(1)
        assert wait_until(lambda: lock_holders(direct) == 0, seconds=10)  # the lock went too
        assert statuses(direct) == ["pending"]
        forwarder.restore()
        assert wait_until(lambda: statuses(direct) == ["sent"], seconds=40), text(0) + text(1)
        assert wait_until(lambda: lock_holders(direct) == 1, seconds=30)
        time.sleep(3)  # long enough for a second leader to show itself
        assert lock_holders(direct) == 1 and [s.poll() for s in schedulers] == [None, None]
        for process in schedulers:  # the waiting one too: it must not take the lead instead
            process.send_signal(signal.SIGTERM)
        assert [s.wait(timeout=15) for s in schedulers] == [0, 0], text(0)[-2000:] + text(1)
    finally:
        stop_all([first, *([second] if "second" in locals() else [])])
        with direct.app_context():
            db.engine.dispose()
    assert [m["To"] for m in smtp_sink.messages] == ["p1@example.org"]


FEEDS = ("/calendar.ics", "/days/february-26.ics?lang=ru")


def answer_within(client: FlaskClient, path: str, seconds: float) -> TestResponse:
    """The response to GET ``path``; fails (instead of hanging) if it takes longer."""
    found: list[TestResponse] = []
    started = time.monotonic()
    asking = threading.Thread(target=lambda: found.append(client.get(path)), daemon=True)
    asking.start()
    asking.join(timeout=seconds + 5)  # a little slack to measure how long it took
    took = time.monotonic() - started
    assert found and took < seconds, f"{path}: no answer within {seconds} s ({took:.1f} s)"
    return found[0]


def test_a_database_that_stops_answering_holds_no_request(
    relayed_app: Flask, forwarder: TcpForwarder
) -> None:
    """A frozen link: the forwarder keeps every socket open and relays nothing, so no
    error ever comes back. Every answer comes within 10 s; /readyz within 2 s and naming
    no host or port; feeds already rendered are served from memory all along."""
    client = relayed_app.test_client()
    rendered = {path: client.get(path).get_data() for path in FEEDS}
    for path in PATHS:
        assert client.get(path).status_code == 200, path
    forwarder.freeze()
    try:
        time.sleep(2.5)  # the data version the feeds trusted is now stale
        for _ in range(2):  # the second round meets the connections the first left behind
            for path in PATHS:
                response = answer_within(client, path, 2 if path == "/readyz" else 10)
                if path in CACHED:  # feeds already rendered: from memory
                    assert response.status_code == 200, path
                    if path in FEEDS:
                        assert response.get_data() == rendered[path], path
                else:
                    assert response.status_code == 503, (path, response.status_code)
            readyz = client.get("/readyz")
            body = readyz.get_data(as_text=True)
            assert readyz.status_code == 503 and readyz.json == {
                "ready": False,
                "database": readyz.json["database"],
            }
            assert "127.0.0.1" not in body and str(forwarder.port) not in body
    finally:
        forwarder.thaw()
    assert wait_until(lambda: client.get("/api/v1/days").status_code == 200, seconds=15)
    for path in PATHS:
        assert client.get(path).status_code == 200, path
