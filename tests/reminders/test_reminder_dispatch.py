"""Planning and sending against a real SMTP server (aiosmtpd), with faults."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import icalendar
import pytest
import sqlalchemy as sa
from flask import Flask

from calendar_app.data.models import Reminder, Subscriber
from calendar_app.extensions import db
from calendar_app.reminders import outbox
from calendar_app.reminders.dispatch import Retry
from calendar_app.reminders.scheduler import dispatch_once
from calendar_app.reminders.subscriptions import Preferences, confirm, normalize_email, sign_up
from tests.conftest import build_smtp_app
from tests.support.outbox import tick
from tests.support.smtp_sink import SmtpSink

SIGNUP = dt.datetime(2026, 12, 1, 10, 0)
DUE = dt.datetime(2027, 1, 19, 5, 0)  # 09:00 in Baku, the day before 20 January
ON_THE_DAY = dt.datetime(2027, 1, 20, 5, 0)


def subscribe(
    app: Flask,
    address: str = "leyla@example.org",
    *,
    zone: str = "Asia/Baku",
    days: tuple[str, ...] = ("january-20",),
    leads: tuple[int, ...] = (1,),
    lang: str = "en",
) -> int:
    with app.app_context():
        prefs = Preferences(lang, zone, days, leads, 9)
        signup = sign_up(db.session, normalize_email(address), prefs, SIGNUP)
        assert confirm(db.session, signup.token, SIGNUP) is not None
        db.session.commit()
        return signup.subscriber.id


def rows(app: Flask) -> list[tuple[str, int, int, str | None]]:
    with app.app_context():
        query = sa.select(
            Reminder.status, Reminder.attempts, Reminder.lead_days, Reminder.last_error
        )
        return [tuple(r) for r in db.session.execute(query.order_by(Reminder.id))]  # type: ignore[misc]


def test_one_reminder_exactly_once_with_headers_and_attachment(
    smtp_app: Flask, smtp_sink: SmtpSink
) -> None:
    subscribe(smtp_app)
    assert tick(smtp_app, DUE - dt.timedelta(minutes=1)).startswith("planned 1 new")
    assert smtp_sink.messages == []  # not due yet
    assert "1 sent" in tick(smtp_app, DUE)
    assert "nothing due" in tick(smtp_app, DUE + dt.timedelta(minutes=5))
    (message,) = smtp_sink.messages
    assert message["Subject"] == "Tomorrow: 37th anniversary of the 20 January tragedy"
    assert message["To"] == "leyla@example.org"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = str(message["List-Unsubscribe"])
    assert unsubscribe.startswith("<https://calendar.example.az/unsubscribe/")
    assert "<mailto:" not in unsubscribe and "leyla" not in unsubscribe  # no inbound handler
    assert str(message["List-Id"]).endswith("<reminders.calendar.example.az>")
    assert message["Message-ID"] and message["Date"]
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "12:00 Baku time" in text and "12:00 Baku time" in html
    assert "https://calendar.example.az/en/days/january-20" in text
    assert "https://calendar.example.az/manage/" in text
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    events = list(calendar.walk("VEVENT"))
    assert {str(e["UID"]) for e in events} == {
        "january-20-2027@calendar.example.az",
        "january-20-2027-silence@calendar.example.az",
    }
    with smtp_app.app_context():
        stored = db.session.scalars(sa.select(Reminder.message_id)).one()
    assert stored == message["Message-ID"]


def test_minute_of_silence_in_the_subscribers_own_time(
    smtp_app: Flask, smtp_sink: SmtpSink
) -> None:
    subscribe(smtp_app, zone="Asia/Qatar")
    tick(smtp_app, dt.datetime(2027, 1, 19, 6, 0))  # 09:00 in Doha
    (message,) = smtp_sink.messages
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert (
        "12:00 Baku time, which is 11:00 in your time zone (Qatar)" in text
        and "Asia/Qatar" not in text
    )


def test_451_then_250_sends_once(smtp_app: Flask, smtp_sink: SmtpSink) -> None:
    subscribe(smtp_app)
    smtp_sink.handler.data_replies = ["451 4.3.0 Try again later"]
    assert "1 retry" in tick(smtp_app, DUE)
    assert smtp_sink.messages == []
    ((status, attempts, _, error),) = rows(smtp_app)
    assert (status, attempts) == ("pending", 1) and error is not None and "451" in error
    assert "nothing due" in tick(smtp_app, DUE + dt.timedelta(seconds=20))  # backoff >= 30 s
    assert "1 sent" in tick(smtp_app, DUE + dt.timedelta(minutes=2))
    assert len(smtp_sink.messages) == 1
    assert rows(smtp_app)[0][:2] == ("sent", 2)


def test_550_fails_without_retry(smtp_app: Flask, smtp_sink: SmtpSink) -> None:
    subscriber_id = subscribe(smtp_app)
    smtp_sink.handler.data_replies = ["550 5.7.1 Message refused"]
    assert "1 failed" in tick(smtp_app, DUE)
    assert "nothing due" in tick(smtp_app, DUE + dt.timedelta(hours=3))
    assert smtp_sink.messages == [] and rows(smtp_app)[0][0] == "failed"
    with smtp_app.app_context():
        assert db.session.get(Subscriber, subscriber_id).status == "active"  # type: ignore[union-attr]


def test_550_5_1_1_suppresses_the_address(smtp_app: Flask, smtp_sink: SmtpSink) -> None:
    subscriber_id = subscribe(smtp_app, leads=(1, 0))
    smtp_sink.handler.data_replies = ["550 5.1.1 No such user"]
    assert "1 suppressed" in tick(smtp_app, DUE)
    assert "nothing due" in tick(smtp_app, ON_THE_DAY)  # the day's own reminder is cancelled
    assert smtp_sink.messages == []
    with smtp_app.app_context():
        assert db.session.get(Subscriber, subscriber_id).status == "suppressed"  # type: ignore[union-attr]
        assert tick(smtp_app, ON_THE_DAY).startswith("planned 0 new")


def test_server_down_for_a_while_then_delivered(smtp_app: Flask, smtp_sink: SmtpSink) -> None:
    subscribe(smtp_app)
    smtp_sink.stop()
    now = DUE
    for _ in range(4):
        assert "1 retry" in tick(smtp_app, now)
        now += dt.timedelta(hours=1)
    smtp_sink.start()
    assert "1 sent" in tick(smtp_app, now)
    assert len(smtp_sink.messages) == 1
    assert rows(smtp_app)[0][:2] == ("sent", 5)


def test_past_its_deadline_a_reminder_expires_unsent(smtp_app: Flask, smtp_sink: SmtpSink) -> None:
    subscribe(smtp_app)
    tick(smtp_app, DUE - dt.timedelta(days=1))  # planned, not yet due
    after_the_day = dt.datetime(2027, 1, 20, 20, 0)  # midnight in Baku
    assert "1 expired" in tick(smtp_app, after_the_day)
    assert smtp_sink.messages == []
    assert rows(smtp_app)[0][0] == "expired"


def test_a_crashed_workers_rows_come_back_after_the_lease(
    smtp_app: Flask, smtp_sink: SmtpSink
) -> None:
    for n in range(3):
        subscribe(smtp_app, f"person{n}@example.org")
    with smtp_app.app_context():
        outbox.plan_everyone(db.session, DUE)
        db.session.commit()
        claimed = outbox.claim(
            db.session, DUE, limit=10, domain="calendar.example.az"
        )  # then the worker "dies"
    assert len(claimed) == 3
    assert "nothing due" in tick(smtp_app, DUE + dt.timedelta(minutes=1))  # still leased
    assert "3 sent" in tick(smtp_app, DUE + outbox.DEFAULT_LEASE + dt.timedelta(seconds=1))
    assert sorted(str(m["To"]) for m in smtp_sink.messages) == [
        "person0@example.org", "person1@example.org", "person2@example.org"
    ]  # fmt: skip


def test_a_worker_that_lost_its_lease_writes_nothing(smtp_app: Flask, smtp_sink: SmtpSink) -> None:
    subscribe(smtp_app)
    with smtp_app.app_context():
        outbox.plan_everyone(db.session, DUE)
        db.session.commit()
        ((reminder_id, old_lease),) = outbox.claim(
            db.session, DUE, limit=1, domain="calendar.example.az"
        )
        later = DUE + outbox.DEFAULT_LEASE + dt.timedelta(seconds=1)
        ((same_id, _new_lease),) = outbox.claim(
            db.session, later, limit=1, domain="calendar.example.az"
        )
        assert same_id == reminder_id
        with outbox.Fence(db.session) as fence:
            assert not fence.finish(reminder_id, old_lease, status="sent")


@pytest.mark.parametrize("lang", ["az", "ru"])
def test_reminder_subject_in_the_subscribers_language(
    smtp_app: Flask, smtp_sink: SmtpSink, lang: str
) -> None:
    subscribe(smtp_app, lang=lang)
    tick(smtp_app, DUE)
    (message,) = smtp_sink.messages
    expected = {
        "az": "Sabah: 20 Yanvar faciəsinin 37-ci ildönümü",
        "ru": "Завтра: 37-я годовщина трагедии 20 января",
    }[lang]
    assert message["Subject"] == expected


def test_a_stopped_worker_hands_back_the_rest_of_its_batch_at_once(
    smtp_app: Flask, smtp_sink: SmtpSink
) -> None:
    for n in range(5):
        subscribe(smtp_app, f"person{n}@example.org")
    with smtp_app.app_context():
        outbox.plan_everyone(db.session, DUE)
        db.session.commit()
        report = dispatch_once(DUE, stop=lambda: len(smtp_sink.messages) >= 2)
    assert (report.counts["sent"], report.counts["released"]) == (2, 3)
    assert sorted(r[0] for r in rows(smtp_app)) == ["pending"] * 3 + ["sent"] * 2
    # Handed back, not leased: another worker sends them at the same instant.
    assert "3 sent" in tick(smtp_app, DUE)
    delivered = sorted(str(m["To"]) for m in smtp_sink.messages)
    assert delivered == [f"person{n}@example.org" for n in range(5)]


def test_release_leaves_a_row_that_another_worker_took_over(
    smtp_app: Flask, smtp_sink: SmtpSink
) -> None:
    subscribe(smtp_app)
    with smtp_app.app_context():
        outbox.plan_everyone(db.session, DUE)
        db.session.commit()
        ((reminder_id, old_lease),) = outbox.claim(db.session, DUE, 1, "calendar.example.az")
        later = DUE + outbox.DEFAULT_LEASE + dt.timedelta(seconds=1)
        ((_, new_lease),) = outbox.claim(db.session, later, 1, "calendar.example.az")
        assert outbox.release(db.session, [reminder_id], old_lease) == 0
        held = db.session.get(Reminder, reminder_id)
        assert held is not None and (held.status, held.lease_until_dt) == ("sending", new_lease)


def test_retry_waits_follow_the_configured_schedule(tmp_path: Path, smtp_sink: SmtpSink) -> None:
    app = build_smtp_app(
        tmp_path, smtp_sink, reminders={"retry_seconds": 4, "retry_max_seconds": 6}
    )
    subscribe(app)
    smtp_sink.handler.data_replies = ["451 4.3.0 Try again later"] * 3
    now = DUE
    for attempt in range(1, 4):
        assert "1 retry" in tick(app, now)
        with app.app_context():
            waited = db.session.scalars(sa.select(Reminder.next_attempt_dt)).one() - now
        ceiling = min(4 * 2 ** (attempt - 1), 6)
        assert dt.timedelta(seconds=ceiling / 2) <= waited <= dt.timedelta(seconds=ceiling)
        now += waited
    assert "1 sent" in tick(app, now)
    assert len(smtp_sink.messages) == 1


def test_the_default_retry_schedule_doubles_from_a_minute_to_an_hour() -> None:
    rng = random.Random(1)
    ceilings = [Retry().after(n, rng) for n in range(1, 10)]
    for attempt, wait in enumerate(ceilings, start=1):
        ceiling = min(60 * 2 ** (attempt - 1), 3600)
        assert ceiling / 2 <= wait.total_seconds() <= ceiling


def test_a_subscriber_back_while_the_batch_was_composed_gets_a_working_message(
    smtp_app: Flask, smtp_sink: SmtpSink
) -> None:
    """Away when the batch was composed, back before their turn: composed then, once."""
    subscriber_id = subscribe(smtp_app)
    with smtp_app.app_context():
        outbox.plan_everyone(db.session, DUE)
        db.session.execute(  # away, with the row still claimable (as between two statements)
            sa.update(Subscriber)
            .where(Subscriber.id == subscriber_id)
            .values(status="unsubscribed")
        )
        db.session.commit()
        engine, asked = db.engine, []

        def back_before_sending() -> bool:
            asked.append(True)  # asked before the claim, then before each message
            if len(asked) == 2:
                with engine.begin() as connection:
                    connection.execute(
                        sa.update(Subscriber)
                        .where(Subscriber.id == subscriber_id)
                        .values(status="active")
                    )
            return False

        report = dispatch_once(DUE, stop=back_before_sending)
    assert report.counts["sent"] == 1 and len(smtp_sink.messages) == 1
    text = smtp_sink.messages[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    token = text.split("/manage/")[1].split()[0]
    assert smtp_app.test_client().get(f"/manage/{token}").status_code == 200  # stored
