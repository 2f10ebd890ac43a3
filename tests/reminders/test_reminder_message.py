"""A reminder as the worker builds it: its own token and recipient, and raw bytes a mail
provider can read (RFC 2369 list headers as URLs, 7-bit, CRLF, UTF-8 addresses)."""

from __future__ import annotations

import datetime as dt
import re
import secrets

import sqlalchemy as sa
from flask import Flask

from calendar_app.app_settings import current_settings
from calendar_app.data.models import MemorialDay, Reminder, Subscriber
from calendar_app.extensions import db
from calendar_app.mail.builder import RawMessage
from calendar_app.reminders.compose import ReminderComposer
from calendar_app.reminders.dispatch import load_days
from calendar_app.reminders.letter_inputs import LinkTokens

NOW = dt.datetime(2027, 1, 19, 6, 0)


def compose(composer: ReminderComposer, reminder: Reminder, now: dt.datetime = NOW) -> RawMessage:
    """As dispatch does: the row, its subscriber, fresh tokens, the days."""
    person = db.session.get(Subscriber, reminder.subscriber_id)
    assert person is not None
    tokens = LinkTokens(secrets.token_urlsafe(32), secrets.token_urlsafe(32))
    return composer(reminder, person, tokens, load_days(db.session), now)


def reminder_for(email: str, lang: str, zone: str, slug: str = "january-20") -> Reminder:
    person = Subscriber(
        email=email, lang=lang, timezone=zone, send_hour=9, day_slugs=[slug], lead_days=[1],
        status="active", created_dt=NOW - dt.timedelta(days=40),
        confirmed_dt=NOW - dt.timedelta(days=40),
    )  # fmt: skip
    db.session.add(person)
    db.session.flush()
    day = db.session.scalars(sa.select(MemorialDay).filter_by(slug=slug)).one()
    reminder = Reminder(
        subscriber_id=person.id, memorial_day_id=day.id, year=2027, lead_days=1, due_dt=NOW,
        deadline_dt=NOW + dt.timedelta(days=1), status="sending", attempts=0,
        next_attempt_dt=NOW, created_dt=NOW,
        message_id=f"<reminder.{person.id}.test@calendar.example.az>",
    )  # fmt: skip
    db.session.add(reminder)
    db.session.flush()
    return reminder


def test_every_message_of_a_batch_carries_its_own_token_and_recipient(smtp_app: Flask) -> None:
    with smtp_app.app_context():
        composer = ReminderComposer(current_settings())
        messages = [
            compose(composer, reminder_for(f"p{n}@example.org", "az", "Asia/Baku"))
            for n in range(3)
        ]
        tokens = set()
        for n, raw in enumerate(messages):
            assert isinstance(raw, RawMessage)
            parsed = raw.parsed()
            assert parsed["To"] == f"p{n}@example.org"
            text = parsed.get_body(("plain",)).get_content()  # type: ignore[union-attr]
            (token,) = re.findall(r"/manage/([A-Za-z0-9_-]{40,})", text)
            (leave,) = re.findall(r"/unsubscribe/([A-Za-z0-9_-]{40,})", parsed["List-Unsubscribe"])
            assert leave != token  # the header never carries the manage link's secret
            html = parsed.get_body(("html",)).get_content()  # type: ignore[union-attr]
            assert f"/manage/{token}" in html
            tokens |= {token, leave}
        assert len(tokens) == 6


def test_the_raw_bytes_are_what_a_mail_provider_needs(smtp_app: Flask) -> None:
    with smtp_app.app_context():
        raw = compose(
            ReminderComposer(current_settings()),
            reminder_for("leyla@example.org", "ru", "Asia/Baku"),
        )
    lines = raw.data.split(b"\r\n")
    assert raw.data.isascii() and b"\n" not in raw.data.replace(b"\r\n", b"")  # 7-bit, CRLF
    assert max(len(line) for line in lines) <= 998
    # RFC 2369: the URLs themselves, not RFC 2047 encoded-words, so that a
    # provider's one-click unsubscribe (RFC 8058) can find them.
    # Without [mail] bounce_domain nothing reads mail sent back, so there is no mailto:.
    (header,) = [x for x in lines if x.startswith(b"List-Unsubscribe:")]
    assert re.fullmatch(
        rb"List-Unsubscribe: <https://calendar\.example\.az/unsubscribe/[\w-]{43}>", header
    )
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in lines


def test_an_address_outside_ascii_goes_as_utf8(smtp_app: Flask) -> None:
    with smtp_app.app_context():
        composer = ReminderComposer(current_settings())
        raw = compose(composer, reminder_for("leyla@bakı.az", "az", "Asia/Baku"))
    assert raw.smtputf8 and raw.recipients == ("leyla@bakı.az",)
    assert raw.parsed()["To"] == "leyla@bakı.az"
    assert "To: leyla@bakı.az\r\n".encode() in raw.data  # UTF-8 header (RFC 6532)
    assert b"List-Unsubscribe: <https://calendar.example.az/unsubscribe/" in raw.data


def test_composing_reads_and_writes_nothing_in_the_database(smtp_app: Flask) -> None:
    """Dispatch hands compose everything; compose runs no SQL."""
    with smtp_app.app_context():
        reminder = reminder_for("leyla@example.org", "ru", "Europe/Berlin")
        person = db.session.get(Subscriber, reminder.subscriber_id)
        assert person is not None
        days = load_days(db.session)
        statements: list[str] = []

        def record(*args: object) -> None:
            statements.append(str(args[2]))

        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            raw = ReminderComposer(current_settings())(
                reminder, person, LinkTokens("t" * 43, "u" * 43), days, NOW
            )
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
    assert statements == []
    assert raw.recipients == ("leyla@example.org",) and b"u" * 43 in raw.data  # List-Unsubscribe
