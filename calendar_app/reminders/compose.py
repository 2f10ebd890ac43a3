"""The reminder e-mail for one outbox row, in the subscriber's language and zone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import quote
from zoneinfo import ZoneInfo

from calendar_app import queries
from calendar_app.config import Settings
from calendar_app.dates import short_date
from calendar_app.ics import FeedOptions, feed_host, render_calendar
from calendar_app.mail.message import Attachment, build_message, render_mail, sender_address
from calendar_app.models import MemorialDay, Moment, Reminder, Subscriber
from calendar_app.observances import describe
from calendar_app.occurrences import occurrence_in_year
from calendar_app.queries import DbSession
from calendar_app.subscriptions import issue_token


@dataclass(frozen=True)
class Silence:
    baku_time: str
    local_time: str
    zone: str
    same_time: bool


def silence_for(moment: Moment, day: dt.date, zone_name: str, lang: str) -> Silence:
    """The minute of silence in its own zone and in the reader's (date added if it differs)."""
    origin = dt.datetime.combine(day, moment.local_time, tzinfo=ZoneInfo(moment.timezone))
    local = origin.astimezone(ZoneInfo(zone_name))
    local_text = local.strftime("%H:%M")
    if local.date() != day:
        local_text = f"{local_text}, {short_date(local.date(), lang)}"
    return Silence(
        baku_time=origin.strftime("%H:%M"),
        local_time=local_text,
        zone=zone_name,
        same_time=local.utcoffset() == origin.utcoffset(),
    )


def links(base_url: str, token: str) -> tuple[str, str]:
    """The manage page and the one-click unsubscribe address for a token."""
    return f"{base_url}/manage/{token}", f"{base_url}/unsubscribe/{token}"


class ReminderComposer:
    """Builds the message for an outbox row; issues the manage token it carries."""

    def __init__(self, session: DbSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    def __call__(self, reminder: Reminder, now: dt.datetime) -> EmailMessage:
        subscriber = self.session.get(Subscriber, reminder.subscriber_id)
        day = self.session.get(MemorialDay, reminder.memorial_day_id)
        if subscriber is None or day is None or reminder.message_id is None:
            raise LookupError(f"reminder {reminder.id} lost its subscriber, day or Message-ID")
        occurrence = occurrence_in_year(day, reminder.year)
        if occurrence is None:
            raise LookupError(f"{day.slug} has no occurrence in {reminder.year}")
        lang, base_url = subscriber.lang, self.settings.server.base_url
        observance = describe(occurrence, lang)
        zone = ZoneInfo(subscriber.timezone)
        local_today = now.replace(tzinfo=dt.UTC).astimezone(zone).date()
        token = issue_token(self.session, subscriber, "manage", now)
        manage_url, unsubscribe_url = links(base_url, token)
        moment = next(
            (m for m in day.moments if m.kind == "minute-of-silence" and m.is_verified), None
        )
        rendered = render_mail(
            "reminder",
            lang,
            observance=observance,
            days_left=max((occurrence.date - local_today).days, 0),
            silence=silence_for(moment, occurrence.date, subscriber.timezone, lang)
            if moment
            else None,
            day_url=f"{base_url}/days/{day.slug}?lang={lang}",
            manage_url=manage_url,
        )
        state = queries.data_state(self.session)
        ics = render_calendar(
            [day],
            FeedOptions(lang=lang, years_back=0, years_ahead=0, slug=day.slug),
            year=reminder.year,
            base_url=base_url,
            data_changed=state.changed_dt if state else now,
        )
        mailbox = sender_address(self.settings.mail.sender)
        host = feed_host(base_url)
        return build_message(
            rendered=rendered,
            sender=self.settings.mail.sender,
            to=subscriber.email,
            message_id=reminder.message_id,
            date=now,
            headers={
                "List-Id": f"Memorial day reminders <reminders.{host}>",
                "List-Unsubscribe": (
                    f"<{unsubscribe_url}>, <mailto:{mailbox}?subject="
                    f"{quote('unsubscribe ' + token)}>"
                ),
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
            attachments=[Attachment(f"{day.slug}-{reminder.year}.ics", ics, "text", "calendar")],
        )
