"""Set-based planning on PostgreSQL makes exactly the rows of the pure planner.

The pure planner (``core.reminder_plan.plan``) is the reference for time zones.
Here a few hundred subscribers on a real PostgreSQL, spread over zones with
every kind of DST rule (transitions at midnight, 30-minute DST, negative DST,
none), every send hour, lead times from 0 to 30 days (some repeated) and
confirmations at awkward moments, are planned by ``plan_everyone`` (the SQL
path) at instants around each memorial day and its DST edges; the rows must be
the pure planner's, field by field.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time

import sqlalchemy as sa
from flask import Flask

from calendar_app.core.reminder_plan import plan
from calendar_app.data.models import Reminder, Subscriber
from calendar_app.extensions import db
from calendar_app.reminders.outbox import _occurrences_in_reach, plan_everyone
from calendar_app.reminders.plan_in_sql import plan_everyone_in_sql

ZONES = (
    "Asia/Baku", "Europe/Berlin", "Europe/London", "Europe/Dublin", "America/New_York",
    "America/Santiago", "America/Havana", "America/Asuncion", "Asia/Beirut",
    "Australia/Lord_Howe", "Pacific/Chatham", "America/St_Johns", "Africa/Casablanca",
    "Asia/Kathmandu", "Asia/Tehran", "Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC",
)  # fmt: skip
SLUGS = ("january-20", "february-26", "march-31", "september-27")
LEADS = (0, 1, 2, 3, 5, 7, 10, 14, 21, 29, 30)


def add_subscribers(rng: random.Random) -> None:
    signed_up = dt.datetime(2026, 1, 1)
    number = 0
    for zone in ZONES:
        for hour in range(24):
            number += 1
            leads = rng.sample(LEADS, rng.randint(1, 3))
            if rng.random() < 0.1:
                leads.append(leads[0])  # stored twice: planned once
            confirmed = signed_up + dt.timedelta(days=rng.choice([0, 400, 420, 450, 815]))
            db.session.add(
                Subscriber(
                    email=f"p{number}@example.org", lang=rng.choice(["az", "en", "ru"]),
                    timezone=zone, send_hour=hour,
                    day_slugs=rng.sample(SLUGS, rng.randint(1, 4)), lead_days=leads,
                    status=rng.choice(["active"] * 8 + ["pending", "unsubscribed"]),
                    created_dt=signed_up, confirmed_dt=confirmed,
                )
            )  # fmt: skip
    db.session.commit()


def planned_rows() -> set[tuple[object, ...]]:
    query = sa.select(
        Reminder.subscriber_id, Reminder.memorial_day_id, Reminder.year, Reminder.lead_days,
        Reminder.due_dt, Reminder.deadline_dt, Reminder.next_attempt_dt, Reminder.status,
        Reminder.attempts,
    )  # fmt: skip
    return {tuple(row) for row in db.session.execute(query)}


def instants() -> list[dt.datetime]:
    """Around each day in 2027 to 2029: a month before, days before, the last hours."""
    found = []
    for year in (2027, 2028, 2029):
        for month, day in ((1, 20), (2, 26), (3, 31), (9, 27)):
            date = dt.datetime(year, month, day)
            for offset in (-31, -29.5, -15, -7.25, -1, -0.3, 0.2, 0.5, 0.9):
                found.append(date + dt.timedelta(days=offset))
    found += [dt.datetime(2027, 3, 14, 6, 59), dt.datetime(2027, 3, 28, 0, 59)]  # DST mornings
    return found


def test_sql_planning_makes_the_pure_planners_rows(pg_app: Flask) -> None:
    with pg_app.app_context():
        assert db.engine.dialect.name == "postgresql"
        add_subscribers(random.Random(13))
        subscribers = list(
            db.session.scalars(sa.select(Subscriber).where(Subscriber.status == "active"))
        )
        compared = 0
        for now in instants():
            db.session.execute(sa.delete(Reminder))
            db.session.commit()
            occurrences = _occurrences_in_reach(db.session, now)
            expected = {
                (p.subscriber_id, p.memorial_day_id, p.year, p.lead_days, p.due_dt,
                 p.deadline_dt, p.due_dt, "pending", 0)
                for p in plan(subscribers, occurrences, now)
            }  # fmt: skip
            inserted = plan_everyone(db.session, now)
            db.session.commit()
            assert planned_rows() == expected, now
            assert inserted == len(expected), now
            assert plan_everyone(db.session, now) == 0  # idempotent
            compared += len(expected)
        assert compared > 5000  # the comparison covered many rows, not a few


def test_sql_planning_keeps_rows_already_there(pg_app: Flask) -> None:
    """A row already claimed or sent is left alone: ON CONFLICT DO NOTHING."""
    now = dt.datetime(2027, 1, 15, 6, 0)
    with pg_app.app_context():
        add_subscribers(random.Random(5))
        first = plan_everyone(db.session, now)
        db.session.commit()
        assert first > 0
        db.session.execute(sa.update(Reminder).values(status="sent", attempts=1, sent_dt=now))
        db.session.commit()
        assert plan_everyone(db.session, now) == 0
        statuses = db.session.execute(sa.select(Reminder.status).distinct()).scalars().all()
        assert statuses == ["sent"]


def test_a_pass_commits_part_by_part_so_a_locked_subscriber_holds_back_only_its_part(
    pg_app: Flask,
) -> None:
    """Each reminder locks its subscriber's row (the foreign key) until its part commits.

    Another transaction holding one subscriber's row (as erasing an address
    does) holds back the part that subscriber is in, not what was planned
    before it: that is already committed and visible to everyone.
    """
    now = dt.datetime(2027, 1, 15, 6, 0)
    with pg_app.app_context():
        for number in range(30):
            db.session.add(
                Subscriber(
                    email=f"part{number}@example.org", lang="en", timezone="Asia/Baku",
                    send_hour=9, day_slugs=["january-20"], lead_days=[1, 0], status="active",
                    created_dt=dt.datetime(2026, 6, 1), confirmed_dt=dt.datetime(2026, 6, 1),
                )
            )  # fmt: skip
        db.session.commit()
        ids = sorted(db.session.scalars(sa.select(Subscriber.id)))
        occurrences = _occurrences_in_reach(db.session, now)
        db.session.remove()
        engine = db.engine
        held = ids[25]  # in the third part of ten ids
        planned: list[int] = []

        def plan_the_pass() -> None:
            with pg_app.app_context():
                planned.append(plan_everyone_in_sql(db.session, occurrences, now, 10))
                db.session.remove()

        with engine.connect() as eraser, engine.connect() as reader:
            eraser.execute(
                sa.text("SELECT 1 FROM subscribers WHERE id = :id FOR UPDATE"), {"id": held}
            )
            planner = threading.Thread(target=plan_the_pass)
            planner.start()
            visible = 0
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and visible < 40:
                visible = reader.execute(sa.text("SELECT count(*) FROM reminders")).scalar_one()
                reader.rollback()
                time.sleep(0.05)
            time.sleep(0.3)
            assert planner.is_alive()  # waiting for the held row
            assert reader.execute(sa.text("SELECT count(*) FROM reminders")).scalar_one() == 40
            reader.rollback()
            eraser.rollback()  # the other transaction ends
            planner.join(timeout=20)
        assert planned == [60]
        with pg_app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Reminder)) == 60


def test_a_part_is_so_many_subscribers_however_sparse_their_ids(pg_app: Flask) -> None:
    """Ids with gaps (sign-ups never confirmed are deleted) make no empty parts."""
    now = dt.datetime(2027, 1, 15, 6, 0)
    with pg_app.app_context():
        for number in range(10):
            db.session.add(
                Subscriber(
                    id=1 + 1000 * number, email=f"sparse{number}@example.org", lang="az",
                    timezone="Europe/Berlin", send_hour=8, day_slugs=["january-20"],
                    lead_days=[1], status="active", created_dt=dt.datetime(2026, 6, 1),
                    confirmed_dt=dt.datetime(2026, 6, 1),
                )
            )  # fmt: skip
        db.session.commit()
        occurrences = _occurrences_in_reach(db.session, now)
        commits: list[object] = []

        def count(connection: object) -> None:
            commits.append(connection)

        sa.event.listen(db.engine, "commit", count)
        try:
            assert plan_everyone_in_sql(db.session, occurrences, now, 5) == 10
        finally:
            sa.event.remove(db.engine, "commit", count)
        assert len(commits) == 2  # two parts of five, not one per 5 ids up to 9001
        planned = db.session.scalars(sa.select(Reminder.subscriber_id)).all()
        assert sorted(planned) == [1 + 1000 * number for number in range(10)]


def test_sql_planning_leaves_out_a_missed_reminder_a_nearer_one_will_repeat(
    pg_app: Flask,
) -> None:
    """A reminder due before confirming goes at once only if no nearer one of theirs is to come.

    Same zone and hour for everyone, so they share the slots: what differs is
    each subscriber's own lead times and when they confirmed (20 January in Baku).
    """
    two_days_before = dt.datetime(2027, 1, 18, 4, 0)  # 08:00 in Baku: the 7-day one is past
    day_before = dt.datetime(2027, 1, 19, 6, 0)  # 10:00: the 7-day and 1-day ones are past
    wishes = {
        "seven-only@example.org": ([7], two_days_before),  # nothing nearer: goes at once
        "seven-one@example.org": ([7, 1], two_days_before),  # the 1-day one says it
        "all-three@example.org": ([0, 7, 1], two_days_before),
        "late-seven-one@example.org": ([7, 1], day_before),  # both past: dispatch chooses
        "late-all-three@example.org": ([1, 0, 7], day_before),  # "Today" says it
    }
    with pg_app.app_context():
        for email, (leads, confirmed) in wishes.items():
            db.session.add(
                Subscriber(
                    email=email, lang="en", timezone="Asia/Baku", send_hour=9,
                    day_slugs=["january-20"], lead_days=leads, status="active",
                    created_dt=confirmed, confirmed_dt=confirmed,
                )
            )  # fmt: skip
        db.session.commit()
        now = day_before
        plan_everyone(db.session, now)
        db.session.commit()
        rows = db.session.execute(
            sa.select(Subscriber.email, Reminder.lead_days).join(
                Reminder, Reminder.subscriber_id == Subscriber.id
            )
        ).all()
        assert sorted(rows) == [
            ("all-three@example.org", 0), ("all-three@example.org", 1),
            ("late-all-three@example.org", 0),
            ("late-seven-one@example.org", 1), ("late-seven-one@example.org", 7),
            ("seven-one@example.org", 1),
            ("seven-only@example.org", 7),
        ]  # fmt: skip
        subscribers = list(db.session.scalars(sa.select(Subscriber)))
        email = {s.id: s.email for s in subscribers}
        pure = plan(subscribers, _occurrences_in_reach(db.session, now), now)
        assert sorted((email[p.subscriber_id], p.lead_days) for p in pure) == sorted(rows)
