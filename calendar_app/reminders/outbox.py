"""The outbox protocol: plan rows in, claim them with a lease, record each outcome.

All SQL on the reminders table lives here, because it is one concurrency
protocol: inserts are ``ON CONFLICT DO NOTHING`` (safe from any process), claims
use ``FOR UPDATE SKIP LOCKED`` on PostgreSQL and a conditional UPDATE checked by
rowcount on SQLite (which ignores FOR UPDATE), and every later write is fenced
by the lease the claim set, so a worker whose lease ran out cannot overwrite
the worker that took the row over.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, delete, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from calendar_app import queries
from calendar_app.models import Reminder, Subscriber
from calendar_app.occurrences import occurrences_between
from calendar_app.queries import DbSession
from calendar_app.reminders.plan import PlannedReminder, plan

MAX_LEAD_DAYS = 30
DEFAULT_LEASE = dt.timedelta(minutes=5)
INSERT_CHUNK = 500
UNIQUE_KEY = ["subscriber_id", "memorial_day_id", "year", "lead_days"]


def _window(now: dt.datetime) -> tuple[dt.date, dt.date]:
    """Occurrence dates that a reminder due around ``now`` can be about (every zone)."""
    return now.date() - dt.timedelta(days=2), now.date() + dt.timedelta(days=MAX_LEAD_DAYS + 2)


def insert_planned(session: DbSession, planned: Sequence[PlannedReminder], now: dt.datetime) -> int:
    """Insert rows not yet in the outbox; return how many were new."""
    inserted = 0
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    for start in range(0, len(planned), INSERT_CHUNK):
        values = [_row(p, now) for p in planned[start : start + INSERT_CHUNK]]
        statement = (
            insert(Reminder).values(values).on_conflict_do_nothing(index_elements=UNIQUE_KEY)
        )
        result: Any = session.execute(statement)
        inserted += max(result.rowcount or 0, 0)
    return inserted


def _row(p: PlannedReminder, now: dt.datetime) -> dict[str, Any]:
    return {
        "subscriber_id": p.subscriber_id,
        "memorial_day_id": p.memorial_day_id,
        "year": p.year,
        "lead_days": p.lead_days,
        "due_dt": p.due_dt,
        "deadline_dt": p.deadline_dt,
        "status": "pending",
        "attempts": 0,
        "next_attempt_dt": p.due_dt,
        "created_dt": now,
    }


def plan_everyone(session: DbSession, now: dt.datetime, batch: int = 1000) -> int:
    """Plan the coming reminders of every active subscriber; idempotent."""
    start, end = _window(now)
    occurrences = occurrences_between(queries.active_days(session), start, end)
    inserted = 0
    for subscribers in _batches(queries.active_subscribers(session), batch):
        inserted += insert_planned(session, plan(subscribers, occurrences, now), now)
    return inserted


def _batches(items: Iterable[Subscriber], size: int) -> Iterable[list[Subscriber]]:
    chunk: list[Subscriber] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def replan_subscriber(session: DbSession, subscriber: Subscriber, now: dt.datetime) -> None:
    """Make this subscriber's unsent rows follow their current preferences."""
    start, end = _window(now)
    wanted: list[PlannedReminder] = []
    if subscriber.is_active:
        occurrences = occurrences_between(queries.active_days(session), start, end)
        wanted = plan([subscriber], occurrences, now)
    by_key = {p.key: p for p in wanted}
    for row in queries.pending_reminders_of(session, subscriber.id):
        key = (row.subscriber_id, row.memorial_day_id, row.year, row.lead_days)
        target = by_key.get(key)
        if target is None:
            session.delete(row)
        elif (row.due_dt, row.deadline_dt) != (target.due_dt, target.deadline_dt):
            row.due_dt, row.deadline_dt = target.due_dt, target.deadline_dt
            row.next_attempt_dt = max(
                target.due_dt, row.next_attempt_dt if row.attempts else target.due_dt
            )
    session.flush()
    insert_planned(session, wanted, now)


def cancel_unsent(session: DbSession, subscriber_id: int) -> None:
    """Nothing more goes to this subscriber: drop every row not yet handed over."""
    session.execute(
        delete(Reminder).where(
            Reminder.subscriber_id == subscriber_id, Reminder.status == "pending"
        )
    )


def _claimable(now: dt.datetime) -> ColumnElement[bool]:
    return or_(
        and_(Reminder.status == "pending", Reminder.next_attempt_dt <= now),
        and_(Reminder.status == "sending", Reminder.lease_until_dt < now),
    )


def claim(
    session: DbSession,
    now: dt.datetime,
    limit: int,
    domain: str,
    lease_for: dt.timedelta = DEFAULT_LEASE,
) -> list[tuple[int, dt.datetime]]:
    """Lease up to ``limit`` due rows; return (id, lease) pairs. Commits.

    The claim also gives each row its Message-ID if it has none, so the ID is
    stored before the first try and every retry sends the same message.
    """
    lease = now + lease_for
    nonce = secrets.token_hex(6)
    message_id = func.coalesce(
        Reminder.message_id,
        literal("<reminder.") + cast(Reminder.id, String) + literal(f".{nonce}@{domain}>"),
    )
    values = {"status": "sending", "lease_until_dt": lease, "message_id": message_id}
    query = select(Reminder.id).where(_claimable(now)).order_by(Reminder.next_attempt_dt)
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.scalars(query.limit(limit).with_for_update(skip_locked=True)))
        if ids:
            session.execute(update(Reminder).where(Reminder.id.in_(ids)).values(**values))
        claimed = ids
    else:
        claimed = []
        for reminder_id in session.scalars(query.limit(limit)).all():
            result: Any = session.execute(
                update(Reminder).where(Reminder.id == reminder_id, _claimable(now)).values(**values)
            )
            if result.rowcount == 1:
                claimed.append(reminder_id)
    session.commit()
    return [(reminder_id, lease) for reminder_id in claimed]


def fenced_update(session: DbSession, reminder_id: int, lease: dt.datetime, **values: Any) -> bool:
    """Write ``values`` only while we still hold the lease; True if we did. Commits."""
    result: Any = session.execute(
        update(Reminder)
        .where(
            Reminder.id == reminder_id,
            Reminder.status == "sending",
            Reminder.lease_until_dt == lease,
        )
        .values(**values)
    )
    session.commit()
    return bool(result.rowcount == 1)
