"""E-mails sent at once from the remembrance pages: the confirmation and the manage link."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from email.utils import make_msgid

from calendar_app.config import Settings
from calendar_app.core.ics import feed_host
from calendar_app.data.models import Subscriber
from calendar_app.mail.message import build_message, render_mail


def remember_link_message(
    kind: str, settings: Settings, subscriber: Subscriber, token: str, now: dt.datetime
) -> EmailMessage:
    """``kind`` "confirm": the double opt-in link; "manage": the private page's link."""
    url = f"{settings.server.base_url}/remember/{kind}/{token}"
    rendered = render_mail(f"remember_{kind}", subscriber.lang, link_url=url)
    return build_message(
        rendered=rendered,
        sender=settings.mail.sender,
        to=subscriber.email,
        message_id=make_msgid(domain=feed_host(settings.server.base_url)),
        date=now,
    )
