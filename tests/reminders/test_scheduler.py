"""The ticker as a real process: it catches up on start and stops cleanly."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from calendar_app.data.models import DataState, MemorialDay, Reminder, Subscriber
from calendar_app.extensions import db
from calendar_app.reminders.scheduler import TICK_JOB_ID, Planner, build_scheduler, plan_once
from tests.support.smtp_sink import SmtpSink


def test_scheduler_job_is_declared_once_with_a_stable_id(smtp_app: Flask) -> None:
    scheduler = build_scheduler(smtp_app)
    (job,) = scheduler.get_jobs()
    assert job.id == TICK_JOB_ID
    assert job.max_instances == 1 and job.coalesce is True
    assert job.trigger.interval == dt.timedelta(seconds=60)


def start_scheduler(url: str, smtp_port: int, cwd: Path, **settings: str) -> subprocess.Popen[str]:
    """`calendar-app scheduler` as a real process on ``url``, sending to ``smtp_port``."""
    env = {
        **os.environ,
        "CALENDAR_APP_DATABASE_URL": url,
        "CALENDAR_APP_SECRET_KEY": "test",
        "CALENDAR_APP_MAIL_BACKEND": "smtp",
        "CALENDAR_APP_MAIL_HOST": "127.0.0.1",
        "CALENDAR_APP_MAIL_PORT": str(smtp_port),
        **{f"CALENDAR_APP_{key.upper()}": value for key, value in settings.items()},
    }
    return subprocess.Popen(
        [sys.executable, "-c", "from calendar_app.cli import main; main()", "scheduler"],
        cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def add_due_reminders(addresses: list[str], now: dt.datetime) -> None:
    """Active subscribers, each with a reminder that fell due an hour ago."""
    day = db.session.query(MemorialDay).filter_by(slug="january-20").one()
    for address in addresses:
        subscriber = Subscriber(
            email=address, lang="en", timezone="Asia/Baku", send_hour=9,
            day_slugs=["january-20"], lead_days=[1], status="active",
            created_dt=now - dt.timedelta(days=30), confirmed_dt=now - dt.timedelta(days=30),
        )  # fmt: skip
        db.session.add(subscriber)
        db.session.flush()
        db.session.add(
            Reminder(
                subscriber_id=subscriber.id, memorial_day_id=day.id, year=now.year + 1,
                lead_days=1, due_dt=now - dt.timedelta(hours=1),
                deadline_dt=now + dt.timedelta(days=1), status="pending", attempts=0,
                next_attempt_dt=now - dt.timedelta(hours=1), created_dt=now,
            )
        )  # fmt: skip
    db.session.commit()


def test_scheduler_process_sends_what_fell_due_while_it_was_down(
    smtp_app: Flask, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    with smtp_app.app_context():
        add_due_reminders(["aysel@example.org"], dt.datetime.now(dt.UTC).replace(tzinfo=None))
        url = str(db.engine.url)
    process = start_scheduler(url, smtp_sink.port, tmp_path, reminders_tick_seconds="1")
    try:
        deadline = time.monotonic() + 20
        while not smtp_sink.messages and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(2.5)  # two more ticks: nothing more may be sent
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    assert len(smtp_sink.messages) == 1, output
    assert smtp_sink.messages[0]["To"] == "aysel@example.org"
    assert process.returncode == 0, output


def test_sigterm_stops_a_scheduler_that_is_sending_a_backlog(
    smtp_app: Flask, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    total = 1500
    with smtp_app.app_context():
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        add_due_reminders([f"p{n}@example.org" for n in range(total)], now)
        url = str(db.engine.url)
    smtp_sink.handler.keep_messages = False
    process = start_scheduler(url, smtp_sink.port, tmp_path)
    try:
        deadline = time.monotonic() + 30
        while len(smtp_sink.handler.message_ids) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGTERM)
        stopped_at = time.monotonic()
        output, _ = process.communicate(timeout=60)
    took = time.monotonic() - stopped_at
    assert process.returncode == 0, output
    assert took < 5, f"the scheduler took {took:.1f} s to stop"
    with smtp_app.app_context():
        query = sa.select(Reminder.status, sa.func.count()).group_by(Reminder.status)
        states = {status: count for status, count in db.session.execute(query)}
    sent = len(smtp_sink.handler.message_ids)
    assert 20 <= sent < total and states.get("sent") == sent
    assert "sending" not in states and states.get("pending") == total - sent


def add_subscriber_behind_the_apps_back(address: str) -> None:
    """A row no sign-up planned (as if restored by hand): only a full pass plans it."""
    since = dt.datetime(2026, 12, 1)
    person = Subscriber(
        email=address, lang="en", timezone="Asia/Baku", send_hour=9,
        day_slugs=["january-20", "february-26"], lead_days=[1], status="active",
        created_dt=since, confirmed_dt=since,
    )  # fmt: skip
    db.session.add(person)
    db.session.commit()


def reminder_count() -> int:
    return db.session.query(Reminder).count()


def test_a_scheduler_skips_planning_passes_that_can_find_nothing_new(smtp_app: Flask) -> None:
    planner = Planner()
    start = dt.datetime(2027, 1, 10, 6, 0)  # 20 January in reach; 26 February not yet
    with smtp_app.app_context():
        add_subscriber_behind_the_apps_back("a@example.org")
        assert plan_once(start, planner)[1] == 1  # the first pass is always full
        add_subscriber_behind_the_apps_back("b@example.org")
        assert plan_once(start + dt.timedelta(minutes=1), planner)[1] is None
        assert reminder_count() == 1
        # Once an hour a full pass catches what nothing announced.
        assert plan_once(start + dt.timedelta(minutes=61), planner)[1] == 1
        assert plan_once(start + dt.timedelta(minutes=62), planner)[1] is None
        # 20 January leaves reach on the 23rd; 26 February enters on the 25th, Baku or not.
        assert plan_once(dt.datetime(2027, 1, 24, 23, 30), planner)[1] == 0
        assert plan_once(dt.datetime(2027, 1, 25, 0, 10), planner)[1] == 2
        assert plan_once(dt.datetime(2027, 1, 25, 0, 20), planner)[1] is None
        # A data load that changes something is a new data version: a full pass.
        db.session.execute(sa.update(DataState).values(changed_dt=dt.datetime(2027, 1, 25, 0, 25)))
        db.session.commit()
        assert plan_once(dt.datetime(2027, 1, 25, 0, 30), planner)[1] == 0
        assert plan_once(dt.datetime(2027, 1, 25, 0, 40), planner)[1] is None
        assert reminder_count() == 4


def test_without_a_planner_every_pass_is_full(smtp_app: Flask) -> None:
    now = dt.datetime(2027, 1, 10, 6, 0)
    with smtp_app.app_context():
        assert plan_once(now)[1] == 0
        add_subscriber_behind_the_apps_back("a@example.org")
        assert plan_once(now + dt.timedelta(minutes=1))[1] == 1  # `reminders run-once`, tests
