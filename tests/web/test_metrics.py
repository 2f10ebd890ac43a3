"""/metrics scraped over HTTP and read with prometheus_client's own parser.

In-process: a real HTTP server (werkzeug) in front of the app, after real
sending, bouncing and feed polling. As a real deployment: `calendar-app serve`
with two gunicorn workers sharing PROMETHEUS_MULTIPROC_DIR, where every scrape,
whichever worker answers it, counts the feed requests of both.
"""

from __future__ import annotations

import datetime as dt
import signal
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families
from werkzeug.serving import make_server

from calendar_app.cli import cli
from calendar_app.extensions import db
from calendar_app.mail import inbound
from calendar_app.reminders.scheduler import plan_once, run_once
from calendar_app.reminders.subscriptions import Preferences, confirm, sign_up
from calendar_app.web.metrics import exposition
from tests.conftest import build_smtp_app
from tests.support.processes import serve_env, start_serve, wait_until_healthy
from tests.support.reports import arf, deliver, dsn
from tests.support.smtp_sink import SmtpSink, free_port

DOMAIN = "bounces.calendar.example.az"
SIGNUP = dt.datetime(2026, 12, 1, 10, 0)
DAY_BEFORE = dt.datetime(2027, 1, 19, 5, 0)
NOW = DAY_BEFORE + dt.timedelta(hours=1)  # the application's clock in these tests

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: str) -> Samples:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            body = response.read().decode("utf-8")
            return response.status, response.headers.get("Content-Type", ""), body
    except urllib.error.HTTPError as error:
        return error.code, "", ""


def answers(url: str) -> bool:
    try:
        return get(url)[0] == 200
    except OSError:  # not listening yet
        return False


def serve_in_thread(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def app_with(tmp_path: Path, sink: SmtpSink, enabled: bool) -> Flask:
    mail = {"backend": "smtp", "host": "127.0.0.1", "port": sink.port, "bounce_domain": DOMAIN}
    return build_smtp_app(tmp_path, sink, mail=mail, metrics={"enabled": enabled})


@pytest.fixture
def metrics_app(tmp_path: Path, smtp_sink: SmtpSink) -> Flask:
    app = app_with(tmp_path, smtp_sink, enabled=True)
    app.config["CLOCK"] = lambda: NOW.replace(tzinfo=dt.UTC)  # scrapes, reports, status
    return app


@pytest.fixture
def base_url(metrics_app: Flask) -> Iterator[str]:
    yield from serve_in_thread(metrics_app)


def subscribe(app: Flask, address: str) -> None:
    with app.app_context():
        prefs = Preferences("en", "Asia/Baku", ("january-20",), (1, 0), 9)
        signup = sign_up(db.session, address, prefs, SIGNUP)
        assert confirm(db.session, signup.token, SIGNUP) is not None
        db.session.commit()


def test_metrics_are_off_by_default(tmp_path: Path, smtp_sink: SmtpSink) -> None:
    app = app_with(tmp_path, smtp_sink, enabled=False)
    for url in serve_in_thread(app):
        status, _, _ = get(f"{url}/metrics")
        assert status == 404


def test_a_scrape_reports_reminders_mail_and_feeds(
    metrics_app: Flask, base_url: str, smtp_sink: SmtpSink
) -> None:
    before = parse(get(f"{base_url}/metrics")[2])
    for address in ("leyla@example.org", "nigar@example.org", "aysel@example.org"):
        subscribe(metrics_app, address)
    with metrics_app.app_context():
        assert "3 sent" in run_once(DAY_BEFORE).summary()
    by_recipient = {rcpts[0]: sender for sender, rcpts in smtp_sink.handler.envelopes}
    port = free_port()
    receiver = inbound.start(metrics_app, "127.0.0.1", port, lmtp=False)
    try:
        leyla = by_recipient["leyla@example.org"]
        deliver(port, leyla, dsn(to=leyla, recipient="leyla@example.org"))
        nigar = by_recipient["nigar@example.org"]
        report = arf(to=f"bounces@{DOMAIN}", original_mail_from=nigar,
                     recipient="nigar@example.org", original=b"Subject: x\r\n\r\n")  # fmt: skip
        deliver(port, f"bounces@{DOMAIN}", report)
    finally:
        receiver.stop()
    for _ in range(3):
        assert get(f"{base_url}/calendar.ics?lang=en")[0] == 200
    assert get(f"{base_url}/calendar.ics?lang=xx")[0] == 400

    status, content_type, text = get(f"{base_url}/metrics")
    assert status == 200 and content_type.startswith("text/plain; version=")
    after = parse(text)

    def value(name: str, **labels: str) -> float:
        return after[(name, tuple(sorted(labels.items())))]

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after[key] - before.get(key, 0.0)

    assert value("calendar_reminders", state="sent") == 3
    # Leyla and Nigar were suppressed, so only Aysel's day-of reminder is still pending.
    assert value("calendar_reminders", state="pending") == 1
    assert value("calendar_subscribers", state="suppressed") == 2
    assert value("calendar_subscribers", state="active") == 1
    assert value("calendar_mail_bounces_total", kind="hard") == 1
    assert value("calendar_mail_bounces_total", kind="soft") == 0
    assert value("calendar_mail_complaints_total") == 1
    # At NOW the day-of reminder is not due yet: nothing waits.
    assert value("calendar_reminders_backlog") == 0
    assert value("calendar_reminders_oldest_due_seconds") == 0
    assert grew("calendar_feed_requests_total", status="200") == 3
    assert grew("calendar_feed_requests_total", status="400") == 1
    assert grew("calendar_feed_cache_hits_total") == 2  # the first poll rendered it


def test_backlog_and_oldest_due_by_the_database(metrics_app: Flask) -> None:
    subscribe(metrics_app, "leyla@example.org")
    with metrics_app.app_context():
        plan_once(DAY_BEFORE - dt.timedelta(days=1))  # planned, not sent
        at = DAY_BEFORE + dt.timedelta(hours=2)  # due since 09:00; the day's own is not due
        samples = parse(exposition(db.session, at).decode())
        assert samples[("calendar_reminders_backlog", ())] == 1
        assert samples[("calendar_reminders_oldest_due_seconds", ())] == 7200
        assert "1 sent" in run_once(DAY_BEFORE).summary()
        samples = parse(exposition(db.session, DAY_BEFORE + dt.timedelta(seconds=30)).decode())
        assert samples[("calendar_reminders_sent_last_minute", ())] == 1
        assert samples[("calendar_reminders_backlog", ())] == 0
        later = parse(exposition(db.session, DAY_BEFORE + dt.timedelta(minutes=2)).decode())
        assert later[("calendar_reminders_sent_last_minute", ())] == 0


def test_reminders_status_shows_rates_and_warns_about_complaints(
    metrics_app: Flask, smtp_sink: SmtpSink
) -> None:
    for address in ("leyla@example.org", "nigar@example.org"):
        subscribe(metrics_app, address)
    with metrics_app.app_context():
        run_once(DAY_BEFORE)
    runner = metrics_app.test_cli_runner()
    quiet = runner.invoke(cli, ["reminders", "status"])
    assert quiet.exit_code == 0, quiet.output
    assert "last 30 days: 2 sent, bounce rate 0.00 % (0), complaint rate 0.00 % (0)" in quiet.output
    assert "warning" not in quiet.output
    later = runner.invoke(cli, ["reminders", "status", "--at", "2027-04-01T00:00:00Z"])
    assert later.exit_code == 0, later.output
    assert "last 30 days: 0 sent, bounce rate 0.00 % (0)" in later.output

    sender = smtp_sink.handler.envelopes[0][0]
    recipient = smtp_sink.handler.envelopes[0][1][0]
    port = free_port()
    receiver = inbound.start(metrics_app, "127.0.0.1", port, lmtp=False)
    try:
        report = arf(to=f"bounces@{DOMAIN}", original_mail_from=sender, recipient=recipient,
                     original=b"Subject: x\r\n\r\n")  # fmt: skip
        deliver(port, f"bounces@{DOMAIN}", report)
    finally:
        receiver.stop()
    loud = runner.invoke(cli, ["reminders", "status"])
    assert "complaint rate 50.00 % (1)" in loud.output
    assert "warning: the complaint rate 50.00 % is over 0.30 %" in loud.output


@pytest.mark.slow  # a real gunicorn with two workers
def test_gunicorn_workers_share_their_counts(tmp_path: Path) -> None:
    """Two workers, one folder: any worker's scrape counts every worker's feed requests."""
    folder = tmp_path / "prometheus"
    folder.mkdir()
    (folder / "counter_99999.db").write_bytes(b"stale")  # a previous run's: emptied at start
    port = free_port()
    env = serve_env(
        f"sqlite:///{tmp_path / 'served.db'}",
        server_workers="2",
        metrics_enabled="true",
        reminders_enabled="false",
        limits_enabled="false",
    )
    env["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    process = start_serve(port, env, tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, process)
        polls = 12
        for _ in range(polls):
            assert get(f"{base}/calendar.ics?lang=az")[0] == 200
        scraped = {parse(get(f"{base}/metrics")[2])[
            ("calendar_feed_requests_total", (("status", "200"),))] for _ in range(8)}  # fmt: skip
        assert scraped == {polls}
        pids = {path.name for path in folder.glob("counter_*.db")}
        assert "counter_99999.db" not in pids
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
