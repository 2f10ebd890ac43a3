"""Status columns hold only their enum's values, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import importlib.util
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from calendar_app.data.models import Subscriber
from calendar_app.data.prepare import prepare_database
from calendar_app.data.statuses import (
    PersonStatus,
    ReminderStatus,
    SubscriberStatus,
    SuppressionReason,
    TokenPurpose,
    check_in,
)
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


def _migration(name: str) -> Any:
    path = resource_dir("migrations") / "versions" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_migration_checks_match_the_enums() -> None:
    """The migrations write their values out; a new state needs a new migration."""
    checks = dict(_migration("0004_status_checks").CHECKS)
    remembrance = _migration("0007_remembrance")  # a new purpose, and the names' states
    checks["access_tokens"] = ("purpose", remembrance.PURPOSE_AFTER)
    checks["remembered_people"] = ("status", remembrance.PERSON_STATUS)
    latest = _migration("0010_suppressions_unsubscribe_tokens")  # 'unsubscribe', 'superseded'
    checks["access_tokens"] = ("purpose", latest.PURPOSE_AFTER)
    checks["reminders"] = ("status", latest.REMINDER_STATUS_AFTER)
    checks["suppressions"] = ("reason", latest.REASON)
    assert {
        "subscribers": ("status", check_in("status", SubscriberStatus)),
        "access_tokens": ("purpose", check_in("purpose", TokenPurpose)),
        "reminders": ("status", check_in("status", ReminderStatus)),
        "remembered_people": ("status", check_in("status", PersonStatus)),
        "suppressions": ("reason", check_in("reason", SuppressionReason)),
    } == checks
    assert check_in("status", ReminderStatus) == latest.REMINDER_STATUS_AFTER
