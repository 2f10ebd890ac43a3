"""The MIME structure a mail program reads, on the raw bytes the SMTP server received.

A reminder sent by the worker, and reminders composed directly in each
language with an alphabet of its own.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import secrets

import pytest
import sqlalchemy as sa
from flask import Flask

from calendar_app.app_settings import current_settings
from calendar_app.data.models import MemorialDay, Reminder, Subscriber
from calendar_app.extensions import db
from calendar_app.mail.backends import SmtpBackend
from calendar_app.reminders.compose import ReminderComposer
from calendar_app.reminders.dispatch import load_days
from calendar_app.reminders.letter_inputs import LinkTokens
from calendar_app.reminders.scheduler import run_once
from calendar_app.reminders.subscriptions import Preferences, confirm, sign_up
from tests.support.smtp_sink import SmtpSink

SIGNED_UP = dt.datetime(2026, 12, 1)
DUE = dt.datetime(2027, 1, 19, 5, 0)  # 09:00 in Baku, the day before 20 January


def part_headers(raw: bytes) -> list[bytes]:
    """The header block of every part below the top (each begins after a boundary line)."""
    blocks = re.split(rb"\r\n--[^\r\n]+\r\n", raw)[1:]
    return [block.split(b"\r\n\r\n", 1)[0] + b"\r\n" for block in blocks if block[:2] != b"--"]


def check_structure(raw: bytes) -> None:
    top = raw.split(b"\r\n\r\n", 1)[0]
    assert re.findall(rb"(?im)^MIME-Version:", raw) == [b"MIME-Version:"]  # once in the message
    assert re.search(rb"(?im)^MIME-Version: 1\.0\r$", top)  # and that once at the top
    (ics,) = [h for h in part_headers(raw) if b"text/calendar" in h]
    assert re.search(rb'(?im)^Content-Type: text/calendar; charset="?utf-8"?\r$', ics)
    assert re.search(rb'(?im)^Content-Disposition: attachment; filename="january-20-2027\.ics"\r$',
                     ics)  # fmt: skip
    message = email.message_from_bytes(raw, policy=email.policy.default)
    (attachment,) = message.iter_attachments()  # type: ignore[attr-defined]
    assert attachment.get_content_charset() == "utf-8"
    text = attachment.get_content()  # decoded as UTF-8 because the part says so
    assert isinstance(text, str) and "BEGIN:VCALENDAR" in text and not text.isascii()


def test_a_reminder_from_the_worker_says_its_charset_and_mime_version_once(
    smtp_app: Flask, smtp_sink: SmtpSink
) -> None:
    with smtp_app.app_context():
        prefs = Preferences("az", "Asia/Baku", ("january-20",), (1,), 9)
        signup = sign_up(db.session, "nigar@example.org", prefs, SIGNED_UP)
        confirm(db.session, signup.token, SIGNED_UP)
        db.session.commit()
        assert "1 sent" in run_once(DUE).summary()
    (raw,) = smtp_sink.handler.raw
    check_structure(raw)


@pytest.mark.parametrize("lang", ["az", "ru"])
def test_a_composed_reminder_has_the_same_structure_in_each_alphabet(
    smtp_app: Flask, smtp_sink: SmtpSink, lang: str
) -> None:
    with smtp_app.app_context():
        settings = current_settings()
        person = Subscriber(
            email="leyla@example.org", lang=lang, timezone="Asia/Baku", send_hour=9,
            day_slugs=["january-20"], lead_days=[1], status="active",
            created_dt=SIGNED_UP, confirmed_dt=SIGNED_UP,
        )  # fmt: skip
        db.session.add(person)
        db.session.flush()
        day = db.session.scalars(sa.select(MemorialDay).filter_by(slug="january-20")).one()
        reminder = Reminder(
            subscriber_id=person.id, memorial_day_id=day.id, year=2027, lead_days=1,
            due_dt=DUE, deadline_dt=DUE + dt.timedelta(days=1), status="sending", attempts=0,
            next_attempt_dt=DUE, created_dt=DUE, message_id="<r.1@calendar.example.az>",
        )  # fmt: skip
        composer = ReminderComposer(settings)
        tokens = LinkTokens(secrets.token_urlsafe(32), secrets.token_urlsafe(32))
        message = composer(reminder, person, tokens, load_days(db.session), DUE)
        with SmtpBackend(settings.mail).connect() as connection:
            connection.send(message)
    (raw,) = smtp_sink.handler.raw
    check_structure(raw)
