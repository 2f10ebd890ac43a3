"""E-mails sent at once, from a request: the confirmation, the manage link, the welcome."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from email.utils import make_msgid
from typing import Any

from calendar_app.config import Settings
from calendar_app.core.dates import long_date
from calendar_app.core.first_reminder import first_reminder
from calendar_app.core.ics import feed_host
from calendar_app.data.models import MemorialDay, Subscriber
from calendar_app.data.statuses import TokenPurpose
from calendar_app.mail.backends import backend_from_settings
from calendar_app.mail.builder import TOKEN_SLOT, Letter, MessageBuilder
from calendar_app.mail.message import render_mail
from calendar_app.mail.prebuilt import RawMessage


def confirmation_message(
    settings: Settings, subscriber: Subscriber, token: str, now: dt.datetime
) -> RawMessage:
    """The double opt-in e-mail: a link to the page whose button confirms."""
    return _link_message(TokenPurpose.CONFIRM, settings, subscriber, token, now)


def manage_message(
    settings: Settings, subscriber: Subscriber, token: str, now: dt.datetime
) -> RawMessage:
    """The link to manage an existing subscription (asked for again, or replaced)."""
    return _link_message(TokenPurpose.MANAGE, settings, subscriber, token, now)


def welcome_message(
    settings: Settings,
    subscriber: Subscriber,
    token: str,
    days: Sequence[MemorialDay],
    now: dt.datetime,
) -> RawMessage:
    """After confirming: what the reminders will be, when the first comes, the manage link.

    ``days`` are the active memorial days in calendar order; ``now`` is naive UTC.
    """
    lang = subscriber.lang
    first = first_reminder(subscriber, days, now, lang)
    return _link_message(
        "welcome",
        settings,
        subscriber,
        token,
        now,
        day_names=[d.name[lang] for d in days if d.slug in subscriber.day_slugs],
        leads=sorted(subscriber.lead_days, reverse=True),
        send_time=f"{subscriber.send_hour:02d}:00",
        zone=subscriber.timezone,
        first=first,
        first_date=long_date(first.arrives.date(), lang) if first else None,
        first_time=first.arrives.strftime("%H:%M") if first else None,
    )


def _link_message(
    kind: str,
    settings: Settings,
    subscriber: Subscriber,
    token: str,
    now: dt.datetime,
    **context: Any,
) -> RawMessage:
    """``kind`` names the template; the link confirms, or else manages."""
    path = TokenPurpose.CONFIRM if kind == TokenPurpose.CONFIRM else TokenPurpose.MANAGE
    url = f"{settings.server.base_url}/{path}/{TOKEN_SLOT}"
    rendered = render_mail(kind, subscriber.lang, **{f"{path}_url": url}, **context)
    return MessageBuilder(settings.mail.sender).build(
        Letter(rendered, slots=(TOKEN_SLOT,)),
        to=subscriber.email,
        message_id=make_msgid(domain=feed_host(settings.server.base_url)),
        date=now,
        values={TOKEN_SLOT: token},
    )


def send_now(settings: Settings, message: RawMessage) -> None:
    """Deliver one message; raises MailError when it cannot."""
    with backend_from_settings(settings.mail).connect() as connection:
        connection.send(message)
