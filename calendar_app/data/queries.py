"""The application's reads, one named function each.

Two sets of statements stay beside the code they belong to: the outbox protocol's
(claim, lease, fence) in calendar_app/reminders/outbox.py and plan_in_sql.py,
because they are one concurrency design, and the mail log's (sent mail by VERP
token, the events that came back) in calendar_app/data/mail_log.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, func, or_, select
from sqlalchemy.orm import Session, scoped_session, selectinload

from calendar_app.data.models import (
    AccessToken,
    DataState,
    Fact,
    FamilyFeed,
    GoneFeed,
    LegalAct,
    MailEvent,
    MemorialDay,
    Moment,
    RememberedPerson,
    Reminder,
    SentMail,
    Source,
    Subscriber,
    TimelineEntry,
)
from calendar_app.data.statuses import PersonStatus, ReminderStatus, SubscriberStatus

# A plain session, or Flask-SQLAlchemy's scoped db.session that proxies one.
DbSession = Session | scoped_session[Any]


def active_days(session: DbSession) -> Sequence[MemorialDay]:
    """The memorial days in the data file, in calendar order."""
    query = (
        select(MemorialDay)
        .where(MemorialDay.is_retired.is_(False))
        .order_by(MemorialDay.month, MemorialDay.day, MemorialDay.slug)
    )
    return session.scalars(query).all()


def days_with_records(session: DbSession, retired: bool = False) -> Sequence[MemorialDay]:
    """Active days (and retired ones if asked) with their facts, acts, moments, timeline
    and sources loaded."""
    query = select(MemorialDay).order_by(MemorialDay.position)
    if not retired:
        query = query.where(MemorialDay.is_retired.is_(False))
    query = query.options(
        selectinload(MemorialDay.facts).selectinload(Fact.sources),
        selectinload(MemorialDay.legal_acts).selectinload(LegalAct.sources),
        selectinload(MemorialDay.moments).selectinload(Moment.sources),
        selectinload(MemorialDay.timeline).selectinload(TimelineEntry.sources),
    )
    return session.scalars(query).all()


def all_days(session: DbSession) -> Sequence[MemorialDay]:
    """Every day row, retired ones included."""
    return session.scalars(select(MemorialDay)).all()


def all_sources(session: DbSession) -> Sequence[Source]:
    return session.scalars(select(Source).order_by(Source.position)).all()


def all_facts(session: DbSession) -> Sequence[Fact]:
    return session.scalars(select(Fact)).all()


def all_legal_acts(session: DbSession) -> Sequence[LegalAct]:
    return session.scalars(select(LegalAct)).all()


def all_moments(session: DbSession) -> Sequence[Moment]:
    return session.scalars(select(Moment)).all()


def all_timeline_entries(session: DbSession) -> Sequence[TimelineEntry]:
    return session.scalars(select(TimelineEntry)).all()


def data_state(session: DbSession) -> DataState | None:
    return session.get(DataState, 1)


def has_days(session: DbSession) -> bool:
    return session.scalars(select(MemorialDay.id).limit(1)).first() is not None


def day_with_records(session: DbSession, slug: str) -> MemorialDay | None:
    """One active day with its records loaded (there are a handful of days: load them all)."""
    return next((day for day in days_with_records(session) if day.slug == slug), None)


def active_subscriber_batches(
    session: DbSession, size: int
) -> Iterator[Sequence[Row[int, str, int, list[str], list[int], dt.datetime | None]]]:
    """What planning reads of every confirmed, still subscribed address, in id order.

    Streamed ``size`` rows at a time (a server-side cursor on PostgreSQL) as plain
    rows, not ORM objects, so millions of subscribers never sit in memory at once.
    """
    query = (
        select(
            Subscriber.id,
            Subscriber.timezone,
            Subscriber.send_hour,
            Subscriber.day_slugs,
            Subscriber.lead_days,
            Subscriber.confirmed_dt,
        )
        .where(Subscriber.status == SubscriberStatus.ACTIVE)
        .order_by(Subscriber.id)
        .execution_options(yield_per=size)
    )
    yield from session.execute(query).partitions()


def pending_reminders_of(session: DbSession, subscriber_id: int) -> Sequence[Reminder]:
    """Unsent reminders of memorial days (not of a family's own remembrance days)."""
    query = select(Reminder).where(
        Reminder.subscriber_id == subscriber_id,
        Reminder.status == ReminderStatus.PENDING,
        Reminder.remembered_id.is_(None),
    )
    return session.scalars(query).all()


def pending_remembrance_reminders_of(session: DbSession, subscriber_id: int) -> Sequence[Reminder]:
    query = select(Reminder).where(
        Reminder.subscriber_id == subscriber_id,
        Reminder.status == ReminderStatus.PENDING,
        Reminder.remembered_id.is_not(None),
    )
    return session.scalars(query).all()


def active_people_of(session: DbSession, subscriber_id: int) -> Sequence[RememberedPerson]:
    """The confirmed names of one address, by date of death."""
    query = (
        select(RememberedPerson)
        .where(
            RememberedPerson.subscriber_id == subscriber_id,
            RememberedPerson.status == PersonStatus.ACTIVE,
        )
        .order_by(RememberedPerson.died_on, RememberedPerson.id)
    )
    return session.scalars(query).all()


def active_remembrance_batches(
    session: DbSession, size: int
) -> Iterator[list[tuple[RememberedPerson, Subscriber]]]:
    """Every confirmed name of every active address, ``size`` at a time, in id order."""
    query = (
        select(RememberedPerson, Subscriber)
        .join(Subscriber, Subscriber.id == RememberedPerson.subscriber_id)
        .where(
            RememberedPerson.status == PersonStatus.ACTIVE,
            Subscriber.status == SubscriberStatus.ACTIVE,
        )
        .order_by(RememberedPerson.id)
        .execution_options(yield_per=size)
    )
    for partition in session.execute(query).partitions(size):
        yield [(person, subscriber) for person, subscriber in partition]


def subscriber_by_email(session: DbSession, email: str) -> Subscriber | None:
    return session.scalars(select(Subscriber).where(Subscriber.email == email)).one_or_none()


def token_by_hash(session: DbSession, token_hash: str) -> AccessToken | None:
    query = select(AccessToken).where(AccessToken.token_hash == token_hash)
    return session.scalars(query).one_or_none()


def reminder_counts(session: DbSession) -> dict[str, int]:
    query = (
        select(Reminder.status, func.count()).group_by(Reminder.status).order_by(Reminder.status)
    )
    return {status: count for status, count in session.execute(query)}


def subscriber_counts(session: DbSession) -> dict[str, int]:
    query = (
        select(Subscriber.status, func.count())
        .group_by(Subscriber.status)
        .order_by(Subscriber.status)
    )
    return {status: count for status, count in session.execute(query)}


def next_due_reminder(session: DbSession) -> dt.datetime | None:
    query = select(func.min(Reminder.next_attempt_dt)).where(
        Reminder.status == ReminderStatus.PENDING
    )
    return session.scalars(query).one()


def backlog_in_sending_order(
    session: DbSession, until: dt.datetime, size: int = 10000
) -> Iterator[tuple[int, dt.datetime, dt.datetime]]:
    """(id, next attempt, deadline) of unsent rows ready by ``until``, as workers take them.

    Streamed (a server-side cursor on PostgreSQL): a morning's backlog may be millions.
    """
    query = (
        select(Reminder.id, Reminder.next_attempt_dt, Reminder.deadline_dt)
        .where(
            Reminder.status.in_((ReminderStatus.PENDING, ReminderStatus.SENDING)),
            Reminder.next_attempt_dt <= until,
        )
        .order_by(Reminder.next_attempt_dt, Reminder.id)
        .execution_options(yield_per=size)
    )
    for row in session.execute(query):
        yield row[0], row[1], row[2]


def recent_failures(session: DbSession, limit: int) -> Sequence[Reminder]:
    query = (
        select(Reminder)
        .where(Reminder.status == ReminderStatus.FAILED)
        .order_by(Reminder.id.desc())
        .limit(limit)
    )
    return session.scalars(query).all()


def person_by_feed_hash(session: DbSession, feed_hash: str) -> RememberedPerson | None:
    query = select(RememberedPerson).where(RememberedPerson.feed_hash == feed_hash)
    return session.scalars(query).one_or_none()


def family_feed_by_hash(session: DbSession, feed_hash: str) -> FamilyFeed | None:
    query = select(FamilyFeed).where(FamilyFeed.feed_hash == feed_hash)
    return session.scalars(query).one_or_none()


def feed_is_gone(session: DbSession, feed_hash: str) -> bool:
    return session.get(GoneFeed, feed_hash) is not None


def people_awaiting(session: DbSession, confirm_hash: str) -> Sequence[RememberedPerson]:
    """The names a confirmation link would confirm."""
    query = select(RememberedPerson).where(
        RememberedPerson.confirm_hash == confirm_hash,
        RememberedPerson.status == PersonStatus.PENDING,
    )
    return session.scalars(query).all()


def person_of(session: DbSession, subscriber_id: int, person_id: int) -> RememberedPerson | None:
    """A confirmed name of this address (None for another address's, or a pending one)."""
    query = select(RememberedPerson).where(
        RememberedPerson.id == person_id,
        RememberedPerson.subscriber_id == subscriber_id,
        RememberedPerson.status == PersonStatus.ACTIVE,
    )
    return session.scalars(query).one_or_none()


def people_count(session: DbSession, subscriber_id: int, status: PersonStatus) -> int:
    """How many names of ``status`` one address has."""
    query = select(func.count()).where(
        RememberedPerson.subscriber_id == subscriber_id, RememberedPerson.status == status
    )
    return int(session.scalar(query) or 0)


def pending_people_of(session: DbSession, subscriber_id: int) -> Sequence[RememberedPerson]:
    """The unconfirmed names of one address, oldest sign-up first."""
    query = (
        select(RememberedPerson)
        .where(
            RememberedPerson.subscriber_id == subscriber_id,
            RememberedPerson.status == PersonStatus.PENDING,
        )
        .order_by(RememberedPerson.created_dt, RememberedPerson.id)
    )
    return session.scalars(query).all()


def everything_of(
    session: DbSession, subscriber_id: int, email: str = ""
) -> dict[str, Sequence[Any]]:
    """Every row stored for one address, for its export (and its erasure)."""
    return {
        "sent": session.scalars(
            select(SentMail)
            .where(or_(SentMail.subscriber_id == subscriber_id, SentMail.email == email))
            .order_by(SentMail.id)
        ).all(),
        "events": session.scalars(
            select(MailEvent).where(MailEvent.subscriber_id == subscriber_id).order_by(MailEvent.id)
        ).all(),
        "people": session.scalars(
            select(RememberedPerson)
            .where(RememberedPerson.subscriber_id == subscriber_id)
            .order_by(RememberedPerson.id)
        ).all(),
        "tokens": session.scalars(
            select(AccessToken)
            .where(AccessToken.subscriber_id == subscriber_id)
            .order_by(AccessToken.id)
        ).all(),
        "reminders": session.scalars(
            select(Reminder).where(Reminder.subscriber_id == subscriber_id).order_by(Reminder.id)
        ).all(),
        "family_feeds": session.scalars(
            select(FamilyFeed).where(FamilyFeed.subscriber_id == subscriber_id)
        ).all(),
    }


def day_by_slug(session: DbSession, slug: str) -> MemorialDay | None:
    return session.scalars(select(MemorialDay).where(MemorialDay.slug == slug)).one_or_none()


def _due_now(now: dt.datetime) -> ColumnElement[bool]:
    return (Reminder.status == ReminderStatus.PENDING) & (Reminder.next_attempt_dt <= now)


def due_backlog(session: DbSession, now: dt.datetime) -> int:
    """Reminders due now and not yet handed over: pending and due, or being sent."""
    query = select(func.count(Reminder.id)).where(
        _due_now(now) | (Reminder.status == ReminderStatus.SENDING)
    )
    return int(session.scalar(query) or 0)


def oldest_due(session: DbSession, now: dt.datetime) -> dt.datetime | None:
    """When the longest-waiting due reminder fell due."""
    return session.scalar(select(func.min(Reminder.next_attempt_dt)).where(_due_now(now)))
