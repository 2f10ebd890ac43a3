"""The reminder e-mail for one outbox row, in the subscriber's language and zone.

A composer lives for one dispatch run and builds what messages share only once:
per (day, year, language, data version) the observance's texts, the minute of
silence and the .ics attachment's MIME part; per (those, days left, minute of
silence in the reader's zone) the rendered subject and bodies, with a slot where
each message's own manage token goes. Per message remain the token, the
headers and the MIME assembly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from calendar_app.config import Settings
from calendar_app.core.azerbaijani import at_clock_time
from calendar_app.core.dates import short_date
from calendar_app.core.ics import FeedOptions, feed_host, render_calendar
from calendar_app.core.observances import Observance, describe
from calendar_app.core.occurrences import occurrence_in_year
from calendar_app.core.verp import list_unsubscribe
from calendar_app.data import queries
from calendar_app.data.models import MemorialDay, Reminder, Subscriber
from calendar_app.data.queries import DbSession
from calendar_app.data.statuses import TokenPurpose
from calendar_app.mail.message import RenderedMail, build_message, render_mail, sender_address
from calendar_app.mail.prebuilt import MessageTemplate, RawMessage
from calendar_app.reminders.remembrance_mail import remembrance_message
from calendar_app.reminders.subscriptions import issue_token

MAX_CACHED = 256  # entries of each per-composer cache before it starts afresh
DATA_VERSION_SECONDS = 2.0  # as the feeds: a data load shows in reminders within 2 seconds
# Stands for each message's own manage token in cached texts; URL-safe, so it stays verbatim
# through the templates. Not a secret.
TOKEN_SLOT = "manage-token-slot-9c41e7"  # nosec B105
# The other values a prebuilt message leaves open (see calendar_app/mail/prebuilt.py).
TO_SLOT = "to-slot-5e0d@example.invalid"
MESSAGE_ID_SLOT = "<message-id-slot-5e0d@example.invalid>"
DATE_SLOT_TIME = dt.datetime(1999, 12, 31, 23, 59, 59)
DATE_SLOT = format_datetime(DATE_SLOT_TIME.replace(tzinfo=dt.UTC))
# Addresses the email package writes as they are ("To: address"); others take the slow way.
PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
)

SharedKey = tuple[int, int, str, dt.datetime]  # day id, year, language, data version


class MomentTime(Protocol):
    """When a moment happens: a model row, or the copy a composer keeps."""

    @property
    def local_time(self) -> dt.time: ...
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
    attachment: EmailMessage  # the .ics part; attached to every message, never modified


@dataclass(frozen=True)
class Silence:
    baku_time: str  # as the sentence needs it: "12:00", in Azerbaijani "12:00-da" ("at 12:00")
    local_time: str
    zone: str
    same_time: bool


TextKey = tuple[SharedKey, int, Silence | None]  # shared parts, days left, minute of silence


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
        zone=zone_name,
        same_time=local.utcoffset() == origin.utcoffset(),
    )


def links(base_url: str, token: str) -> tuple[str, str]:
    """The manage page and the one-click unsubscribe address for a token."""
    return f"{base_url}/manage/{token}", f"{base_url}/unsubscribe/{token}"


def list_headers(base_url: str, token: str, bounce_domain: str) -> dict[str, str]:
    """RFC 2919 and RFC 8058 headers of every reminder: the list and its one-click exit."""
    _, unsubscribe_url = links(base_url, token)
    return {
        "List-Id": f"Memorial day reminders <reminders.{feed_host(base_url)}>",
        "List-Unsubscribe": list_unsubscribe(unsubscribe_url, token, bounce_domain),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


class ReminderComposer:
    """Builds the message for an outbox row; issues the manage token it carries."""

    def __init__(self, session: DbSession, settings: Settings, prebuilt: bool = True) -> None:
        self.session = session
        self.settings = settings
        self.prebuilt = prebuilt  # False: build every message the ordinary way
        self.shared: dict[SharedKey, SharedParts] = {}
        self.texts: dict[TextKey, RenderedMail] = {}
        self.templates: dict[TextKey, MessageTemplate] = {}
        self.data_version: tuple[float, dt.datetime] | None = None  # (read at, version)

    def __call__(self, reminder: Reminder, now: dt.datetime) -> EmailMessage | RawMessage:
        subscriber = self.session.get(Subscriber, reminder.subscriber_id)
        if subscriber is None or reminder.message_id is None:
            raise LookupError(f"reminder {reminder.id} lost its subscriber, day or Message-ID")
        if reminder.remembered_id is not None:  # a family's own day: one message, no cache
            token = issue_token(self.session, subscriber, TokenPurpose.MANAGE, now, flush=False)
            return remembrance_message(
                self.session, self.settings, reminder, subscriber, token, now
            )
        parts = self.shared_parts(reminder, subscriber.lang, self._data_changed(now))
        # Stored by the caller's commit: a batch's tokens go in one INSERT, before any send.
        token = issue_token(self.session, subscriber, TokenPurpose.MANAGE, now, flush=False)
        key, rendered = self._rendered(parts, subscriber, now)
        if self.prebuilt and PLAIN_ADDRESS.fullmatch(subscriber.email):
            values = {
                TO_SLOT: subscriber.email,
                DATE_SLOT: format_datetime(now.replace(tzinfo=dt.UTC)),
                MESSAGE_ID_SLOT: reminder.message_id,
                TOKEN_SLOT: token,
            }
            with contextlib.suppress(ValueError):  # a value a header cannot take as it is
                return RawMessage(
                    sender=sender_address(self.settings.mail.sender),
                    recipients=(subscriber.email,),
                    data=self._template(key, parts, rendered).fill(values),
                    message_id=reminder.message_id,
                )
        return self._message(parts, rendered, subscriber.email, reminder.message_id, now, token)

    def _message(
        self,
        parts: SharedParts,
        rendered: RenderedMail,
        to: str,
        message_id: str,
        date: dt.datetime,
        token: str,
    ) -> EmailMessage:
        """The message built the ordinary way, with ``token`` in the slot's place."""
        base_url = self.settings.server.base_url
        message = build_message(
            rendered=RenderedMail(
                rendered.subject,
                rendered.text.replace(TOKEN_SLOT, token),
                rendered.html.replace(TOKEN_SLOT, token),
            ),
            sender=self.settings.mail.sender,
            to=to,
            message_id=message_id,
            date=date,
            headers=list_headers(base_url, token, self.settings.mail.bounce_domain),
            body_cte="base64",  # 7-bit clean, and what the prebuilt template re-encodes
        )
        message.make_mixed()  # what add_attachment does, with the part built once
        message.attach(parts.attachment)
        return message

    def _template(
        self, key: TextKey, parts: SharedParts, rendered: RenderedMail
    ) -> MessageTemplate:
        """The message for these texts with slots for what differs per recipient."""
        template = self.templates.get(key)
        if template is None:
            if len(self.templates) >= MAX_CACHED:
                self.templates.clear()
            slotted = self._message(
                parts, rendered, TO_SLOT, MESSAGE_ID_SLOT, DATE_SLOT_TIME, TOKEN_SLOT
            )
            template = self.templates[key] = MessageTemplate.of(
                slotted,
                slots=(TO_SLOT, DATE_SLOT, MESSAGE_ID_SLOT, TOKEN_SLOT),
                bodies=(rendered.text, rendered.html),
            )
        return template

    def shared_parts(self, reminder: Reminder, lang: str, data_changed: dt.datetime) -> SharedParts:
        if reminder.memorial_day_id is None:
            raise LookupError(f"reminder {reminder.id} is not about a memorial day")
        key = (reminder.memorial_day_id, reminder.year, lang, data_changed)
        parts = self.shared.get(key)
        if parts is None:
            if len(self.shared) >= MAX_CACHED:
                self.shared.clear()
            parts = self.shared[key] = self._build_shared(key, reminder)
        return parts

    def _data_changed(self, now: dt.datetime) -> dt.datetime:
        """The data version, read at most every DATA_VERSION_SECONDS."""
        clock = time.monotonic()
        if self.data_version is None or clock - self.data_version[0] >= DATA_VERSION_SECONDS:
            state = queries.data_state(self.session)
            if state is None:
                return now
            self.data_version = (clock, state.changed_dt)
        return self.data_version[1]

    def _rendered(
        self, parts: SharedParts, subscriber: Subscriber, now: dt.datetime
    ) -> tuple[TextKey, RenderedMail]:
        """Subject and bodies for this reader, with TOKEN_SLOT for the manage token."""
        lang, zone, base_url = subscriber.lang, subscriber.timezone, self.settings.server.base_url
        occurrence_date = parts.observance.date
        local_today = now.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone)).date()
        days_left = max((occurrence_date - local_today).days, 0)
        silence = silence_for(parts.silence, occurrence_date, zone, lang) if parts.silence else None
        key = (parts.key, days_left, silence)
        rendered = self.texts.get(key)
        if rendered is None:
            if len(self.texts) >= MAX_CACHED:
                self.texts.clear()
            rendered = self.texts[key] = render_mail(
                "reminder",
                lang,
                observance=parts.observance,
                days_left=days_left,
                silence=silence,
                day_url=f"{base_url}/days/{parts.slug}?lang={lang}",
                manage_url=links(base_url, TOKEN_SLOT)[0],
            )
        return key, rendered

    def _build_shared(self, key: SharedKey, reminder: Reminder) -> SharedParts:
        day_id, year, lang, data_changed = key
        day = self.session.get(MemorialDay, day_id)
        if day is None:
            raise LookupError(f"reminder {reminder.id} lost its subscriber, day or Message-ID")
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
        attachment = EmailMessage()
        attachment.set_content(ics, "text", "calendar", filename=f"{day.slug}-{year}.ics")
        return SharedParts(
            key=key,
            slug=day.slug,
            observance=describe(occurrence, lang),
            silence=MomentCopy(moment.local_time, moment.timezone) if moment else None,
            attachment=attachment,
        )
