"""The reminder e-mail for one outbox row, in the subscriber's language and zone.

Pure: the caller (dispatch) passes everything a message is made of: the row,
its subscriber, the tokens it issued for this message (the manage link's, and
the List-Unsubscribe header's, which can only unsubscribe), and a snapshot of
the memorial days at one data version. Nothing here reads or writes the
database. Each message is built whole: texts, headers and the day's .ics file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from calendar_app.config import Settings
from calendar_app.core.azerbaijani import at_clock_time
from calendar_app.core.dates import short_date
from calendar_app.core.ics import (
    FeedDay,
    FeedOptions,
    day_page_url,
    minute_of_silence,
    render_calendar,
)
from calendar_app.core.observances import describe
from calendar_app.core.occurrences import occurrence_in_year
from calendar_app.core.words import words_for
from calendar_app.core.zone_names import zone_label
from calendar_app.mail.builder import Letter, MessageBuilder, RawMessage
from calendar_app.mail.list_headers import list_headers
from calendar_app.mail.message import Attachment, render_mail
from calendar_app.reminders.letter_inputs import LinkTokens, Recipient, ReminderRow
from calendar_app.reminders.remembrance_mail import Remembered, remembrance_letter


class MomentTime(Protocol):
    """When a moment happens."""

    @property
    def local_time(self) -> dt.time: ...
    @property
    def timezone(self) -> str: ...


class MailDay(FeedDay, Protocol):
    """A memorial day as a reminder needs it (a model row with its records loaded)."""

    @property
    def id(self) -> int: ...


@dataclass(frozen=True)
class DaySnapshot:
    """The memorial days at one data version: what composing reads instead of the database."""

    changed: dt.datetime  # the data version (naive UTC)
    days: Mapping[int, MailDay]  # by database id, records loaded


@dataclass(frozen=True)
class Silence:
    baku_time: str  # as the sentence needs it: "12:00", in Azerbaijani "12:00-da" ("at 12:00")
    local_time: str
    zone: str
    same_time: bool


def silence_for(moment: MomentTime, day: dt.date, zone_name: str, lang: str) -> Silence:
    """The minute of silence in its own zone and in the reader's (date added if it differs)."""
    origin = dt.datetime.combine(day, moment.local_time, tzinfo=ZoneInfo(moment.timezone))
    local = origin.astimezone(ZoneInfo(zone_name))
    words = words_for(lang)
    clock = local.strftime("%H:%M")
    if local.date() != day:  # word order is the language's: az "19 yanvar 2027, saat 22:00"
        date = short_date(local.date(), lang)
        local_text = words.pgettext("date and time", "{time}, {date}", time=clock, date=date)
    else:  # az "saat 03:00"
        local_text = words.pgettext("clock time", "{time}", time=clock)
    baku_time = origin.strftime("%H:%M")
    return Silence(
        baku_time=at_clock_time(baku_time) if lang == "az" else baku_time,
        local_time=local_text,
        zone=zone_label(zone_name, words),
        same_time=local.utcoffset() == origin.utcoffset(),
    )


class ReminderComposer:
    """Builds the message for an outbox row from what the caller holds."""

    def __init__(self, settings: Settings, builder: MessageBuilder | None = None) -> None:
        self.settings = settings
        self.builder = builder or MessageBuilder(settings.mail.sender)

    def __call__(
        self,
        reminder: ReminderRow,
        subscriber: Recipient,
        tokens: LinkTokens,
        data: DaySnapshot,
        now: dt.datetime,
        remembered: Remembered | None = None,
    ) -> RawMessage:
        """The message for ``reminder``, carrying ``tokens`` in its links and headers.

        A family's own remembrance day (``reminder.remembered_id``) comes with what
        dispatch read of it (``remembered``).
        """
        if reminder.message_id is None:
            raise LookupError(f"reminder {reminder.id} has no Message-ID")
        if reminder.remembered_id is not None:
            if remembered is None:
                raise LookupError(f"reminder {reminder.id} lost its person")
            letter = remembrance_letter(
                self.settings, reminder, subscriber, remembered, tokens, now
            )
        else:
            letter = self.letter(reminder, subscriber, tokens, data, now)
        return self.builder.build(
            letter, to=subscriber.email, message_id=reminder.message_id, date=now
        )

    def letter(
        self,
        reminder: ReminderRow,
        subscriber: Recipient,
        tokens: LinkTokens,
        data: DaySnapshot,
        now: dt.datetime,
    ) -> Letter:
        """This reader's message: texts, headers, the .ics file of the day."""
        if reminder.memorial_day_id is None:
            raise LookupError(f"reminder {reminder.id} is not about a memorial day")
        day = data.days.get(reminder.memorial_day_id)
        if day is None:
            raise LookupError(f"reminder {reminder.id} is about a day the data does not hold")
        occurrence = occurrence_in_year(day, reminder.year)
        if occurrence is None:
            raise LookupError(f"{day.slug} has no occurrence in {reminder.year}")
        lang, zone, base_url = subscriber.lang, subscriber.timezone, self.settings.server.base_url
        observance = describe(occurrence, words_for(lang))
        local_today = now.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone)).date()
        moment = minute_of_silence(day)
        rendered = render_mail(
            "reminder",
            lang,
            observance=observance,
            days_left=max((observance.date - local_today).days, 0),
            silence=silence_for(moment, observance.date, zone, lang) if moment else None,
            day_url=day_page_url(base_url, day.slug, lang),
            manage_url=f"{base_url}/manage/{tokens.manage}",
        )
        headers = list_headers(base_url, tokens.unsubscribe, self.settings.mail.bounce_domain, lang)
        return Letter(rendered, headers, (self.attachment(day, reminder.year, lang, data),))

    def attachment(self, day: MailDay, year: int, lang: str, data: DaySnapshot) -> Attachment:
        """The day's observance in ``year`` as an .ics file."""
        ics = render_calendar(
            [day],
            FeedOptions(lang=lang, years_back=0, years_ahead=0, slug=day.slug),
            year=year,
            base_url=self.settings.server.base_url,
            data_changed=data.changed,
        )
        return Attachment(f"{day.slug}-{year}.ics", ics, "text", "calendar")
