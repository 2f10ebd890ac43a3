"""The e-mails, byte for byte against reviewed golden files, in three languages.

A change to a template, a translation or the tests' data file shows up here as a
diff to review. After checking the diff, rewrite the snapshots with:

    .venv/bin/pytest -n 0 tests/mail/test_email_golden.py --snapshot-update
"""

from __future__ import annotations

import datetime as dt
import re
from email.message import EmailMessage

import pytest
import sqlalchemy as sa
from flask import Flask
from syrupy.assertion import SnapshotAssertion

from calendar_app.app_settings import current_settings
from calendar_app.data import queries
from calendar_app.data.models import MemorialDay, Reminder, Subscriber
from calendar_app.extensions import db
from calendar_app.mail.builder import RawMessage
from calendar_app.mail.transactional import confirmation_message, manage_message, welcome_message
from calendar_app.reminders.compose import ReminderComposer
from calendar_app.reminders.dispatch import load_days
from calendar_app.reminders.letter_inputs import LinkTokens
from tests.support.snapshots import HtmlSnapshot, TextSnapshot

NOW = dt.datetime(2027, 1, 19, 6, 0)  # 09:00 in Doha, the day before 20 January
HEADERS = ("Subject", "From", "To", "Date", "Message-ID", "List-Id", "List-Unsubscribe",
           "List-Unsubscribe-Post", "Auto-Submitted")  # fmt: skip
TOKEN = re.compile(r"(/(?:confirm|manage|unsubscribe)/|unsubscribe%20)[A-Za-z0-9_-]{40,}")


def flatten(message: EmailMessage) -> tuple[str, str]:
    """Headers and the plain body; the HTML body. Secret tokens become TOKEN."""
    lines = [f"{name}: {message[name]}" for name in HEADERS if message[name] is not None]
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    plain = "\n".join(lines) + "\n\n" + text
    attachments = [f"[attachment {a.get_filename()} {a.get_content_type()}]"
                   for a in message.iter_attachments()]  # fmt: skip
    plain += "".join(f"\n{a}" for a in attachments)
    return TOKEN.sub(r"\1TOKEN", plain), TOKEN.sub(r"\1TOKEN", html)


def check(snapshot: SnapshotAssertion, message: EmailMessage) -> None:
    """Headers and plain body against one snapshot (.txt), the HTML body another (.html)."""
    plain, html = flatten(message)
    assert plain == snapshot(extension_class=TextSnapshot)
    assert html == snapshot(extension_class=HtmlSnapshot, name="body")


def subscriber(lang: str) -> Subscriber:
    person = Subscriber(
        email=f"reader.{lang}@example.org", lang=lang, timezone="Asia/Qatar", send_hour=9,
        day_slugs=["january-20"], lead_days=[1], status="active",
        created_dt=NOW - dt.timedelta(days=40), confirmed_dt=NOW - dt.timedelta(days=40),
    )  # fmt: skip
    db.session.add(person)
    db.session.flush()
    return person


@pytest.mark.parametrize("lang", ["az", "en", "ru"])
def test_reminder(smtp_app: Flask, lang: str, snapshot: SnapshotAssertion) -> None:
    with smtp_app.app_context():
        person = subscriber(lang)
        day = db.session.scalars(sa.select(MemorialDay).filter_by(slug="january-20")).one()
        reminder = Reminder(
            subscriber_id=person.id, memorial_day_id=day.id, year=2027, lead_days=1,
            due_dt=NOW, deadline_dt=NOW + dt.timedelta(days=1), status="sending", attempts=0,
            next_attempt_dt=NOW, created_dt=NOW,
            message_id="<reminder.1.golden@calendar.example.az>",
        )  # fmt: skip
        db.session.add(reminder)
        db.session.flush()
        composed = ReminderComposer(current_settings())(
            reminder, person, LinkTokens("t" * 43, "u" * 43), load_days(db.session), NOW
        )
        check(snapshot, composed.parsed())


@pytest.mark.parametrize("lang", ["az", "en", "ru"])
@pytest.mark.parametrize("kind", ["confirm", "manage"])
def test_confirmation_and_manage_link(
    smtp_app: Flask, lang: str, kind: str, snapshot: SnapshotAssertion
) -> None:
    with smtp_app.app_context():
        person = subscriber(lang)
        build = confirmation_message if kind == "confirm" else manage_message
        check(snapshot, with_golden_id(build(current_settings(), person, "x" * 43, NOW)))


def with_golden_id(raw: RawMessage) -> EmailMessage:
    message = raw.parsed()
    del message["Message-ID"]
    message["Message-ID"] = "<golden@calendar.example.az>"
    return message


@pytest.mark.parametrize("lang", ["az", "en", "ru"])
def test_welcome(smtp_app: Flask, lang: str, snapshot: SnapshotAssertion) -> None:
    """Confirmed on 20 January, after its reminders were due: the first is March's."""
    confirmed = dt.datetime(2027, 1, 20, 7, 0)  # 10:00 in Doha
    with smtp_app.app_context():
        person = subscriber(lang)
        person.day_slugs, person.lead_days = ["january-20", "march-31"], [7, 1]
        person.confirmed_dt = confirmed
        days = queries.active_days(db.session)
        message = welcome_message(current_settings(), person, "x" * 43, days, confirmed)
        check(snapshot, with_golden_id(message))
