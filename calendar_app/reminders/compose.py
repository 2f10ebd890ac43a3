"""The reminder e-mail for one outbox row, in the subscriber's language and zone.

Pure: the caller (dispatch) passes everything a message is made of: the row,
its subscriber, the manage token it issued for this message, and a snapshot of
the memorial days at one data version. Nothing here reads or writes the
database.

A composer lives for one dispatch run and builds what messages share only once:
per (day, year, language, data version) the observance's texts, the minute of
silence and the .ics attachment; per (those, days left, minute of silence in
the reader's zone) the letter: subject, bodies and headers with a slot where
each message's own manage token goes. Its MessageBuilder fills the rest in.
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
from calendar_app.core.ics import FeedDay, FeedOptions, day_page_url, feed_host, render_calendar
from calendar_app.core.observances import Observance, describe
from calendar_app.core.occurrences import occurrence_in_year
from calendar_app.core.verp import list_unsubscribe
from calendar_app.core.words import words_for
from calendar_app.core.zone_names import zone_label
from calendar_app.mail.builder import TOKEN_SLOT, Letter, MessageBuilder
from calendar_app.mail.message import Attachment, render_mail
from calendar_app.mail.prebuilt import RawMessage
from calendar_app.reminders.remembrance_mail import Remembered, remembrance_letter

MAX_CACHED = 256  # entries of each per-composer cache before it starts afresh

SharedKey = tuple[int, int, str, dt.datetime]  # day id, year, language, data version


class MomentTime(Protocol):
    """When a moment happens: a model row, or the copy a composer keeps."""

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


class ReminderRow(Protocol):
    """What composing reads of an outbox row."""

    @property
    def id(self) -> int: ...
    @property
    def memorial_day_id(self) -> int | None: ...
    @property
    def remembered_id(self) -> int | None: ...
    @property
    def occasion(self) -> str | None: ...
    @property
    def year(self) -> int: ...
    @property
    def message_id(self) -> str | None: ...


class Recipient(Protocol):
    """What composing reads of a subscriber."""

    @property
    def email(self) -> str: ...
    @property
    def lang(self) -> str: ...
    @property
    def timezone(self) -> str: ...


@dataclass(frozen=True)
class MomentCopy:
    local_time: dt.time
    timezone: str


@dataclass(frozen=True)
class SharedParts:
    """What every reminder about one (day, year) in one language has in common."""

    key: SharedKey
    slug: str
    observance: Observance
    silence: MomentCopy | None
    attachment: Attachment  # the .ics file


@dataclass(frozen=True)
class Silence:
    baku_time: str  # as the sentence needs it: "12:00", in Azerbaijani "12:00-da" ("at 12:00")
    local_time: str
    zone: str
    same_time: bool


LetterKey = tuple[SharedKey, int, Silence | None]  # shared parts, days left, minute of silence


def silence_for(moment: MomentTime, day: dt.date, zone_name: str, lang: str) -> Silence:
    """The minute of silence in its own zone and in the reader's (date added if it differs)."""
    origin = dt.datetime.combine(day, moment.local_time, tzinfo=ZoneInfo(moment.timezone))
    local = origin.astimezone(ZoneInfo(zone_name))
    local_text = local.strftime("%H:%M")
    if local.date() != day:
        local_text = f"{local_text}, {short_date(local.date(), lang)}"
    baku_time = origin.strftime("%H:%M")
    return Silence(
        baku_time=at_clock_time(baku_time) if lang == "az" else baku_time,
        local_time=local_text,
        zone=zone_label(zone_name, words_for(lang)),
        same_time=local.utcoffset() == origin.utcoffset(),
    )


def links(base_url: str, token: str) -> tuple[str, str]:
    """The manage page and the one-click unsubscribe address for a token."""
    return f"{base_url}/manage/{token}", f"{base_url}/unsubscribe/{token}"


def list_headers(base_url: str, token: str, bounce_domain: str) -> tuple[tuple[str, str], ...]:
    """RFC 2919 and RFC 8058 headers of every reminder: the list and its one-click exit."""
    _, unsubscribe_url = links(base_url, token)
    return (
        ("List-Id", f"Memorial day reminders <reminders.{feed_host(base_url)}>"),
        ("List-Unsubscribe", list_unsubscribe(unsubscribe_url, token, bounce_domain)),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    )


class ReminderComposer:
    """Builds the message for an outbox row from what the caller holds."""

    def __init__(self, settings: Settings, builder: MessageBuilder | None = None) -> None:
        self.settings = settings
        self.builder = builder or MessageBuilder(settings.mail.sender)
        self.shared: dict[SharedKey, SharedParts] = {}
        self.letters: dict[LetterKey, Letter] = {}

    def __call__(
        self,
        reminder: ReminderRow,
        subscriber: Recipient,
        token: str,
        data: DaySnapshot,
        now: dt.datetime,
        remembered: Remembered | None = None,
    ) -> RawMessage:
        """The message for ``reminder``, carrying ``token`` in its manage links.

        A family's own remembrance day (``reminder.remembered_id``) comes with what
        dispatch read of it (``remembered``); its letter is used once, never cached.
        """
        if reminder.message_id is None:
            raise LookupError(f"reminder {reminder.id} has no Message-ID")
        if reminder.remembered_id is not None:
            if remembered is None:
                raise LookupError(f"reminder {reminder.id} lost its person")
            letter = remembrance_letter(self.settings, reminder, subscriber, remembered, now)
            once = True
        else:
            letter, once = self.letter(reminder, subscriber, data, now), False
        return self.builder.build(
            letter,
            to=subscriber.email,
            message_id=reminder.message_id,
            date=now,
            values={TOKEN_SLOT: token},
            once=once,
        )

    def letter(
        self, reminder: ReminderRow, subscriber: Recipient, data: DaySnapshot, now: dt.datetime
    ) -> Letter:
        """What this reader's message shares with others: texts, headers, the .ics file."""
        parts = self.shared_parts(reminder, subscriber.lang, data)
        lang, zone, base_url = subscriber.lang, subscriber.timezone, self.settings.server.base_url
        occurrence_date = parts.observance.date
        local_today = now.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone)).date()
        days_left = max((occurrence_date - local_today).days, 0)
        silence = silence_for(parts.silence, occurrence_date, zone, lang) if parts.silence else None
        key = (parts.key, days_left, silence)
        letter = self.letters.get(key)
        if letter is None:
            if len(self.letters) >= MAX_CACHED:
                self.letters.clear()
            manage_url, _ = links(base_url, TOKEN_SLOT)
            rendered = render_mail(
                "reminder",
                lang,
                observance=parts.observance,
                days_left=days_left,
                silence=silence,
                day_url=day_page_url(base_url, parts.slug, lang),
                manage_url=manage_url,
            )
            headers = list_headers(base_url, TOKEN_SLOT, self.settings.mail.bounce_domain)
            letter = self.letters[key] = Letter(
                rendered, headers, (parts.attachment,), slots=(TOKEN_SLOT,)
            )
        return letter

    def shared_parts(self, reminder: ReminderRow, lang: str, data: DaySnapshot) -> SharedParts:
        if reminder.memorial_day_id is None:
            raise LookupError(f"reminder {reminder.id} is not about a memorial day")
        key = (reminder.memorial_day_id, reminder.year, lang, data.changed)
        parts = self.shared.get(key)
        if parts is None:
            if len(self.shared) >= MAX_CACHED:
                self.shared.clear()
            parts = self.shared[key] = self._build_shared(key, reminder, data)
        return parts

    def _build_shared(
        self, key: SharedKey, reminder: ReminderRow, data: DaySnapshot
    ) -> SharedParts:
        day_id, year, lang, data_changed = key
        day = data.days.get(day_id)
        if day is None:
            raise LookupError(f"reminder {reminder.id} is about a day the data does not hold")
        occurrence = occurrence_in_year(day, year)
        if occurrence is None:
            raise LookupError(f"{day.slug} has no occurrence in {year}")
        moment = next(
            (m for m in day.moments if m.kind == "minute-of-silence" and m.is_verified), None
        )
        ics = render_calendar(
            [day],
            FeedOptions(lang=lang, years_back=0, years_ahead=0, slug=day.slug),
            year=year,
            base_url=self.settings.server.base_url,
            data_changed=data_changed,
        )
        return SharedParts(
            key=key,
            slug=day.slug,
            observance=describe(occurrence, words_for(lang)),
            silence=MomentCopy(moment.local_time, moment.timezone) if moment else None,
            attachment=Attachment(f"{day.slug}-{year}.ics", ics, "text", "calendar"),
        )
