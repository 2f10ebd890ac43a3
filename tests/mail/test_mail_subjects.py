"""Every subject a reader can get, in az, en and ru, reads back exactly as it was written.

A subject outside ASCII travels as RFC 2047 encoded-words, and a long one is
folded over several lines. A decoder drops the whitespace between two
encoded-words (RFC 2047, section 6.2), so a space the encoder leaves there is
lost: "7-я годовщина" used to arrive as "7-ягодовщина". Each message here is
built as it is sent and read back with the email package's parser and its
default policy, as a mail program would.
"""

from __future__ import annotations

import datetime as dt
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from types import SimpleNamespace

import pytest
from flask import Flask
from flask_babel import force_locale, gettext

from calendar_app.app_settings import current_settings
from calendar_app.core.languages import LANGUAGES
from calendar_app.core.observances import describe
from calendar_app.core.occurrences import occurrence_in_year
from calendar_app.core.remembrance import remembrance_dates, remembrance_title
from calendar_app.core.reminder_plan import LEAD_CHOICES
from calendar_app.core.words import words_for
from calendar_app.data import queries
from calendar_app.data.models import RememberedPerson, Subscriber
from calendar_app.extensions import db
from calendar_app.mail.builder import RawMessage
from calendar_app.mail.transactional import (
    confirmation_message,
    manage_message,
    remember_link_message,
    welcome_message,
)
from calendar_app.reminders.compose import ReminderComposer
from calendar_app.reminders.dispatch import load_days
from calendar_app.reminders.letter_inputs import LinkTokens
from calendar_app.reminders.remembrance_mail import Remembered

YEARS = range(2021, 2046)  # ordinals with every ending the three languages give them
TOKEN = "t" * 43
TOKENS = LinkTokens(TOKEN, "u" * 43)
NOW = dt.datetime(2027, 1, 1, 5, 0)


def received_subject(message: RawMessage) -> str:
    """The Subject as a mail program shows it, from the bytes on the wire."""
    parsed = BytesParser(policy=policy.default).parsebytes(message.data)
    assert isinstance(parsed, EmailMessage)
    return str(parsed["Subject"])


def raw_subject(message: RawMessage) -> bytes:
    headers = b"\r\n" + message.data.split(b"\r\n\r\n", 1)[0]
    start = headers.index(b"\r\nSubject:") + 2
    end = headers.find(b"\r\n", start)
    while headers[end + 2 : end + 3] in (b" ", b"\t"):
        end = headers.find(b"\r\n", end + 2)
    return headers[start:end]


def reader(lang: str) -> Subscriber:
    person = Subscriber(
        email=f"reader.{lang}@example.org", lang=lang, timezone="Asia/Baku", send_hour=9,
        day_slugs=["january-20", "march-31"], lead_days=[7, 1], status="active",
        created_dt=NOW, confirmed_dt=NOW,
    )  # fmt: skip
    db.session.add(person)
    db.session.flush()
    return person


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_reminder_subject_reads_back_as_written(smtp_app: Flask, lang: str) -> None:
    folded = 0
    with smtp_app.app_context():
        composer = ReminderComposer(current_settings())
        data = load_days(db.session)
        assert data.days
        recipient = SimpleNamespace(
            email=f"reader.{lang}@example.org", lang=lang, timezone="Asia/Baku"
        )
        for day_id, day in data.days.items():
            for year in YEARS:
                occurrence = occurrence_in_year(day, year)
                if occurrence is None:
                    continue
                phrase = describe(occurrence, words_for(lang)).anniversary_phrase
                for lead in LEAD_CHOICES:
                    due = dt.datetime.combine(occurrence.date, dt.time(5)) - dt.timedelta(days=lead)
                    row = SimpleNamespace(
                        id=1, memorial_day_id=day_id, remembered_id=None, occasion=None,
                        year=year, message_id=f"<r.{day_id}.{year}.{lead}@example.az>",
                    )  # fmt: skip
                    letter = composer.letter(row, recipient, TOKENS, data, due)
                    message = composer.builder.build(
                        letter, to=recipient.email, message_id=row.message_id, date=due
                    )
                    subject = received_subject(message)
                    assert subject == letter.rendered.subject, raw_subject(message)
                    assert subject.endswith(": " + phrase)
                    folded += b"\r\n " in raw_subject(message)
    # long subjects outside ASCII are folded, and those are the ones at risk (the English
    # ones fit on a line)
    assert folded > 30 or lang == "en"


def test_the_russian_anniversary_keeps_its_space(smtp_app: Flask) -> None:
    with smtp_app.app_context():
        composer = ReminderComposer(current_settings())
        data = load_days(db.session)
        recipient = SimpleNamespace(email="reader@example.org", lang="ru", timezone="Asia/Baku")
        subjects = []
        for day_id in data.days:
            row = SimpleNamespace(
                id=1, memorial_day_id=day_id, remembered_id=None, occasion=None, year=2027,
                message_id="<r.1@example.az>",
            )  # fmt: skip
            subjects.append(received_subject(composer(row, recipient, TOKENS, data, NOW)))
    assert all("-я годовщина" in subject for subject in subjects), subjects


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_link_and_welcome_subjects_read_back_as_written(smtp_app: Flask, lang: str) -> None:
    with smtp_app.app_context():
        settings = current_settings()
        person = reader(lang)
        days = queries.active_days(db.session)
        messages = {
            "Confirm your reminders of the memorial days": confirmation_message(
                settings, person, TOKEN, NOW
            ),
            "Your reminders of the memorial days": manage_message(settings, person, TOKEN, NOW),
            "Your reminders are on": welcome_message(settings, person, TOKEN, days, NOW),
            "Confirm your days of remembrance": remember_link_message(
                "confirm", settings, person, TOKEN, NOW
            ),
            "Your days of remembrance": remember_link_message(
                "manage", settings, person, TOKEN, NOW
            ),
        }
        for english, message in messages.items():
            with force_locale(lang):
                intended = gettext(english)
            assert received_subject(message) == intended


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    "name", ["Məmmədov Əli Hüseyn oğlu", "Иванова Мария Александровна", "Leyla"]
)
def test_every_remembrance_subject_reads_back_as_written(
    smtp_app: Flask, lang: str, name: str
) -> None:
    died = dt.date(2026, 11, 20)
    with smtp_app.app_context():
        composer = ReminderComposer(current_settings())
        data = load_days(db.session)
        person = RememberedPerson(
            name=name, died_on=died, born_on=None, counting="death-day", thursdays=True,
            day_slug="january-20", lead_days=[7, 1, 0],
        )  # fmt: skip
        names = {"az": "20 Yanvar", "en": "20 January", "ru": "20 Января"}
        remembered = Remembered(person, names)
        recipient = SimpleNamespace(email="family@example.org", lang=lang, timezone="Asia/Baku")
        items = remembrance_dates(died, "death-day", died, dt.date(2031, 12, 31), True)
        assert len(items) > 5
        for item in items:
            for lead in LEAD_CHOICES:
                due = dt.datetime.combine(item.date, dt.time(5)) - dt.timedelta(days=lead)
                row = SimpleNamespace(
                    id=1, memorial_day_id=None, remembered_id=1, occasion=item.occasion,
                    year=item.date.year, message_id="<m.1@example.az>",
                )  # fmt: skip
                message = composer(row, recipient, TOKENS, data, due, remembered)
                subject = received_subject(message)
                # a linked name is a martyr's; a subject is one line, and keeps the
                # no-break space before a dash as the letter's body does
                title = remembrance_title(
                    item, name, words_for(lang), martyr=True, after_colon=True
                )
                assert subject.endswith(": " + title), subject
                assert "\n" not in subject and "  " not in subject


@pytest.mark.parametrize(
    ("lang", "name", "subject", "first_line"),
    [
        (
            "ru",
            "Рашид Мамедов",
            "Завтра: шехид Рашид Мамедов\u00a0— 7-я годовщина со дня гибели",  # one line
            "Шехид Рашид Мамедов\u00a0— 7-я годовщина со дня гибели",
        ),
        (
            "az",
            "Rəşid Məmmədov",
            "Sabah: Şəhid Rəşid Məmmədovun şəhadətinin 7-ci ildönümü",
            "Şəhid Rəşid Məmmədovun şəhadətinin 7-ci ildönümü",
        ),
    ],
)
def test_a_martyrs_title_after_the_colon_of_a_subject(
    smtp_app: Flask, lang: str, name: str, subject: str, first_line: str
) -> None:
    """ru writes "шехид" in lower case after "Завтра:", and with a capital where the
    title opens the letter; az keeps "Şəhid" in both."""
    died = dt.date(2020, 10, 5)
    with smtp_app.app_context():
        composer = ReminderComposer(current_settings())
        data = load_days(db.session)
        person = RememberedPerson(
            name=name, died_on=died, born_on=None, counting="death-day", thursdays=False,
            day_slug="september-27", lead_days=[1],
        )  # fmt: skip
        names = {"az": "Anım Günü", "en": "Remembrance Day", "ru": "День памяти"}
        recipient = SimpleNamespace(email="family@example.org", lang=lang, timezone="Asia/Baku")
        item = next(
            i
            for i in remembrance_dates(died, "death-day", died, dt.date(2027, 12, 31), False)
            if i.occasion == "year-7"
        )
        due = dt.datetime.combine(item.date, dt.time(5)) - dt.timedelta(days=1)
        row = SimpleNamespace(
            id=1, memorial_day_id=None, remembered_id=1, occasion=item.occasion,
            year=item.date.year, message_id="<m.1@example.az>",
        )  # fmt: skip
        message = composer(row, recipient, TOKENS, data, due, Remembered(person, names))
        assert received_subject(message) == subject
        parsed = BytesParser(policy=policy.default).parsebytes(message.data)
        assert isinstance(parsed, EmailMessage)
        text = parsed.get_body(("plain",))
        assert text is not None
        assert text.get_content().lstrip().startswith(first_line + "\n")
