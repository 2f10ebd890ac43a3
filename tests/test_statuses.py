"""Status columns hold only their enum's values, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import importlib.util

import pytest
import sqlalchemy as sa
from flask import Flask

from calendar_app.data.models import Subscriber
from calendar_app.data.prepare import prepare_database
from calendar_app.data.statuses import ReminderStatus, SubscriberStatus, TokenPurpose, check_in
from calendar_app.extensions import db
from calendar_app.resources import resource_dir

NOW = dt.datetime(2027, 1, 1, 9, 0)


def _subscriber(status: str) -> Subscriber:
    return Subscriber(
        email="someone@example.org",
        lang="en",
        timezone="Asia/Baku",
        send_hour=9,
        day_slugs=["january-20"],
        lead_days=[1],
        status=status,
        created_dt=NOW,
    )


def test_database_refuses_a_status_outside_the_enum(any_db_app: Flask) -> None:
    prepare_database(any_db_app)
    with any_db_app.app_context():
        db.session.add(_subscriber("activ"))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()
        db.session.add(_subscriber(SubscriberStatus.ACTIVE))
        db.session.commit()
        stored = db.session.scalars(sa.select(Subscriber.status)).one()
        assert stored == "active"


def test_migration_checks_match_the_enums() -> None:
    """The migration writes its values out; a new state needs a new migration."""
    path = resource_dir("migrations") / "versions" / "0004_status_checks.py"
    spec = importlib.util.spec_from_file_location("status_checks", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert {
        "subscribers": ("status", check_in("status", SubscriberStatus)),
        "access_tokens": ("purpose", check_in("purpose", TokenPurpose)),
        "reminders": ("status", check_in("status", ReminderStatus)),
    } == module.CHECKS
