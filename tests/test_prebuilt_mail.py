"""Reminders filled into a prebuilt message are the messages the email package builds.

The worker sends most reminders from a message flattened once per text and
filled in per recipient (calendar_app/mail/prebuilt.py). These tests compare
that output with messages built the ordinary way, and check what a mail
provider reads in the raw bytes.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from email.message import EmailMessage

import pytest
import sqlalchemy as sa
from flask import Flask

from calendar_app.app_settings import current_settings
from calendar_app.data.models import MemorialDay, Reminder, Subscriber
from calendar_app.extensions import db
from calendar_app.mail.builder import (
    DATE_SLOT,
    MESSAGE_ID_SLOT,
    TO_SLOT,
    TOKEN_SLOT,
    MessageBuilder,
)
from calendar_app.mail.prebuilt import MessageTemplate, RawMessage, flatten
from calendar_app.reminders.compose import LinkTokens, ReminderComposer
from calendar_app.reminders.dispatch import load_days

NOW = dt.datetime(2027, 1, 19, 6, 0)
TOKEN = re.compile(r"(/(?:manage|unsubscribe)/|unsubscribe%20)[A-Za-z0-9_-]{40,}")


def compose(composer: ReminderComposer, reminder: Reminder, now: dt.datetime = NOW) -> RawMessage:
    """As dispatch does: the row, its subscriber, a fresh token, the days."""
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


def described(message: EmailMessage) -> list[tuple[str, str]]:
    """Every header and every part's decoded content, secret tokens masked."""
    items = [(name, str(value)) for name, value in message.items()]
    for part in message.walk():
        if part.is_multipart():
            items.append(("part", part.get_content_type()))
        else:
            items += [("part", part.get_content_type()), ("content", str(part.get_content()))]
            items += [(name, str(value)) for name, value in part.items() if name != "MIME-Version"]
    boundary = re.compile(r'boundary="[^"]+"')
    return [(n, boundary.sub("boundary", TOKEN.sub(r"\1TOKEN", v))) for n, v in items]


@pytest.mark.parametrize("lang", ["az", "en", "ru"])
@pytest.mark.parametrize("zone", ["Asia/Baku", "America/New_York", "Pacific/Auckland"])
@pytest.mark.parametrize("slug", ["january-20", "september-27"])
def test_a_prebuilt_reminder_reads_the_same_as_a_built_one(
    smtp_app: Flask, lang: str, zone: str, slug: str
) -> None:
    with smtp_app.app_context():
        settings = current_settings()
        fast, slow = (
            ReminderComposer(settings),
            ReminderComposer(settings, MessageBuilder(settings.mail.sender, reuse=False)),
        )
        reminder = reminder_for(f"reader.{lang}@example.org", lang, zone, slug)
        moment = NOW if slug == "january-20" else dt.datetime(2027, 9, 26, 6, 0)
        prebuilt, built = compose(fast, reminder, moment), compose(slow, reminder, moment)
        assert fast.builder.templates and not slow.builder.templates  # two different ways
        assert described(prebuilt.parsed()) == described(built.parsed())
        assert prebuilt.sender == "calendar@localhost"
        assert prebuilt.recipients == (f"reader.{lang}@example.org",)
        assert prebuilt.message_id == reminder.message_id


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
        assert len(composer.builder.templates) == 1  # one template served the three


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


def test_an_address_the_template_cannot_hold_is_built_the_ordinary_way(smtp_app: Flask) -> None:
    with smtp_app.app_context():
        composer = ReminderComposer(current_settings())
        raw = compose(composer, reminder_for("leyla@bakı.az", "az", "Asia/Baku"))
    assert not composer.builder.templates  # built by the email package, not from a template
    assert raw.smtputf8 and raw.recipients == ("leyla@bakı.az",)
    assert raw.parsed()["To"] == "leyla@bakı.az"
    assert "To: leyla@bakı.az\r\n".encode() in raw.data  # UTF-8 header (RFC 6532)
    assert b"List-Unsubscribe: <https://calendar.example.az/unsubscribe/" in raw.data


def slotted_template() -> tuple[MessageTemplate, dict[str, str]]:
    message = EmailMessage()
    message["To"] = TO_SLOT
    message["Date"] = DATE_SLOT
    message["Message-ID"] = MESSAGE_ID_SLOT
    body = f"Manage: https://example.az/manage/{TOKEN_SLOT}\nŞəhidlər xiyabanı\n"
    message.set_content(body, cte="base64")
    slots = (TO_SLOT, DATE_SLOT, MESSAGE_ID_SLOT, TOKEN_SLOT)
    values = {
        TO_SLOT: "a@example.org",
        DATE_SLOT: "Tue, 19 Jan 2027 06:00:00 +0000",
        MESSAGE_ID_SLOT: "<m@example.az>",
        TOKEN_SLOT: "t" * 43,
    }
    return MessageTemplate(flatten(message), slots, [body]), values


def test_a_template_fills_in_like_the_email_package() -> None:
    template, values = slotted_template()
    expected = EmailMessage()
    expected["To"], expected["Date"], expected["Message-ID"] = (
        values[TO_SLOT],
        values[DATE_SLOT],
        values[MESSAGE_ID_SLOT],
    )
    expected.set_content(
        f"Manage: https://example.az/manage/{'t' * 43}\nŞəhidlər xiyabanı\n", cte="base64"
    )
    assert template.fill(values) == flatten(expected)


@pytest.mark.parametrize(
    "address",
    ["a@example.org\r\nBcc: victim@example.org", "a@example.org\nX: y", "ə@example.org", ""],
)
def test_a_template_refuses_what_would_break_a_header(address: str) -> None:
    template, values = slotted_template()
    with pytest.raises(ValueError, match="cannot go into a header"):
        template.fill({**values, TO_SLOT: address})


def test_a_template_refuses_a_slot_the_message_lacks() -> None:
    message = EmailMessage()
    message["To"] = "a@example.org"
    message.set_content("hello", cte="base64")
    with pytest.raises(ValueError, match="is not in the message"):
        MessageTemplate(flatten(message), [TO_SLOT], ["hello"])


def test_composing_reads_and_writes_nothing_in_the_database(smtp_app: Flask) -> None:
    """Dispatch hands compose everything; compose runs no SQL, even on a cold cache."""
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
