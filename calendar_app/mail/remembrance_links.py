"""E-mails sent at once from the remembrance pages: the confirmation and the manage link."""

from __future__ import annotations

import datetime as dt
from email.utils import make_msgid

from calendar_app.config import Settings
from calendar_app.core.ics import feed_host
from calendar_app.data.models import Subscriber
from calendar_app.mail.builder import TOKEN_SLOT, Letter, MessageBuilder
from calendar_app.mail.message import render_mail
from calendar_app.mail.prebuilt import RawMessage


def remember_link_message(
    kind: str, settings: Settings, subscriber: Subscriber, token: str, now: dt.datetime
) -> RawMessage:
    """``kind`` "confirm": the double opt-in link; "manage": the private page's link."""
    url = f"{settings.server.base_url}/remember/{kind}/{TOKEN_SLOT}"
    rendered = render_mail(f"remember_{kind}", subscriber.lang, link_url=url)
    return MessageBuilder(settings.mail.sender).build(
        Letter(rendered, slots=(TOKEN_SLOT,)),
        to=subscriber.email,
        message_id=make_msgid(domain=feed_host(settings.server.base_url)),
        date=now,
        values={TOKEN_SLOT: token},
    )
