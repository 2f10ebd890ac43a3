"""Several dispatchers and schedulers on one PostgreSQL: nothing twice, nothing lost.

These run real `calendar-app worker` and `calendar-app scheduler` processes
against a fresh database on the local PostgreSQL and a real SMTP sink.
"""

from __future__ import annotations

import collections
import random
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from calendar_app.extensions import db
from tests.support.outbox import seed_due_reminders
from tests.support.processes import app_env, start, stop_all, wait_until
from tests.support.smtp_sink import SmtpSink

pytestmark = pytest.mark.slow  # real processes and real-time waits


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    server = SmtpSink()
    server.handler.keep_messages = False
    server.start()
    yield server
    server.stop()


def sent_count(app: Flask) -> int:
    with app.app_context():
        count: int = db.session.execute(
            sa.text("SELECT count(*) FROM reminders WHERE status = 'sent'")
        ).scalar_one()
        db.session.remove()
        return count


def test_four_dispatchers_deliver_ten_thousand_reminders_exactly_once(
    pg_app: Flask, sink: SmtpSink, postgres_url: str, tmp_path: Path
) -> None:
    total = 10_000
    seed_due_reminders(pg_app, total)
    env = app_env(postgres_url, sink.port, reminders_tick_seconds="1")
    workers = [start(["worker"], env, tmp_path, tmp_path / f"w{n}.log") for n in range(4)]
    try:
        done = wait_until(lambda: sent_count(pg_app) == total, seconds=400, poll=1)
    finally:
        stop_all(workers)
    assert done, f"only {sent_count(pg_app)} of {total} sent"
    ids = sink.handler.message_ids
    duplicates = [i for i, n in collections.Counter(ids).items() if n > 1]
    assert len(ids) == total and not duplicates and "" not in ids


def test_killing_dispatchers_mid_batch_loses_nothing(
    pg_app: Flask, sink: SmtpSink, postgres_url: str, tmp_path: Path
) -> None:
    total, kills = 3_000, 20
    seed_due_reminders(pg_app, total)
    env = app_env(postgres_url, sink.port, reminders_tick_seconds="1", reminders_lease_seconds="5")
    workers = [start(["worker"], env, tmp_path, tmp_path / f"w{n}.log") for n in range(4)]
    rng = random.Random(7)
    try:
        for n in range(kills):
            time.sleep(rng.uniform(0.3, 0.8))
            victim = rng.randrange(len(workers))
            workers[victim].send_signal(signal.SIGKILL)
            workers[victim].wait()
            workers[victim] = start(["worker"], env, tmp_path, tmp_path / f"r{n}.log")
        done = wait_until(lambda: sent_count(pg_app) == total, seconds=300, poll=1)
    finally:
        stop_all(workers)
    assert done, f"only {sent_count(pg_app)} of {total} sent"
    counts = collections.Counter(sink.handler.message_ids)
    assert set(counts) >= {i for i in counts}  # every message carried a Message-ID
    assert len(counts) == total  # nothing lost
    repeats = sum(n - 1 for n in counts.values())
    assert repeats <= kills  # at most the message in flight repeats, once per kill


def leader_lines(log: Path) -> int:
    return log.read_text(errors="replace").count("reminder scheduler running")


def test_two_schedulers_one_leader_and_a_takeover(
    pg_app: Flask, sink: SmtpSink, postgres_url: str, tmp_path: Path
) -> None:
    env = app_env(postgres_url, sink.port, reminders_tick_seconds="1")
    first = start(["scheduler", "--plan-only"], env, tmp_path, tmp_path / "s1.log")
    assert wait_until(lambda: leader_lines(tmp_path / "s1.log") == 1, seconds=30)
    second = start(["scheduler", "--plan-only"], env, tmp_path, tmp_path / "s2.log")
    try:
        assert wait_until(lambda: "waiting" in (tmp_path / "s2.log").read_text(), seconds=30)
        time.sleep(2)
        assert leader_lines(tmp_path / "s2.log") == 0  # only one plans
        first.send_signal(signal.SIGKILL)
        first.wait()
        assert wait_until(lambda: leader_lines(tmp_path / "s2.log") == 1, seconds=30)
    finally:
        stop_all([first, second])


def test_the_smtp_sink_down_for_two_minutes(
    pg_app: Flask, postgres_url: str, tmp_path: Path
) -> None:
    sink = SmtpSink()
    sink.handler.keep_messages = False
    total = 200
    seed_due_reminders(pg_app, total)
    # The retry schedule is compressed (2 s doubling to 10 s instead of 1 minute to an
    # hour) so that the test waits seconds, not an hour, once the sink is back;
    # test_reminder_dispatch.py checks the schedule itself.
    env = app_env(
        postgres_url,
        sink.port,
        reminders_tick_seconds="1",
        reminders_retry_seconds="2",
        reminders_retry_max_seconds="10",
    )
    workers = [start(["worker"], env, tmp_path, tmp_path / f"w{n}.log") for n in range(2)]
    try:
        time.sleep(120)  # nothing listens: every attempt fails and is retried with backoff
        assert sent_count(pg_app) == 0
        with pg_app.app_context():
            tries = db.session.execute(sa.text("SELECT min(attempts) FROM reminders")).scalar()
            db.session.remove()
        assert tries is not None and tries >= 5  # each one was tried again and again
        sink.start()
        # At most one capped wait (10 s) after the sink returns, and the sending itself.
        done = wait_until(lambda: sent_count(pg_app) == total, seconds=60, poll=1)
    finally:
        stop_all(workers)
        sink.stop()
    assert done, f"only {sent_count(pg_app)} of {total} sent"
    assert len(set(sink.handler.message_ids)) == total == len(sink.handler.message_ids)


def test_sigterm_stops_a_busy_worker_promptly_and_hands_back_its_batch(
    pg_app: Flask, sink: SmtpSink, postgres_url: str, tmp_path: Path
) -> None:
    total = 3_000
    seed_due_reminders(pg_app, total)
    env = app_env(postgres_url, sink.port, reminders_tick_seconds="1")
    worker = start(["worker"], env, tmp_path, tmp_path / "w.log")
    try:
        assert wait_until(lambda: len(sink.handler.message_ids) >= 50, seconds=60)
        worker.send_signal(signal.SIGTERM)
        stopped_at = time.monotonic()
        worker.wait(timeout=30)
        took = time.monotonic() - stopped_at
    finally:
        stop_all([worker])
    assert worker.returncode == 0
    assert took < 5, f"the worker took {took:.1f} s to stop"
    with pg_app.app_context():
        query = sa.text("SELECT status, count(*) FROM reminders GROUP BY status")
        states = {status: count for status, count in db.session.execute(query)}
        db.session.remove()
    sent = states.get("sent", 0)
    assert 0 < sent < total and "sending" not in states  # nothing is left leased
    assert states.get("pending", 0) == total - sent
    assert len(set(sink.handler.message_ids)) == sent == len(sink.handler.message_ids)
