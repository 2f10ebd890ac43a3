"""Migration 0013 (relatives) on real SQLite and PostgreSQL: the family's address and a
relative may each have a reminder of the same name, occasion and lead; going down keeps
the family's and deletes the relatives' (the narrower unique key is made again)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade

from calendar_app.extensions import db
from tests.data.test_migrations import MIGRATIONS

SUBSCRIBERS = (
    "INSERT INTO subscribers (id, email, lang, timezone, send_hour, day_slugs, lead_days, "
    "status, created_dt, confirmed_dt) VALUES "
    "(1, 'family@example.org', 'az', 'Asia/Baku', 9, '[]', '[]', 'active', "
    "'2026-12-01 10:00:00', '2026-12-01 10:00:00'), "
    "(2, 'relative@example.net', 'ru', 'Europe/Moscow', 10, '[]', '[]', 'active', "
    "'2026-12-01 10:00:00', '2026-12-01 10:00:00')"
)
PERSON = (
    "INSERT INTO remembered_people (id, subscriber_id, name, died_on, counting, thursdays, "
    "lead_days, status, feed_salt, feed_hash, created_dt, changed_dt) VALUES "
    "(1, 1, 'Anar', '2026-11-25', 'death-day', false, '[0]', 'active', 's', 'h', "
    "'2026-12-01 10:00:00', '2026-12-01 10:00:00')"
)
SHARE = (
    "INSERT INTO shares (id, owner_id, invitee_id, status, lead_days, created_dt, changed_dt) "
    "VALUES (1, 1, 2, 'active', '[0]', '2026-12-01 10:00:00', '2026-12-01 10:00:00')"
)
SHARED = "INSERT INTO share_people (share_id, remembered_id) VALUES (1, 1)"


def reminder(subscriber_id: int) -> str:
    return (
        "INSERT INTO reminders (subscriber_id, memorial_day_id, remembered_id, occasion, year, "
        "lead_days, due_dt, deadline_dt, status, attempts, next_attempt_dt, created_dt) VALUES "
        f"({subscriber_id}, NULL, 1, 'day-40', 2027, 0, '2027-01-03 05:00:00', "
        "'2027-01-03 20:00:00', 'pending', 0, '2027-01-03 05:00:00', '2026-12-01 10:00:00')"
    )


def test_0013_gives_each_reader_its_row_and_going_down_keeps_the_familys(
    any_db_app: Flask,
) -> None:
    with any_db_app.app_context():
        upgrade(directory=MIGRATIONS, revision="0013")
        with db.engine.begin() as connection:
            for statement in (SUBSCRIBERS, PERSON, SHARE, SHARED, reminder(1), reminder(2)):
                connection.execute(sa.text(statement))
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
            connection.execute(sa.text(reminder(2)))  # the same reader twice: still refused
        downgrade(directory=MIGRATIONS, revision="0011")
        with db.engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT subscriber_id FROM reminders")).all()
            assert [tuple(r) for r in rows] == [(1,)]
            tables = set(sa.inspect(connection).get_table_names())
        assert "shares" not in tables and "share_people" not in tables
        upgrade(directory=MIGRATIONS)
