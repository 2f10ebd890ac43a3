"""Figures about delivery, read at the moment they are asked for (metrics, status)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from calendar_app.data import mail_log
from calendar_app.data.queries import (
    DbSession,
    due_backlog,
    oldest_due,
    reminder_counts,
    subscriber_counts,
)
from calendar_app.data.statuses import MailEventKind

BOUNCES = (MailEventKind.HARD_BOUNCE, MailEventKind.SOFT_BOUNCE, MailEventKind.REJECTED)
COMPLAINT_WARNING = 0.003  # 0.3 %: Gmail's and Yahoo's ceiling for bulk senders
RATE_WINDOW = dt.timedelta(days=30)


@dataclass(frozen=True)
class DeliveryFigures:
    reminders: dict[str, int]  # by state
    subscribers: dict[str, int]  # by state
    backlog: int  # due now and not yet handed over (pending and due, or sending)
    oldest_due: dt.datetime | None  # the longest-waiting due reminder
    sent_last_minute: int
    failed_last_minute: int  # refused for good at SMTP time
    events: dict[str, int]  # every mail event ever, by kind


def figures(session: DbSession, now: dt.datetime) -> DeliveryFigures:
    minute_ago = now - dt.timedelta(minutes=1)
    recent = mail_log.event_counts(session, since=minute_ago)
    return DeliveryFigures(
        reminders=reminder_counts(session),
        subscribers=subscriber_counts(session),
        backlog=due_backlog(session, now),
        oldest_due=oldest_due(session, now),
        sent_last_minute=mail_log.sent_count(session, since=minute_ago),
        failed_last_minute=recent.get(MailEventKind.REJECTED, 0),
        events=mail_log.event_counts(session),
    )


@dataclass(frozen=True)
class Rates:
    """Bounces and complaints per reminder sent, over the last RATE_WINDOW."""

    sent: int
    bounces: int
    complaints: int

    @property
    def bounce_rate(self) -> float:
        return self.bounces / self.sent if self.sent else 0.0

    @property
    def complaint_rate(self) -> float:
        return self.complaints / self.sent if self.sent else 0.0

    @property
    def complaints_too_many(self) -> bool:
        return self.complaint_rate > COMPLAINT_WARNING


def rates(session: DbSession, now: dt.datetime) -> Rates:
    since = now - RATE_WINDOW
    events = mail_log.event_counts(session, since=since)
    return Rates(
        sent=mail_log.sent_count(session, since=since),
        bounces=sum(events.get(kind, 0) for kind in BOUNCES),
        complaints=events.get(MailEventKind.COMPLAINT, 0),
    )
