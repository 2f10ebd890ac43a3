"""E-mails sent at once, from a request: the confirmation and the manage link."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from email.utils import getaddresses, make_msgid

from calendar_app.clock import utc_now_naive
from calendar_app.config import Settings
from calendar_app.core.ics import feed_host
from calendar_app.data import mail_log, queries
from calendar_app.data.models import Subscriber
from calendar_app.data.statuses import SentKind, SubscriberStatus, TokenPurpose
from calendar_app.extensions import db
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
    message_id = make_msgid(domain=feed_host(settings.server.base_url))
    if settings.mail.bounce_domain:  # its VERP token, stored by send_now before it leaves
        outgoing = mail_log.Outgoing(message_id, subscriber.email, subscriber.id, SentKind(kind))
        mail_log.record_sent(db.session, settings.mail.token_key, [outgoing], now)
    return build_message(
        rendered=rendered,
        sender=settings.mail.sender,
        to=subscriber.email,
        message_id=message_id,
        date=now,
    )


def send_now(settings: Settings, message: EmailMessage) -> None:
    """Deliver one message; raises MailError when it cannot.

    With [mail] bounce_domain, commits the session first: the message's VERP token
    (recorded when it was built, or here for a message built elsewhere) must be
    stored before a bounce can come back.
    """
    if settings.mail.bounce_domain:
        _remember_token(settings, message)
        db.session.commit()
    with backend_from_settings(settings.mail).connect() as connection:
        connection.send(message)


def _remember_token(settings: Settings, message: EmailMessage) -> None:
    """Store the token of a message whose builder did not (a no-op for those that did)."""
    to = getaddresses([str(v) for v in message.get_all("To", [])])
    message_id = str(message["Message-ID"] or "")
    if len(to) != 1 or not message_id:
        return  # no VERP for it either (mail/backends.py)
    email = to[0][1]
    subscriber = queries.subscriber_by_email(db.session, email.lower())
    pending = subscriber is not None and subscriber.status == SubscriberStatus.PENDING
    outgoing = mail_log.Outgoing(
        message_id,
        email,
        subscriber.id if subscriber is not None else None,
        SentKind.CONFIRM if pending else SentKind.MANAGE,
    )
    mail_log.record_sent(db.session, settings.mail.token_key, [outgoing], utc_now_naive())
