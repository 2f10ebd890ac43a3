"""Confirmed subscribers made through the real sign-up, and their status, for the
bounce and suppression tests."""

from __future__ import annotations

import datetime as dt

from flask import Flask

from calendar_app.data.models import Subscriber
from calendar_app.extensions import db
from calendar_app.reminders.subscriptions import Preferences, confirm, sign_up

SIGNUP = dt.datetime(2026, 12, 1, 10, 0)


def subscribe(
    app: Flask, address: str = "leyla@example.org", leads: tuple[int, ...] = (1, 0)
) -> int:
    """A confirmed subscriber to 20 January reminders; its id."""
    with app.app_context():
        prefs = Preferences("en", "Asia/Baku", ("january-20",), leads, 9)
        signup = sign_up(db.session, address, prefs, SIGNUP)
        assert confirm(db.session, signup.token, SIGNUP) is not None
        db.session.commit()
        return signup.subscriber.id


def status(app: Flask, subscriber_id: int) -> str:
    with app.app_context():
        found = db.session.get(Subscriber, subscriber_id)
        assert found is not None
        return found.status
