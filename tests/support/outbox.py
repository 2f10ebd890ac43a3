"""The outbox in tests: a scheduler tick, and reminders seeded in bulk."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Flask

from calendar_app.extensions import db
from calendar_app.reminders.scheduler import run_once


def tick(app: Flask, now: dt.datetime) -> str:
    with app.app_context():
        return run_once(now).summary()


def seed_due_reminders(app: Flask, count: int, due_in_seconds: float = -60) -> None:
    """``count`` active subscribers, each with one reminder due now (bulk SQL)."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with app.app_context():
        day_id = db.session.execute(
            sa.text("SELECT id FROM memorial_days WHERE slug = 'january-20'")
        ).scalar_one()
        db.session.execute(
            sa.text(
                "INSERT INTO subscribers (email, lang, timezone, send_hour, day_slugs, lead_days,"
                " status, created_dt, confirmed_dt) SELECT 'p' || n || '@example.org', 'en',"
                " 'Asia/Baku', 9, '[\"january-20\"]', '[1]', 'active', :now, :now"
                " FROM generate_series(1, :count) AS n"
            ),
            {"now": now, "count": count},
        )
        due = now + dt.timedelta(seconds=due_in_seconds)
        db.session.execute(
            sa.text(
                "INSERT INTO reminders (subscriber_id, memorial_day_id, year, lead_days, due_dt,"
                " deadline_dt, status, attempts, next_attempt_dt, created_dt)"
                " SELECT id, :day, 2027, 1, :due, :deadline, 'pending', 0, :due, :now"
                " FROM subscribers"
            ),
            {"day": day_id, "due": due, "deadline": now + dt.timedelta(days=1), "now": now},
        )
        db.session.commit()
