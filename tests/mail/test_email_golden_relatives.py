"""The relatives' e-mails, byte for byte against reviewed golden files, in three languages:
the invitation (names only, no word of who sends it, no free text), the private page's
link after accepting, and a reminder of a shared name with its own footer.

After checking a diff, rewrite the snapshots with:

    .venv/bin/pytest -n 0 tests/mail/test_email_golden_relatives.py --snapshot-update
"""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from syrupy.assertion import SnapshotAssertion

from calendar_app.app_settings import current_settings
from calendar_app.data.models import RememberedPerson, Reminder
from calendar_app.extensions import db
from calendar_app.mail.transactional import invitation_message, remember_link_message
from calendar_app.reminders.compose import ReminderComposer
from calendar_app.reminders.dispatch import load_days
from calendar_app.reminders.letter_inputs import LinkTokens
from calendar_app.reminders.remembrance_mail import Remembered
from tests.mail.test_email_golden import NOW, check, subscriber, with_golden_id


@pytest.mark.parametrize("lang", ["az", "en", "ru"])
def test_invitation(smtp_app: Flask, lang: str, snapshot: SnapshotAssertion) -> None:
    with smtp_app.app_context():
        message = invitation_message(
            current_settings(), "relative@example.org", lang, ["Anar", "Aygün Məmmədova"],
            "x" * 43, NOW,
        )  # fmt: skip
        check(snapshot, with_golden_id(message))


@pytest.mark.parametrize("lang", ["az", "en", "ru"])
def test_private_page_after_accepting(
    smtp_app: Flask, lang: str, snapshot: SnapshotAssertion
) -> None:
    with smtp_app.app_context():
        person = subscriber(lang)
        message = remember_link_message(
            "manage", current_settings(), person, "x" * 43, NOW, template="remember_shared"
        )
        check(snapshot, with_golden_id(message))


@pytest.mark.parametrize("lang", ["az", "en", "ru"])
def test_reminder_of_a_shared_name(smtp_app: Flask, lang: str, snapshot: SnapshotAssertion) -> None:
    with smtp_app.app_context():
        owner, reader = subscriber("az"), subscriber(lang if lang != "az" else "en")
        reader.lang = lang
        person = RememberedPerson(
            subscriber_id=owner.id, name="Anar", died_on=dt.date(2026, 12, 11), born_on=None,
            counting="death-day", thursdays=False, day_slug=None, lead_days=[1],
            status="active", feed_salt="s" * 64, feed_hash="h" * 64, created_dt=NOW,
            changed_dt=NOW,
        )  # fmt: skip
        db.session.add(person)
        db.session.flush()
        reminder = Reminder(
            subscriber_id=reader.id, memorial_day_id=None, remembered_id=person.id,
            occasion="day-40", year=2027, lead_days=1, due_dt=NOW,
            deadline_dt=NOW + dt.timedelta(days=1), status="sending", attempts=0,
            next_attempt_dt=NOW, created_dt=NOW,
            message_id="<reminder.1.golden@calendar.example.az>",
        )  # fmt: skip
        db.session.add(reminder)
        db.session.flush()
        composed = ReminderComposer(current_settings())(
            reminder, reader, LinkTokens("t" * 43, "u" * 43), load_days(db.session), NOW,
            Remembered(person, None, shared=True),
        )  # fmt: skip
        message = composed.parsed()
        text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert "reader.az@example.org" not in text  # the family's address never shows
        check(snapshot, message)
