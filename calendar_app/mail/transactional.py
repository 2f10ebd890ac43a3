"""E-mails sent at once, from a request: the confirmation and the manage link."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from email.utils import make_msgid

from calendar_app.config import Settings
from calendar_app.ics import feed_host
from calendar_app.mail.backends import backend_from_settings
from calendar_app.mail.message import RenderedMail, build_message, render_mail
from calendar_app.models import Subscriber


def confirmation_message(
    settings: Settings, subscriber: Subscriber, token: str, now: dt.datetime
) -> EmailMessage:
    base = settings.server.base_url
    rendered = render_mail("confirm", subscriber.lang, confirm_url=f"{base}/confirm/{token}")
    return _message(settings, subscriber, rendered, now)


def manage_message(
    settings: Settings, subscriber: Subscriber, token: str, now: dt.datetime
) -> EmailMessage:
    base = settings.server.base_url
    rendered = render_mail("manage", subscriber.lang, manage_url=f"{base}/manage/{token}")
    return _message(settings, subscriber, rendered, now)


def _message(
    settings: Settings, subscriber: Subscriber, rendered: RenderedMail, now: dt.datetime
) -> EmailMessage:
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
