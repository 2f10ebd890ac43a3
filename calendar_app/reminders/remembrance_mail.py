"""The reminder e-mail of a family's own remembrance day, in the subscriber's language and zone.

Dispatch reads the person (and the memorial day their page links to) when the
message is composed, never earlier: an edit made after planning shows, and
nothing personal outlives the message. The row's occasion (day-40, year-5…)
and year say which day it is. Building the letter from what was read is pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from calendar_app.config import Settings
from calendar_app.core.dates import long_date
from calendar_app.core.ics import day_page_url
from calendar_app.core.remembrance import Remembrance, remembrance_dates, remembrance_title
from calendar_app.core.remembrance_ics import LinkedDay, describe_person
from calendar_app.core.words import words_for
from calendar_app.data import queries, share_queries
from calendar_app.data.models import RememberedPerson, Reminder
from calendar_app.data.queries import DbSession
from calendar_app.mail.builder import Letter
from calendar_app.mail.list_headers import list_headers
from calendar_app.mail.message import render_mail
from calendar_app.reminders.letter_inputs import LinkTokens, Recipient, ReminderRow


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


@dataclass(frozen=True)
class Remembered:
    """What a remembrance reminder is made of, read by dispatch just before composing."""

    person: RememberedPerson
    linked_day_names: Mapping[str, str] | None  # the linked memorial day's names, if any
    shared: bool = False  # the reader is a relative the family shares the name with


def load_remembered(session: DbSession, reminder: Reminder) -> Remembered | None:
    """The person the row is about, as they are now; None when they are gone, or when the
    reader is not the family and no confirmed share gives them the name any more."""
    if reminder.remembered_id is None:
        return None
    person = session.get(RememberedPerson, reminder.remembered_id)
    if person is None:
        return None
    shared = person.subscriber_id != reminder.subscriber_id
    if shared and not share_queries.is_shared_with(session, person.id, reminder.subscriber_id):
        return None
    day = queries.day_by_slug(session, person.day_slug) if person.day_slug else None
    return Remembered(person, dict(day.name) if day is not None else None, shared)


def remembrance_letter(
    settings: Settings,
    reminder: ReminderRow,
    subscriber: Recipient,
    remembered: Remembered,
    tokens: LinkTokens,
    now: dt.datetime,
) -> Letter:
    """The letter for this one message: its manage link carries ``tokens.manage``,
    its List-Unsubscribe ``tokens.unsubscribe``."""
    person = remembered.person
    item = occasion_in_year(person, reminder.occasion or "", reminder.year)
    if item is None:
        raise LookupError(f"reminder {reminder.id} lost its person, occasion or Message-ID")
    lang, base_url = subscriber.lang, settings.server.base_url
    linked = None
    if remembered.linked_day_names is not None and person.day_slug is not None:
        url = day_page_url(base_url, person.day_slug, lang)
        linked = LinkedDay(remembered.linked_day_names[lang], url)
    local_today = now.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(subscriber.timezone)).date()
    words = words_for(lang)
    rendered = render_mail(
        "remembrance",
        lang,
        title=remembrance_title(item, person.name, words, martyr=linked is not None),
        subject_title=remembrance_title(
            item, person.name, words, martyr=linked is not None, after_colon=True
        ),
        date_label=long_date(item.date, lang),
        days_left=max((item.date - local_today).days, 0),
        details=describe_person(person, words, linked, item).splitlines(),
        manage_url=f"{base_url}/remember/manage/{tokens.manage}",
        shared=remembered.shared,
    )
    headers = list_headers(base_url, tokens.unsubscribe, settings.mail.bounce_domain, lang)
    return Letter(rendered, headers)
