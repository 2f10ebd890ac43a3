"""E-mails sent at once from the remembrance pages: the confirmation and the manage link."""

from __future__ import annotations

import datetime as dt

from calendar_app.config import Settings
from calendar_app.data.models import Subscriber
from calendar_app.mail.builder import RawMessage
from calendar_app.mail.message import render_mail
from calendar_app.mail.transactional import link_message


def remember_link_message(
    kind: str, settings: Settings, subscriber: Subscriber, token: str, now: dt.datetime
) -> RawMessage:
    """``kind`` "confirm": the double opt-in link; "manage": the private page's link."""
    url = f"{settings.server.base_url}/remember/{kind}/{token}"
    rendered = render_mail(f"remember_{kind}", subscriber.lang, link_url=url)
    return link_message(settings, subscriber.email, rendered, now)
