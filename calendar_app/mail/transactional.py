"""E-mails sent at once, from a request: the confirmation, the manage link, the welcome,
and the same two links for /remember."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from email.utils import make_msgid
from typing import Any

from calendar_app.clock import utc_now_naive
from calendar_app.config import Settings
from calendar_app.core.dates import long_date
from calendar_app.core.first_reminder import first_reminder
from calendar_app.core.ics import feed_host
from calendar_app.core.words import words_for
from calendar_app.core.zone_names import zone_label
from calendar_app.data import mail_log, queries, suppressions
from calendar_app.data.models import MemorialDay, Subscriber
from calendar_app.data.statuses import SentKind, SubscriberStatus, TokenPurpose
from calendar_app.extensions import db
from calendar_app.mail.backends import backend_from_settings
from calendar_app.mail.builder import Letter, MessageBuilder, RawMessage
from calendar_app.mail.list_headers import list_headers
from calendar_app.mail.message import RenderedMail, render_mail
from calendar_app.reminders.subscriptions import issue_token


def confirmation_message(
    settings: Settings, subscriber: Subscriber, token: str, now: dt.datetime
) -> RawMessage:
    """The double opt-in e-mail: a link to the page whose button confirms."""
    return _link_message(TokenPurpose.CONFIRM, settings, subscriber, token, now)


def manage_message(
    settings: Settings,
    subscriber: Subscriber,
    token: str,
    now: dt.datetime,
    *,
    replaced: bool = False,
) -> RawMessage:
    """The link to manage an existing subscription: asked for again by signing up, or,
    with ``replaced``, the new link after the reader replaced their links (the old ones
    no longer work, and the e-mail says so)."""
    return _link_message(TokenPurpose.MANAGE, settings, subscriber, token, now, replaced=replaced)


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
        zone=zone_label(subscriber.timezone, words_for(lang)),
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
    """``kind`` names the template; the link confirms, or else manages.

    A manage link comes with the list's one-click exit (List-Unsubscribe), whose
    token is a new one that can only unsubscribe, never ``token``.
    """
    path = TokenPurpose.CONFIRM if kind == TokenPurpose.CONFIRM else TokenPurpose.MANAGE
    url = f"{settings.server.base_url}/{path}/{token}"
    rendered = render_mail(kind, subscriber.lang, **{f"{path}_url": url}, **context)
    message_id = make_msgid(domain=feed_host(settings.server.base_url))
    headers: tuple[tuple[str, str], ...] = ()
    if path == TokenPurpose.MANAGE:
        leave = issue_token(db.session, subscriber, TokenPurpose.UNSUBSCRIBE, now)
        headers = list_headers(
            settings.server.base_url, leave, settings.mail.bounce_domain, subscriber.lang
        )
    if settings.mail.bounce_domain:  # its VERP token, stored by send_now before it leaves
        sent = SentKind.CONFIRM if path == TokenPurpose.CONFIRM else SentKind.MANAGE
        outgoing = mail_log.Outgoing(message_id, subscriber.email, subscriber.id, sent)
        mail_log.record_sent(db.session, settings.mail.token_key, [outgoing], now)
    return link_message(settings, subscriber.email, rendered, now, message_id, headers)


def link_message(
    settings: Settings,
    to: str,
    rendered: RenderedMail,
    now: dt.datetime,
    message_id: str | None = None,
    headers: tuple[tuple[str, str], ...] = (),
) -> RawMessage:
    """A message with one link (its secret token already in the texts)."""
    return MessageBuilder(settings.mail.sender).build(
        Letter(rendered, headers),
        to=to,
        message_id=message_id or make_msgid(domain=feed_host(settings.server.base_url)),
        date=now,
    )


def remember_link_message(
    kind: str,
    settings: Settings,
    subscriber: Subscriber,
    token: str,
    now: dt.datetime,
    template: str = "",
) -> RawMessage:
    """/remember's e-mails: ``kind`` "confirm", the double opt-in link; "manage", the
    private page's link (``template`` "remember_shared": its words to a relative who
    accepted an invitation)."""
    url = f"{settings.server.base_url}/remember/{kind}/{token}"
    rendered = render_mail(template or f"remember_{kind}", subscriber.lang, link_url=url)
    return link_message(settings, subscriber.email, rendered, now)


def invitation_message(
    settings: Settings, to: str, lang: str, names: Sequence[str], token: str, now: dt.datetime
) -> RawMessage:
    """A relative's invitation to the reminders of ``names``: the link to the page whose
    button accepts (in ``lang``). It carries no word of the one who invited."""
    url = f"{settings.server.base_url}/remember/invitation/{token}?lang={lang}"
    rendered = render_mail("remember_invite", lang, link_url=url, names=list(names))
    return link_message(settings, to, rendered, now)


def send_now(settings: Settings, message: RawMessage) -> None:
    """Deliver one message; raises MailError when it cannot.

    With [mail] bounce_domain, commits the session first: the message's VERP token
    (recorded when it was built, or here for a message built elsewhere) must be
    stored before a bounce can come back. Nothing goes to a suppressed address.
    """
    if any(suppressions.is_suppressed(db.session, to) for to in message.recipients):
        return
    if settings.mail.bounce_domain:
        _remember_token(settings, message)
        db.session.commit()
    with backend_from_settings(settings.mail).connect() as connection:
        connection.send(message)


def _remember_token(settings: Settings, message: RawMessage) -> None:
    """Store the token of a message whose builder did not (a no-op for those that did)."""
    if len(message.recipients) != 1 or not message.message_id:
        return  # no VERP for it either (mail/backends.py)
    email = message.recipients[0]
    subscriber = queries.subscriber_by_email(db.session, email.lower())
    pending = subscriber is not None and subscriber.status == SubscriberStatus.PENDING
    outgoing = mail_log.Outgoing(
        message.message_id,
        email,
        subscriber.id if subscriber is not None else None,
        SentKind.CONFIRM if pending else SentKind.MANAGE,
    )
    mail_log.record_sent(db.session, settings.mail.token_key, [outgoing], utc_now_naive())
