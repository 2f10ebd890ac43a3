"""The reminder e-mail of a family's own remembrance day, in the subscriber's language and zone.

Built from the outbox row when it is sent, never cached: the name and dates are
read fresh, so an edit made after planning shows, and nothing personal outlives
the message. The row's occasion (day-40, year-5…) and year say which day it is.
"""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from calendar_app.config import Settings
from calendar_app.core.dates import long_date
from calendar_app.core.ics import day_page_url
from calendar_app.core.remembrance import Remembrance, remembrance_dates, remembrance_title
from calendar_app.core.remembrance_ics import LinkedDay, describe_person
from calendar_app.data import queries
from calendar_app.data.models import RememberedPerson, Reminder, Subscriber
from calendar_app.data.queries import DbSession
from calendar_app.mail.message import build_message, render_mail


def occasion_in_year(person: RememberedPerson, occasion: str, year: int) -> Remembrance | None:
    """The observance ``occasion`` of ``person`` that falls in ``year``, if any."""
    items = remembrance_dates(
        person.died_on, person.counting, dt.date(year, 1, 1), dt.date(year, 12, 31), True
    )
    return next((item for item in items if item.occasion == occasion), None)


def linked_day(session: DbSession, slug: str | None, lang: str, base_url: str) -> LinkedDay | None:
    if slug is None:
        return None
    day = queries.day_by_slug(session, slug)
    if day is None:
        return None
    return LinkedDay(day.name[lang], day_page_url(base_url, slug, lang))


def remembrance_message(
    session: DbSession,
    settings: Settings,
    reminder: Reminder,
    subscriber: Subscriber,
    token: str,
    now: dt.datetime,
) -> EmailMessage:
    from calendar_app.reminders.compose import list_headers  # compose imports this module

    person = session.get(RememberedPerson, reminder.remembered_id)
    item = (
        occasion_in_year(person, reminder.occasion or "", reminder.year)
        if person is not None
        else None
    )
    if person is None or item is None or reminder.message_id is None:
        raise LookupError(f"reminder {reminder.id} lost its person, occasion or Message-ID")
    lang, base_url = subscriber.lang, settings.server.base_url
    local_today = now.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(subscriber.timezone)).date()
    rendered = render_mail(
        "remembrance",
        lang,
        title=remembrance_title(item, person.name, lang),
        date_label=long_date(item.date, lang),
        days_left=max((item.date - local_today).days, 0),
        details=describe_person(
            person, lang, linked_day(session, person.day_slug, lang, base_url)
        ).splitlines(),
        manage_url=f"{base_url}/remember/manage/{token}",
    )
    return build_message(
        rendered=rendered,
        sender=settings.mail.sender,
        to=subscriber.email,
        message_id=reminder.message_id,
        date=now,
        headers=list_headers(base_url, token, settings.mail.bounce_domain),
    )
