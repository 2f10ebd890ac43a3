"""`[mail] max_per_second`: a relay's rate limit kept, deadlines kept, and a warning in
`reminders status` when the backlog cannot be sent before its deadlines at that rate."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from calendar_app.app_settings import current_settings
from calendar_app.cli import cli
from calendar_app.core.send_rate import Pacer, forecast
from calendar_app.data.models import Reminder
from calendar_app.extensions import db
from calendar_app.mail.backends import backend_from_settings
from calendar_app.reminders.compose import ReminderComposer
from calendar_app.reminders.dispatch import dispatch_due
from calendar_app.reminders.subscriptions import Preferences, confirm, sign_up
from tests.conftest import build_smtp_app
from tests.support.smtp_sink import SmtpSink

SIGNUP = dt.datetime(2026, 12, 1, 10, 0)
DUE = dt.datetime(2027, 1, 19, 5, 0)  # 09:00 in Baku, the day before 20 January


class VirtualTime:
    """One clock for the pacer's sleeps and the dispatcher's UTC clock."""

    def __init__(self, start: dt.datetime) -> None:
        self.seconds = 0.0
        self.start = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.seconds

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.sleeps.append(seconds)
        self.seconds += seconds

    def utc(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=self.seconds)


def test_the_pacer_spaces_messages_and_gives_no_credit_for_pauses() -> None:
    time = VirtualTime(DUE)
    pacer = Pacer(4, time.monotonic, time.sleep)
    sent_at = []
    for _ in range(9):
        assert pacer.wait()
        sent_at.append(time.seconds)
    assert sent_at == pytest.approx([i * 0.25 for i in range(9)])
    time.seconds += 60  # a quiet minute earns no burst
    start = time.seconds
    for _ in range(3):
        pacer.wait()
    assert time.seconds - start == pytest.approx(0.5)
    assert max(time.sleeps) <= 0.5  # sleeps are short enough to notice a stop


def test_no_limit_means_no_sleep_and_a_stop_ends_a_wait() -> None:
    time = VirtualTime(DUE)
    free = Pacer(0, time.monotonic, time.sleep)
    assert all(free.wait() for _ in range(100)) and time.sleeps == []
    assert free.batch_size(100, 300) == 100
    slow = Pacer(1, time.monotonic, time.sleep)
    assert slow.wait()
    assert not slow.wait(stop=lambda: True)
    assert slow.batch_size(100, 300) == 100 and slow.batch_size(500, 300) == 150
    assert Pacer(1, time.monotonic, time.sleep).batch_size(100, 2) == 1
    with pytest.raises(ValueError, match="negative"):
        Pacer(-1, time.monotonic, time.sleep)


def test_the_forecast_replays_the_outbox_in_sending_order() -> None:
    now = dt.datetime(2027, 1, 19, 5, 0)
    rows = [(i, now, now + dt.timedelta(seconds=50)) for i in range(1, 101)]
    slow = forecast(rows, 1, now)
    assert slow.messages == 100 and slow.last_sent == now + dt.timedelta(seconds=99)
    assert slow.late == 50 and slow.first_late_id == 51  # the 51st would go at 50 s
    fast = forecast(rows, 4, now)
    assert fast.late == 0 and fast.last_sent == now + dt.timedelta(seconds=24.75)
    later = [(1, now + dt.timedelta(hours=1), now + dt.timedelta(hours=2))]
    assert forecast(later, 1, now).last_sent == now + dt.timedelta(hours=1)  # waits for it
    assert forecast([], 1, now).messages == 0


def subscribe_many(app: Flask, count: int) -> None:
    with app.app_context():
        for n in range(count):
            prefs = Preferences("en", "Asia/Baku", ("january-20",), (1,), 9)
            signup = sign_up(db.session, f"reader{n}@example.org", prefs, SIGNUP)
            assert confirm(db.session, signup.token, SIGNUP) is not None
        db.session.commit()


def paced_app(tmp_path: Path, sink: SmtpSink, per_second: int) -> Flask:
    mail = {"backend": "smtp", "host": "127.0.0.1", "port": sink.port}
    return build_smtp_app(tmp_path, sink, mail={**mail, "max_per_second": per_second})


def test_a_paced_worker_sends_each_once_at_the_rate(tmp_path: Path, smtp_sink: SmtpSink) -> None:
    app = paced_app(tmp_path, smtp_sink, 5)
    subscribe_many(app, 12)
    runner = app.test_cli_runner()
    assert "planned 12 new" in runner.invoke(cli, ["reminders", "run-once", "--at",
                                                   "2027-01-18T00:00:00Z"]).output  # fmt: skip
    time = VirtualTime(DUE)
    with app.app_context():
        settings = current_settings()
        assert settings.mail.max_per_second == 5
        report = dispatch_due(
            db.session, backend_from_settings(settings.mail),
            ReminderComposer(settings), time.utc, domain="calendar.example.az",
            pacer=Pacer(settings.mail.max_per_second, time.monotonic, time.sleep),
        )  # fmt: skip
        sent = db.session.execute(sa.select(Reminder.sent_dt).order_by(Reminder.sent_dt))
        instants = [row[0] for row in sent]
    assert report.counts["sent"] == 12 and len(smtp_sink.messages) == 12
    assert len({m["Message-ID"] for m in smtp_sink.messages}) == 12
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(instants)]
    assert min(gaps) >= 0.2 - 1e-6  # never faster than 5 a second
    assert time.seconds == pytest.approx(11 * 0.2)


def test_pacing_never_sends_after_the_deadline(tmp_path: Path, smtp_sink: SmtpSink) -> None:
    """At 1 a second, the rows whose deadline passes while waiting expire instead."""
    app = paced_app(tmp_path, smtp_sink, 1)
    subscribe_many(app, 6)
    with app.app_context():
        app.test_cli_runner().invoke(cli, ["reminders", "run-once", "--at", "2027-01-18T00:00:00Z"])
        deadline = DUE + dt.timedelta(seconds=2.5)
        db.session.execute(sa.update(Reminder).values(deadline_dt=deadline))
        db.session.commit()
        time = VirtualTime(DUE)
        settings = current_settings()
        report = dispatch_due(
            db.session, backend_from_settings(settings.mail),
            ReminderComposer(settings), time.utc, domain="calendar.example.az",
            pacer=Pacer(1, time.monotonic, time.sleep),
        )  # fmt: skip
        late = db.session.scalars(
            sa.select(sa.func.count()).where(Reminder.sent_dt >= deadline)
        ).one()
    assert report.counts["sent"] == 3 and report.counts["expired"] == 3
    assert late == 0 and len(smtp_sink.messages) == 3


def test_status_warns_when_the_backlog_cannot_make_its_deadlines(
    tmp_path: Path, smtp_sink: SmtpSink
) -> None:
    app = paced_app(tmp_path, smtp_sink, 1)
    subscribe_many(app, 40)
    runner = app.test_cli_runner()
    runner.invoke(cli, ["reminders", "run-once", "--at", "2027-01-18T00:00:00Z"])
    with app.app_context():  # 40 due at 09:00 Baku, the deadline half a minute later
        db.session.execute(sa.update(Reminder).values(deadline_dt=DUE + dt.timedelta(seconds=30)))
        db.session.commit()
    at = ["--at", "2027-01-19T05:00:00Z"]
    slow = runner.invoke(cli, ["reminders", "status", *at])
    assert slow.exit_code == 0, slow.output
    assert "rate: 1/s per process x 1 = 1/s; 40 due in the next 2 days" in slow.output
    assert "warning: at 1/s, 10 reminders would miss their deadline" in slow.output
    enough = runner.invoke(cli, ["reminders", "status", "--workers", "2", *at])
    assert "= 2/s; 40 due" in enough.output and "warning" not in enough.output


def test_status_without_a_limit_says_so(smtp_app: Flask) -> None:
    result = smtp_app.test_cli_runner().invoke(cli, ["reminders", "status"])
    assert "rate: no limit ([mail] max_per_second = 0)" in result.output


def test_a_bad_rate_is_refused(tmp_path: Path, smtp_sink: SmtpSink) -> None:
    from calendar_app.config import ConfigError

    with pytest.raises(ConfigError, match=r"\[mail\] max_per_second: must be 0-100000"):
        paced_app(tmp_path, smtp_sink, -1)
