"""After a gap in sending, and right after confirming: each day's reminder reads right, once."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Flask

from calendar_app.data.models import RememberedPerson, Reminder
from calendar_app.extensions import db
from calendar_app.reminders import remembrance
from calendar_app.reminders.subscriptions import Preferences, confirm, sign_up
from tests.support.outbox import tick
from tests.support.smtp_sink import SmtpSink

SIGNUP = dt.datetime(2026, 12, 1, 10, 0)


def test_after_a_gap_only_the_nearest_reminder_of_a_day_goes_the_rest_are_superseded(
    smtp_app: Flask, smtp_sink: SmtpSink
) -> None:
    with smtp_app.app_context():
        prefs = Preferences("az", "Asia/Baku", ("january-20",), (7, 1, 0), 9)
        signup = sign_up(db.session, "leyla@example.org", prefs, SIGNUP)
        confirm(db.session, signup.token, SIGNUP)
        db.session.commit()
    tick(smtp_app, dt.datetime(2027, 1, 1))  # planned; then nothing ran until the day itself
    report = tick(smtp_app, dt.datetime(2027, 1, 20, 6, 0))  # 10:00 in Baku on 20 January
    assert "1 sent" in report and "2 superseded" in report
    (only,) = smtp_sink.messages
    assert only["Subject"].startswith("Bu gün")
    with smtp_app.app_context():
        rows = db.session.execute(sa.select(Reminder.lead_days, Reminder.status)).all()
    assert sorted(rows) == [(0, "sent"), (1, "superseded"), (7, "superseded")]
    assert "nothing due" in tick(smtp_app, dt.datetime(2027, 1, 20, 7, 0))


def test_a_family_confirming_after_the_hour_gets_tomorrows_third_day_at_once(
    smtp_app: Flask, smtp_sink: SmtpSink
) -> None:
    """Died 18 January: the 3rd day is the 20th. Confirmed at 08:11 on the 19th, hour 07:00."""
    confirmed = dt.datetime(2027, 1, 19, 4, 11)  # 08:11 in Baku
    with smtp_app.app_context():
        contact = remembrance.Contact("en", "Asia/Baku", 7)
        entry = remembrance.Entry(
            "Anar", dt.date(2027, 1, 18), None, "death-day", False, None, (1,)
        )
        signup = remembrance.sign_up(
            db.session, "leyla@example.org", contact, [entry], "k" * 32, confirmed
        )
        assert remembrance.confirm(db.session, signup.token, confirmed) is not None
        db.session.commit()
    assert "1 sent" in tick(smtp_app, confirmed + dt.timedelta(minutes=1))
    (tomorrow,) = smtp_sink.messages
    assert "3rd day" in tomorrow["Subject"] and tomorrow["Subject"].startswith("Tomorrow")


def test_a_reminder_missed_before_confirming_is_not_sent_when_a_nearer_one_will_say_it(
    smtp_app: Flask, smtp_sink: SmtpSink
) -> None:
    """Died 3 January, entered at 08:00 that day with 7 and 1 days before and a 09:00 hour.

    The 7-day reminders of the 3rd day (5 January) and the 7th (9 January) fell
    due before confirming; the 1-day ones are still to come and say it. The
    dispatch after confirming runs the next morning before the hour (a gap).
    """
    confirmed = dt.datetime(2027, 1, 3, 4, 0)  # 08:00 in Baku
    with smtp_app.app_context():
        contact = remembrance.Contact("en", "Asia/Baku", 9)
        entry = remembrance.Entry(
            "Anar", dt.date(2027, 1, 3), None, "death-day", False, None, (7, 1)
        )
        signup = remembrance.sign_up(
            db.session, "leyla@example.org", contact, [entry], "k" * 32, confirmed
        )
        assert remembrance.confirm(db.session, signup.token, confirmed) is not None
        db.session.commit()
    for baku in ((1, 4, 8, 30), (1, 4, 9, 1), (1, 8, 9, 1), (1, 9, 9, 1)):
        tick(smtp_app, dt.datetime(2027, *baku) - dt.timedelta(hours=4))
    subjects = sorted(str(message["Subject"]) for message in smtp_sink.messages)
    # one e-mail per day and "days left", sent at 09:00 on the day before
    assert subjects == [
        "Tomorrow: 3rd day after the death of Anar",
        "Tomorrow: 7th day after the death of Anar",
    ]


def test_strangers_signing_up_a_family_address_do_not_lock_the_family_out(
    smtp_app: Flask,
) -> None:
    """Seven sign-ups of three names each with someone else's address: 21 unconfirmed names."""
    now = SIGNUP
    contact = remembrance.Contact("en", "Asia/Baku", 9)
    entry = remembrance.Entry("X", dt.date(2020, 1, 1), None, "death-day", False, None, (0,))
    with smtp_app.app_context():
        for n in range(7):
            remembrance.sign_up(
                db.session, "leyla@example.org", contact, [entry] * 3, "k" * 32,
                now + dt.timedelta(minutes=n),
            )  # fmt: skip
        db.session.commit()
        family = remembrance.sign_up(
            db.session, "leyla@example.org", contact, [entry] * 3, "k" * 32,
            now + dt.timedelta(hours=1),
        )  # fmt: skip
        assert remembrance.confirm(db.session, family.token, now + dt.timedelta(hours=2))
        db.session.commit()
        people = db.session.execute(
            sa.select(RememberedPerson.status, sa.func.count()).group_by(RememberedPerson.status)
        ).all()
    counts = dict(people)
    assert counts["active"] == 3  # the family's own names
    assert counts["pending"] <= remembrance.MAX_PENDING_PEOPLE
