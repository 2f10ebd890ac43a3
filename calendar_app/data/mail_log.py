"""Sent mail by VERP token, and the mail events that came back: every SELECT and INSERT.

``sent_mail`` rows exist only while ``[mail] bounce_domain`` is set (without a
VERP Return-Path nothing can come back to us by token); they are kept for
SENT_MAIL_DAYS, longer than any relay retries a message or a provider takes to
report a complaint.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from calendar_app.core.verp import token_for
from calendar_app.data.models import MailEvent, Reminder, SentMail
from calendar_app.data.queries import DbSession
from calendar_app.data.statuses import MailEventKind, ReminderStatus, SentKind

SENT_MAIL_DAYS = 90
DETAIL_CHARS = 300


@dataclass(frozen=True)
class Outgoing:
    """A message about to be handed to the relay."""

    message_id: str
    email: str
    subscriber_id: int | None
    kind: SentKind


def record_sent(
    session: DbSession, key: bytes, messages: Sequence[Outgoing], now: dt.datetime
) -> None:
    """Remember each message's VERP token (once; a retry sends the same token).

    Left to the caller's commit, which comes before the messages are sent.
    """
    tokens = {token_for(key, m.message_id, m.email): m for m in messages}
    if not tokens:
        return
    known = set(session.scalars(select(SentMail.token).where(SentMail.token.in_(list(tokens)))))
    for token, message in tokens.items():
        if token not in known:
            session.add(
                SentMail(
                    token=token,
                    message_id=message.message_id,
                    email=message.email,
                    subscriber_id=message.subscriber_id,
                    kind=message.kind,
                    sent_dt=now,
                )
            )


def sent_by_token(session: DbSession, token: str) -> SentMail | None:
    return session.scalars(select(SentMail).where(SentMail.token == token)).one_or_none()


def add_event(
    session: DbSession,
    kind: MailEventKind,
    subscriber_id: int | None,
    token: str | None,
    detail: str,
    now: dt.datetime,
) -> bool:
    """Store one event; False when this message already has one of this kind."""
    if token is not None:
        found = session.scalars(
            select(MailEvent.id).where(MailEvent.kind == kind, MailEvent.token == token)
        ).first()
        if found is not None:
            return False
    event = MailEvent(
        kind=kind,
        subscriber_id=subscriber_id,
        token=token,
        detail=" ".join(detail.split())[:DETAIL_CHARS],
        received_dt=now,
    )
    try:
        with session.begin_nested():  # a twin report processed at the same moment
            session.add(event)
    except IntegrityError:
        return False
    return True


def events_since(
    session: DbSession, kind: MailEventKind, subscriber_id: int, since: dt.datetime
) -> int:
    return int(
        session.scalar(
            select(func.count(MailEvent.id)).where(
                MailEvent.kind == kind,
                MailEvent.subscriber_id == subscriber_id,
                MailEvent.received_dt >= since,
            )
        )
        or 0
    )


def event_counts(session: DbSession, since: dt.datetime | None = None) -> dict[str, int]:
    """Events by kind (all of them, or those received since ``since``)."""
    query = select(MailEvent.kind, func.count(MailEvent.id)).group_by(MailEvent.kind)
    if since is not None:
        query = query.where(MailEvent.received_dt >= since)
    return {str(kind): int(n) for kind, n in session.execute(query)}


def sent_count(session: DbSession, since: dt.datetime | None = None) -> int:
    """Reminders handed to the relay (all of them, or since ``since``)."""
    query = select(func.count(Reminder.id)).where(Reminder.status == ReminderStatus.SENT)
    if since is not None:
        query = query.where(Reminder.sent_dt >= since)
    return int(session.scalar(query) or 0)


def forget_old_sent(session: DbSession, now: dt.datetime) -> int:
    """Drop tokens older than SENT_MAIL_DAYS; a bounce for one of them is not believed."""
    result = session.execute(
        delete(SentMail).where(SentMail.sent_dt < now - dt.timedelta(days=SENT_MAIL_DAYS))
    )
    return int(getattr(result, "rowcount", 0) or 0)
