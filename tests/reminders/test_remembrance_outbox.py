"""Remembrance reminders go through the same outbox, on SQLite and PostgreSQL: planning is
idempotent (its own unique key, ON CONFLICT DO NOTHING), each is sent once at the local
hour, none after its deadline, and edits move unsent rows instead of adding new ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from calendar_app.data import queries
from calendar_app.data.models import Reminder, Subscriber
from calendar_app.data.statuses import ReminderStatus
from calendar_app.extensions import db
from calendar_app.reminders import outbox, remembrance
from calendar_app.reminders.scheduler import run_once
from tests.conftest import build_smtp_app
from tests.support.smtp_sink import SmtpSink

NOW = dt.datetime(2026, 12, 1, 10, 0)
ENTRY = remembrance.Entry("Anar", dt.date(2026, 11, 25), None, "death-day", False, None, (1, 0))
CONTACT = remembrance.Contact("en", "Asia/Tokyo", 7)  # 07:00 Tokyo is 22:00 UTC the day before


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request: pytest.FixtureRequest, tmp_path: Path, smtp_sink: SmtpSink) -> Iterator[Flask]:
    sections = {}
    if request.param == "postgresql":
        sections["database"] = {"url": request.getfixturevalue("postgres_url")}
    app = build_smtp_app(tmp_path, smtp_sink, **sections)
    with app.app_context():
        signup = remembrance.sign_up(
            db.session, "family@example.org", CONTACT, [ENTRY], "k" * 32, NOW
        )
        remembrance.confirm(db.session, signup.token, NOW)
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def rows(app: Flask) -> list[tuple[str | None, int, dt.datetime, str]]:
    with app.app_context():
        found = db.session.execute(
            sa.select(Reminder.occasion, Reminder.lead_days, Reminder.due_dt, Reminder.status)
            .where(Reminder.remembered_id.is_not(None))
            .order_by(Reminder.due_dt, Reminder.lead_days)
        )
        return [tuple(row) for row in found]  # type: ignore[misc]


def test_planning_twice_adds_nothing(site: Flask) -> None:
    # the 7th day's reminders (1 December, 07:00 Tokyo) fell due before the confirmation,
    # and the 40th day (3 January) is not in reach yet: nothing is planned
    assert rows(site) == []
    with site.app_context():
        later = dt.datetime(2026, 12, 5)
        added = outbox.plan_everyone(db.session, later)
        db.session.commit()
        assert added == 2  # the 40th day came into reach: a day before, and on the day
        assert outbox.plan_everyone(db.session, later) == 0
        assert outbox.plan_everyone(db.session, later + dt.timedelta(days=3)) == 0
    assert [(o, lead, due) for o, lead, due, _ in rows(site)] == [
        ("day-40", 1, dt.datetime(2027, 1, 1, 22)),
        ("day-40", 0, dt.datetime(2027, 1, 2, 22)),
    ]


def test_each_is_sent_once_at_the_local_hour(site: Flask, smtp_sink: SmtpSink) -> None:
    def sent(now: dt.datetime) -> int:
        with site.app_context():
            return run_once(now).dispatched.counts["sent"]

    with site.app_context():
        outbox.plan_everyone(db.session, dt.datetime(2026, 12, 5))
        db.session.commit()
    day_before = dt.datetime(2027, 1, 1, 22)  # 2 January 07:00 in Tokyo
    assert sent(day_before - dt.timedelta(seconds=1)) == 0
    assert sent(day_before) == 1
    assert sent(day_before + dt.timedelta(minutes=5)) == 0
    assert smtp_sink.messages[-1]["Subject"] == "Tomorrow: 40th day after the death of Anar"
    assert sent(day_before + dt.timedelta(hours=23, minutes=59)) == 0
    assert sent(day_before + dt.timedelta(days=1)) == 1
    assert sent(day_before + dt.timedelta(days=1, hours=1)) == 0
    assert smtp_sink.messages[-1]["Subject"] == "Today: 40th day after the death of Anar"
    assert [status for *_, status in rows(site)] == [ReminderStatus.SENT] * 2


def test_a_reminder_past_its_deadline_expires_unsent(site: Flask, smtp_sink: SmtpSink) -> None:
    with site.app_context():
        outbox.plan_everyone(db.session, dt.datetime(2026, 12, 5))
        db.session.commit()
        # nothing ran until after the end of 3 January in Tokyo (15:00 UTC)
        counts = run_once(dt.datetime(2027, 1, 3, 15, 0)).dispatched.counts
    assert counts["sent"] == 0 and counts["expired"] == 2
    assert smtp_sink.messages == []


def test_an_edit_moves_unsent_rows_and_a_delete_removes_them(site: Flask) -> None:
    when = dt.datetime(2026, 12, 5)
    with site.app_context():
        outbox.plan_everyone(db.session, when)
        (person,) = queries.active_people_of(db.session, 1)
        owner = db.session.get(Subscriber, person.subscriber_id)
        assert owner is not None
        edited = remembrance.Entry(
            "Anar", dt.date(2026, 11, 27), None, "death-day", False, None, (0,)
        )
        remembrance.update_person(db.session, owner, person, edited, when)
        db.session.commit()
    assert [(o, lead, due) for o, lead, due, _ in rows(site)] == [
        ("day-40", 0, dt.datetime(2027, 1, 4, 22))  # 5 January 07:00 Tokyo; no day before
    ]
    with site.app_context():
        (person,) = queries.active_people_of(db.session, 1)
        remembrance.delete_person(db.session, person, when)
        db.session.commit()
    assert rows(site) == []
