"""A name shared with a relative goes through the same outbox, on SQLite and PostgreSQL: the
family and the relative each get their own rows (the unique key includes the reader),
planned with the relative's zone, hour and days before; planning is idempotent; an edit
moves the relative's unsent rows; withdrawing deletes them; a row a worker already holds
is not sent once the share is gone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from calendar_app.data import queries
from calendar_app.data.models import Reminder, Share, Subscriber
from calendar_app.extensions import db
from calendar_app.reminders import outbox, relatives, remembrance
from calendar_app.reminders.scheduler import run_once
from tests.conftest import build_smtp_app
from tests.support.smtp_sink import SmtpSink

NOW = dt.datetime(2026, 12, 5, 10, 0)  # the 40th day (3 January 2027) is in reach
ENTRY = remembrance.Entry("Anar", dt.date(2026, 11, 25), None, "death-day", False, None, (1, 0))
FAMILY = remembrance.Contact("az", "Asia/Tokyo", 7)  # 07:00 Tokyo is 22:00 UTC the day before
RELATIVE = remembrance.Contact("ru", "Europe/Moscow", 10)  # 10:00 Moscow is 07:00 UTC


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request: pytest.FixtureRequest, tmp_path: Path, smtp_sink: SmtpSink) -> Iterator[Flask]:
    sections = {}
    if request.param == "postgresql":
        sections["database"] = {"url": request.getfixturevalue("postgres_url")}
    app = build_smtp_app(tmp_path, smtp_sink, **sections)
    with app.app_context():
        signup = remembrance.sign_up(
            db.session, "family@example.org", FAMILY, [ENTRY], "k" * 32, NOW
        )
        owner = remembrance.confirm(db.session, signup.token, NOW)
        assert owner is not None
        person = queries.active_people_of(db.session, owner.id)[0]
        invitation = relatives.invite(
            db.session, owner, "relative@example.net", "ru", [person.id], NOW
        )
        assert relatives.accept(db.session, invitation.token, RELATIVE, [0], NOW) is not None
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def rows(app: Flask) -> list[tuple[str, str, int, dt.datetime]]:
    with app.app_context():
        found = db.session.execute(
            sa.select(Subscriber.email, Reminder.occasion, Reminder.lead_days, Reminder.due_dt)
            .join(Subscriber, Subscriber.id == Reminder.subscriber_id)
            .where(Reminder.remembered_id.is_not(None), Reminder.status == "pending")
            .order_by(Reminder.due_dt, Reminder.lead_days)
        )
        return [tuple(row) for row in found]  # type: ignore[misc]


EXPECTED = [
    ("family@example.org", "day-40", 1, dt.datetime(2027, 1, 1, 22)),
    ("family@example.org", "day-40", 0, dt.datetime(2027, 1, 2, 22)),
    ("relative@example.net", "day-40", 0, dt.datetime(2027, 1, 3, 7)),
]


def test_each_reader_has_its_own_rows_and_planning_twice_adds_nothing(site: Flask) -> None:
    assert rows(site) == EXPECTED  # planned when each confirmed
    with site.app_context():
        assert outbox.plan_everyone(db.session, NOW) == 0
        assert outbox.plan_everyone(db.session, NOW + dt.timedelta(days=3)) == 0
        db.session.execute(sa.delete(Reminder))  # the full pass alone makes them again
        assert outbox.plan_everyone(db.session, NOW) == 3
        db.session.commit()
    assert rows(site) == EXPECTED


def test_an_edit_moves_the_relatives_rows_and_withdrawing_deletes_them(site: Flask) -> None:
    with site.app_context():
        owner = queries.subscriber_by_email(db.session, "family@example.org")
        assert owner is not None
        person = queries.active_people_of(db.session, owner.id)[0]
        moved = remembrance.Entry(
            "Anar", dt.date(2026, 11, 26), None, "death-day", False, None, (1, 0)
        )
        remembrance.update_person(db.session, owner, person, moved, NOW)
        db.session.commit()
    assert ("relative@example.net", "day-40", 0, dt.datetime(2027, 1, 4, 7)) in rows(site)
    with site.app_context():
        owner = queries.subscriber_by_email(db.session, "family@example.org")
        assert owner is not None
        share_id = db.session.scalars(sa.select(Share.id)).one()
        assert relatives.withdraw(db.session, owner, share_id, NOW)
        db.session.commit()
    assert [r[0] for r in rows(site)] == ["family@example.org"] * 2


def test_a_row_held_while_the_share_goes_is_not_sent(site: Flask, smtp_sink: SmtpSink) -> None:
    due = dt.datetime(2027, 1, 3, 7)
    with site.app_context():
        # a worker holds the relative's row (its lease ran out) as the relative leaves: a
        # stale row that the leaving did not delete must not be sent
        relative = queries.subscriber_by_email(db.session, "relative@example.net")
        assert relative is not None
        db.session.execute(
            sa.update(Reminder)
            .where(Reminder.subscriber_id == relative.id)
            .values(status="sending", lease_until_dt=due - dt.timedelta(minutes=1))
        )
        share_id = db.session.scalars(sa.select(Share.id)).one()
        assert relatives.leave(db.session, relative, share_id, NOW)
        db.session.commit()
        report = run_once(due)
        assert report.dispatched.counts["unshared"] == 1
        status = db.session.scalars(
            sa.select(Reminder.status).where(Reminder.subscriber_id == relative.id)
        ).all()
    assert status == ["cancelled"]
    assert [m["To"] for m in smtp_sink.messages] == ["family@example.org"]  # its own, on time
