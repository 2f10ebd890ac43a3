"""The outbox protocol: plan rows in, claim them with a lease, record each outcome.

All SQL on the reminders table lives here (and the set-based planning on
PostgreSQL in ``plan_in_sql``, which inserts the same way), because it is one
concurrency protocol: inserts are ``ON CONFLICT DO NOTHING`` (safe from any process), claims
use ``FOR UPDATE SKIP LOCKED`` on PostgreSQL and a conditional UPDATE checked by
rowcount on SQLite (which ignores FOR UPDATE), and every later write is fenced
by the lease the claim set, so a worker whose lease ran out cannot overwrite
the worker that took the row over.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Insert,
    Integer,
    Row,
    String,
    Table,
    and_,
    bindparam,
    cast,
    delete,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import aliased
from sqlalchemy.sql.dml import Update

from calendar_app.core.occurrences import occurrences_between
from calendar_app.core.remembrance_plan import PlannedRemembrance, PlanPerson, plan_remembrance
from calendar_app.core.reminder_plan import PlannedReminder, PlanOccurrence, plan
from calendar_app.data import queries, share_queries
from calendar_app.data.models import Reminder, Subscriber
from calendar_app.data.queries import DbSession
from calendar_app.data.statuses import ReminderStatus
from calendar_app.reminders.plan_in_sql import plan_everyone_in_sql

MAX_LEAD_DAYS = 30
DEFAULT_LEASE = dt.timedelta(minutes=5)
UNIQUE_KEY = ["subscriber_id", "memorial_day_id", "year", "lead_days"]
REMEMBRANCE_KEY = ["remembered_id", "subscriber_id", "occasion", "lead_days"]


def _occurrences_in_reach(session: DbSession, now: dt.datetime) -> Sequence[PlanOccurrence]:
    """Occurrences that a reminder due around ``now`` can be about (in every zone)."""
    start = now.date() - dt.timedelta(days=2)
    end = now.date() + dt.timedelta(days=MAX_LEAD_DAYS + 2)
    return occurrences_between(queries.active_days(session), start, end)


def insert_planned(session: DbSession, planned: Sequence[PlannedReminder], now: dt.datetime) -> int:
    """Insert rows not yet in the outbox; return how many were new."""
    if not planned:
        return 0
    if session.get_bind().dialect.name == "postgresql":
        return _insert_postgresql(session, planned, now)
    rows = [_row(p, now) for p in planned]
    statement = sqlite_insert(_table()).on_conflict_do_nothing(index_elements=UNIQUE_KEY)
    result: Any = session.execute(_counted(statement), rows)  # executemany: sums the new rows
    return max(result.rowcount or 0, 0)


def _insert_postgresql(
    session: DbSession, planned: Sequence[PlannedReminder], now: dt.datetime
) -> int:
    """One INSERT … SELECT FROM unnest(arrays): one round trip, one small statement.

    Row-by-row parameters make psycopg parse a statement with thousands of
    placeholders per batch, and list parameters make it dump every element in
    Python; both cost more than planning itself. The arrays are sent as
    PostgreSQL array literals of integers and ISO timestamps, built here.
    """
    integers = {
        "subscriber_id": [p.subscriber_id for p in planned],
        "memorial_day_id": [p.memorial_day_id for p in planned],
        "year": [p.year for p in planned],
        "lead_days": [p.lead_days for p in planned],
    }
    instants = {
        "due_dt": [p.due_dt.isoformat() for p in planned],
        "deadline_dt": [p.deadline_dt.isoformat() for p in planned],
    }
    columns = [*integers, *instants]
    arrays = [
        cast(bindparam(name, _array_literal(values), type_=String), ARRAY(Integer))
        for name, values in integers.items()
    ] + [
        cast(bindparam(name, _array_literal(values), type_=String), ARRAY(DateTime))
        for name, values in instants.items()
    ]
    source = func.unnest(*arrays).table_valued(*columns).render_derived()
    rows = select(
        *(source.c[name] for name in columns),
        literal(ReminderStatus.PENDING),
        literal(0),
        source.c.due_dt,
        literal(now, DateTime),
    )
    statement = (
        postgresql_insert(_table())
        .from_select([*columns, "status", "attempts", "next_attempt_dt", "created_dt"], rows)
        .on_conflict_do_nothing(index_elements=UNIQUE_KEY)
    )
    result: Any = session.execute(_counted(statement))
    return max(result.rowcount or 0, 0)


def _array_literal(values: Sequence[object]) -> str:
    """'{1,2,3}': integers and ISO timestamps need no quoting."""
    return "{" + ",".join(map(str, values)) + "}"


def _row(p: PlannedReminder, now: dt.datetime) -> dict[str, Any]:
    return {
        "subscriber_id": p.subscriber_id,
        "memorial_day_id": p.memorial_day_id,
        "year": p.year,
        "lead_days": p.lead_days,
        "due_dt": p.due_dt,
        "deadline_dt": p.deadline_dt,
        "status": ReminderStatus.PENDING,
        "attempts": 0,
        "next_attempt_dt": p.due_dt,
        "created_dt": now,
    }


def _counted(statement: Insert) -> Insert:
    """SQLAlchemy keeps an INSERT's rowcount only when asked (ON CONFLICT skips rows)."""
    return statement.execution_options(preserve_rowcount=True)


def _table() -> Table:
    return Reminder.metadata.tables[Reminder.__tablename__]


def in_reach(session: DbSession, now: dt.datetime) -> tuple[object, ...]:
    """What a planning pass at ``now`` depends on besides the subscribers.

    The occurrences in reach (day, date) and the data version: while these stay
    the same, a pass finds nothing that sign-ups and changes of preferences did
    not already plan when they were saved.
    """
    occurrences = _occurrences_in_reach(session, now)
    state = queries.data_state(session)
    return (
        tuple((o.day.id, o.date) for o in occurrences),
        state.changed_dt if state is not None else None,
    )


def plan_everyone(session: DbSession, now: dt.datetime, batch: int = 1000) -> int:
    """Plan the coming reminders of every active subscriber; idempotent.

    On PostgreSQL the rows are made in the database by set-based statements
    (``plan_in_sql``), one per 100,000 subscribers, each committed: so the
    session is committed during the pass. Elsewhere subscribers stream through
    ``batch`` at a time and each batch's rows are inserted before the next is
    read (one transaction): time grows linearly with the number of subscribers
    and memory stays flat.
    """
    inserted = plan_remembrance_everyone(session, now, batch)
    occurrences = _occurrences_in_reach(session, now)
    if not occurrences:
        return inserted  # no memorial day in reach: no subscriber needs reading
    if session.get_bind().dialect.name == "postgresql":
        return inserted + plan_everyone_in_sql(session, occurrences, now)
    for subscribers in queries.active_subscriber_batches(session, batch):
        inserted += insert_planned(session, plan(subscribers, occurrences, now), now)
    return inserted


def plan_remembrance_everyone(session: DbSession, now: dt.datetime, batch: int = 1000) -> int:
    """Plan the coming reminders of every confirmed family's remembrance days, and of the
    relatives they are shared with; idempotent."""
    inserted = 0
    for pairs in queries.active_remembrance_batches(session, batch):
        inserted += insert_remembrance(session, plan_remembrance(pairs, now, MAX_LEAD_DAYS), now)
    for shared in share_queries.active_shared_batches(session, batch):
        inserted += insert_remembrance(session, plan_remembrance(shared, now, MAX_LEAD_DAYS), now)
    return inserted


def insert_remembrance(
    session: DbSession, planned: Sequence[PlannedRemembrance], now: dt.datetime
) -> int:
    """Insert remembrance rows not yet in the outbox; return how many were new."""
    if not planned:
        return 0
    rows = [
        {
            "subscriber_id": p.subscriber_id,
            "memorial_day_id": None,
            "remembered_id": p.remembered_id,
            "occasion": p.occasion,
            "year": p.year,
            "lead_days": p.lead_days,
            "due_dt": p.due_dt,
            "deadline_dt": p.deadline_dt,
            "status": "pending",
            "attempts": 0,
            "next_attempt_dt": p.due_dt,
            "created_dt": now,
        }
        for p in planned
    ]
    dialect_insert = (
        postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    )
    statement = dialect_insert(_table()).on_conflict_do_nothing(
        index_elements=REMEMBRANCE_KEY, index_where=Reminder.remembered_id.is_not(None)
    )
    result: Any = session.execute(_counted(statement), rows)
    return max(result.rowcount or 0, 0)


def replan_remembrance(session: DbSession, subscriber: Subscriber, now: dt.datetime) -> None:
    """Make this subscriber's unsent remembrance rows follow their names, the names shared
    with them, and their preferences."""
    wanted: list[PlannedRemembrance] = []
    if subscriber.is_active:
        people: list[PlanPerson] = list(queries.active_people_of(session, subscriber.id))
        people += share_queries.shared_people_of(session, subscriber.id)
        wanted = plan_remembrance([(p, subscriber) for p in people], now, MAX_LEAD_DAYS)
    by_key = {p.key: p for p in wanted}
    for row in queries.pending_remembrance_reminders_of(session, subscriber.id):
        target = by_key.get((row.remembered_id or 0, row.occasion or "", row.lead_days))
        if target is None:
            session.delete(row)
        elif (row.due_dt, row.deadline_dt, row.year) != (
            target.due_dt,
            target.deadline_dt,
            target.year,
        ):
            row.due_dt, row.deadline_dt, row.year = target.due_dt, target.deadline_dt, target.year
            row.next_attempt_dt = max(
                target.due_dt, row.next_attempt_dt if row.attempts else target.due_dt
            )
    session.flush()
    insert_remembrance(session, wanted, now)


def replan_subscriber(session: DbSession, subscriber: Subscriber, now: dt.datetime) -> None:
    """Make this subscriber's unsent rows follow their current preferences."""
    wanted: list[PlannedReminder] = []
    if subscriber.is_active:
        wanted = plan([subscriber], _occurrences_in_reach(session, now), now)
    by_key = {p.key: p for p in wanted}
    for row in queries.pending_reminders_of(session, subscriber.id):
        key = (row.subscriber_id, row.memorial_day_id or 0, row.year, row.lead_days)
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
    replan_remembrance(session, subscriber, now)


def cancel_unsent(session: DbSession, subscriber_id: int) -> None:
    """Nothing more goes to this subscriber: drop every row not yet handed over."""
    session.execute(
        delete(Reminder).where(
            Reminder.subscriber_id == subscriber_id, Reminder.status == ReminderStatus.PENDING
        )
    )


NEARER_STATES = (ReminderStatus.PENDING, ReminderStatus.SENDING, ReminderStatus.SENT)


def superseded_among(session: DbSession, reminder_ids: Sequence[int], now: dt.datetime) -> set[int]:
    """Those of ``reminder_ids`` whose reader has a nearer reminder of the same day due too.

    After a gap in sending, a reader's 7-day, 1-day and same-day reminders of one
    day can all be due at once; only the nearest (the smallest lead) is sent.
    One query per batch, through the unique indexes that lead with the reader
    and the person.
    """
    if not reminder_ids:
        return set()
    nearer = aliased(Reminder)
    same_day = or_(
        nearer.memorial_day_id == Reminder.memorial_day_id,
        and_(nearer.remembered_id == Reminder.remembered_id, nearer.occasion == Reminder.occasion),
    )
    query = (
        select(Reminder.id)
        .join(
            nearer,
            and_(
                nearer.subscriber_id == Reminder.subscriber_id,
                nearer.year == Reminder.year,
                nearer.lead_days < Reminder.lead_days,
                same_day,
            ),
        )
        .where(
            Reminder.id.in_(reminder_ids),
            nearer.due_dt <= now,
            nearer.status.in_(NEARER_STATES),
        )
        .distinct()
    )
    return set(session.scalars(query))


def _claimable(now: dt.datetime) -> ColumnElement[bool]:
    return or_(
        and_(Reminder.status == ReminderStatus.PENDING, Reminder.next_attempt_dt <= now),
        and_(Reminder.status == ReminderStatus.SENDING, Reminder.lease_until_dt < now),
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
    values = {"status": ReminderStatus.SENDING, "lease_until_dt": lease, "message_id": message_id}
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


def release(session: DbSession, reminder_ids: Sequence[int], lease: dt.datetime) -> int:
    """Hand rows claimed under ``lease`` back to every worker now; how many. Commits.

    Only rows still held under that lease change: a row another worker took
    over stays theirs. Attempts are not counted: nothing was tried.
    """
    if not reminder_ids:
        return 0
    result: Any = session.execute(
        update(Reminder)
        .where(
            Reminder.id.in_(reminder_ids),
            Reminder.status == ReminderStatus.SENDING,
            Reminder.lease_until_dt == lease,
        )
        .values(status=ReminderStatus.PENDING, lease_until_dt=None)
    )
    session.commit()
    return int(result.rowcount or 0)


def load_claimed(
    session: DbSession, reminder_ids: Sequence[int]
) -> list[tuple[Reminder, Subscriber | None]]:
    """Claimed rows and their subscribers, fresh from the database, in one query."""
    query = (
        select(Reminder, Subscriber)
        .outerjoin(Subscriber, Subscriber.id == Reminder.subscriber_id)
        .where(Reminder.id.in_(reminder_ids))
        .order_by(Reminder.id)
        .execution_options(populate_existing=True)
    )
    return [(reminder, subscriber) for reminder, subscriber in session.execute(query)]


LeaseState = Row[str, dt.datetime | None, str | None]


# Built once: a statement object is compiled and keyed once per process, and these
# run once or twice for every message sent.
_LEASE_STATE = (
    select(
        Reminder.status,
        Reminder.lease_until_dt,
        Subscriber.status.label("subscriber_status"),
    )
    .outerjoin(Subscriber, Subscriber.id == Reminder.subscriber_id)
    .where(Reminder.id == bindparam("fence_id"))
)


@functools.cache
def _fenced_statement(columns: tuple[str, ...]) -> Update:
    table = _table()
    return (
        update(Reminder)
        .where(
            Reminder.id == bindparam("fence_id"),
            Reminder.status == ReminderStatus.SENDING,
            Reminder.lease_until_dt == bindparam("fence_lease", type_=table.c.lease_until_dt.type),
        )
        .values({name: bindparam(f"new_{name}", type_=table.c[name].type) for name in columns})
    )


def _fenced(
    reminder_id: int, lease: dt.datetime, values: dict[str, Any]
) -> tuple[Update, dict[str, Any]]:
    """The fenced UPDATE for these columns, and its parameters."""
    statement = _fenced_statement(tuple(sorted(values)))
    params = {"fence_id": reminder_id, "fence_lease": lease}
    params.update({f"new_{name}": value for name, value in values.items()})
    return statement, params


class Fence:
    """The two statements around each message: the fresh check and the fenced outcome.

    On PostgreSQL they go over a connection of their own in autocommit mode,
    held for the whole dispatch run: each is one round trip and durable when it
    returns (a session would add BEGIN, COMMIT and a pool ping per message). On
    SQLite, whose writers wait for readers, they go through the session.
    """

    def __init__(self, session: DbSession) -> None:
        self.session = session
        self.connection: Connection | None = None
        bind = session.get_bind()
        if bind.dialect.name == "postgresql" and isinstance(bind, Engine):
            self.connection = bind.connect().execution_options(isolation_level="AUTOCOMMIT")

    def __enter__(self) -> Fence:
        return self

    def __exit__(self, *_: object) -> None:
        if self.connection is not None:
            self.connection.close()

    def state(self, reminder_id: int) -> LeaseState | None:
        """The row's status and lease, and its subscriber's status, as they are now."""
        runner = self.connection if self.connection is not None else self.session
        return runner.execute(_LEASE_STATE, {"fence_id": reminder_id}).one_or_none()

    def finish(self, reminder_id: int, lease: dt.datetime, **values: Any) -> bool:
        """Write ``values`` only while the lease holds; True if written (and durable)."""
        statement, params = _fenced(reminder_id, lease, values)
        if self.connection is not None:
            result: Any = self.connection.execute(statement, params)
        else:
            result = self.session.execute(statement, params)
            self.session.commit()
        return bool(result.rowcount == 1)
