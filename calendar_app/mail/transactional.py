"""E-mails sent at once, from a request: the confirmation and the manage link."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from email.utils import make_msgid

from calendar_app.config import Settings
from calendar_app.core.ics import feed_host
from calendar_app.data.models import Subscriber
from calendar_app.data.statuses import TokenPurpose
from calendar_app.mail.backends import backend_from_settings
from calendar_app.mail.message import build_message, render_mail


def confirmation_message(
    settings: Settings, subscriber: Subscriber, token: str, now: dt.datetime
) -> EmailMessage:
    """The double opt-in e-mail: a link to the page whose button confirms."""
    return _link_message(TokenPurpose.CONFIRM, settings, subscriber, token, now)


def manage_message(
    settings: Settings, subscriber: Subscriber, token: str, now: dt.datetime
) -> EmailMessage:
    """The link to manage an existing subscription."""
    return _link_message(TokenPurpose.MANAGE, settings, subscriber, token, now)


def _link_message(
    kind: str, settings: Settings, subscriber: Subscriber, token: str, now: dt.datetime
) -> EmailMessage:
    url = f"{settings.server.base_url}/{kind}/{token}"
    rendered = render_mail(kind, subscriber.lang, **{f"{kind}_url": url})
    return build_message(
        rendered=rendered,
        sender=settings.mail.sender,
        to=subscriber.email,
        message_id=make_msgid(domain=feed_host(settings.server.base_url)),
        date=now,
    )


def send_now(settings: Settings, message: EmailMessage) -> None:
    """Deliver one message; raises MailError when it cannot."""
    with backend_from_settings(settings.mail).connect() as connection:
        connection.send(message)
