"""Send due reminders: claim a batch, one reused connection, commit per message.

SMTP cannot be exactly-once (a drop between "." and "250" duplicates), so the
window is kept small: the Message-ID is stored before the first try, each
outcome is committed right after its message, and every write is fenced by
the claim's lease.

A claimed batch is composed first and the manage tokens its messages carry are
committed together, before the first is sent. Then, message by message, the
row's lease and its subscriber are read afresh just before sending, and the
outcome is committed right after.

Composing is pure: dispatch hands it the row, the subscriber, the tokens it
issued and a snapshot of the memorial days, read once per data version.

Before composing, a batch is checked against the suppression list (such a row
is cancelled, nothing is sent) and for reminders superseded by a nearer one of
the same reader and day that is due too (after a gap in sending: only the
nearest goes, the others are marked superseded).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from calendar_app.core.send_rate import Pacer
from calendar_app.core.verp import token_for
from calendar_app.data import mail_log, queries, share_queries, suppressions
from calendar_app.data.models import Reminder, Subscriber
from calendar_app.data.queries import DbSession
from calendar_app.data.statuses import (
    MailEventKind,
    ReminderStatus,
    SentKind,
    SubscriberStatus,
    SuppressionReason,
    TokenPurpose,
)
from calendar_app.mail.backends import Backend, Connection, MailError
from calendar_app.mail.builder import RawMessage
from calendar_app.reminders import outbox
from calendar_app.reminders.compose import DaySnapshot
from calendar_app.reminders.letter_inputs import LinkTokens
from calendar_app.reminders.remembrance_mail import Remembered, load_remembered
from calendar_app.reminders.subscriptions import age_older_links, issue_token

log = logging.getLogger("calendar_app.reminders")

BACKOFF_BASE = dt.timedelta(minutes=1)  # [reminders] retry_seconds
BACKOFF_CAP = dt.timedelta(hours=1)  # [reminders] retry_max_seconds
NO_DATA = dt.datetime(1970, 1, 1)  # the data version before any data is loaded

# (row, subscriber, its tokens, days, now, the remembered person if the row is about one)
# -> the message; pure (reminders/compose.py)
Compose = Callable[
    [Reminder, Subscriber, LinkTokens, DaySnapshot, dt.datetime, Remembered | None], RawMessage
]


@dataclass
class DispatchReport:
    counts: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        order = (
            "sent",
            "retry",
            "failed",
            "suppressed",
            "unshared",
            "expired",
            "cancelled",
            "superseded",
            "lost-lease",
            "released",
        )
        parts = [f"{self.counts[k]} {k}" for k in order if self.counts[k]]
        return ", ".join(parts) or "nothing due"


@dataclass(frozen=True)
class Retry:
    """How long a reminder waits after a transient failure: doubling, capped."""

    base: dt.timedelta = BACKOFF_BASE
    cap: dt.timedelta = BACKOFF_CAP

    def after(self, attempts: int, rng: random.Random) -> dt.timedelta:
        """Exponential, capped, with full jitter over its upper half."""
        doublings = min(max(attempts - 1, 0), 32)
        ceiling: dt.timedelta = min(self.base * 2**doublings, self.cap)
        return dt.timedelta(seconds=ceiling.total_seconds() * rng.uniform(0.5, 1.0))


def _never() -> bool:
    return False


def load_days(session: DbSession) -> DaySnapshot:
    """Every memorial day (retired ones too) with its records, detached from any session.

    Read in a session of its own that is closed at once: commits in the caller's
    session never expire these objects, and composing could not read the
    database through them if it tried (a detached object raises instead).
    """
    with Session(session.get_bind(), expire_on_commit=False) as reader:
        changed = _data_version(reader)
        days = queries.days_with_records(reader, retired=True)
    return DaySnapshot(changed, {day.id: day for day in days})


def _data_version(session: DbSession) -> dt.datetime:
    state = queries.data_state(session)
    return state.changed_dt if state is not None else NO_DATA


@dataclass
class DaysCache:
    """The snapshot, read again only when the data version changes."""

    snapshot: DaySnapshot | None = None

    def current(self, session: DbSession) -> DaySnapshot:
        if self.snapshot is None or _data_version(session) != self.snapshot.changed:
            self.snapshot = load_days(session)
        return self.snapshot


def _always() -> bool:
    return True


def dispatch_due(
    session: DbSession,
    backend: Backend,
    compose: Compose,
    clock: Callable[[], dt.datetime],
    domain: str,
    batch_size: int = 100,
    rng: random.Random | None = None,
    lease_for: dt.timedelta = outbox.DEFAULT_LEASE,
    retry: Retry | None = None,
    stop: Callable[[], bool] = _never,
    pacer: Pacer | None = None,
    verp_key: bytes | None = None,
) -> DispatchReport:
    """Send every reminder due, batch after batch, until none is left or ``stop()``.

    ``clock`` gives naive UTC; it is read afresh for every batch so that each
    claim's lease starts when the batch does (a frozen clock replays an instant).
    ``stop`` is asked before each message: when it says so, the message in
    flight has been finished and the rest of the batch is handed back at once
    (not after its lease), so that a worker stopped by SIGTERM leaves promptly.
    ``pacer`` (``[mail] max_per_second``) spaces the messages; a paced batch is
    no larger than the pacer sends in half a lease, and each message checks its
    deadline and lease at the moment it goes, after the wait.
    With ``verp_key`` ([mail] bounce_domain set), each message's VERP token is
    stored with the batch's manage tokens, before the first message is sent.
    """
    report = DispatchReport()
    jitter = rng or random.Random()
    schedule = retry or Retry()
    days = DaysCache()
    if pacer is not None:
        batch_size = pacer.batch_size(batch_size, lease_for.total_seconds())
    with backend.connect() as connection, outbox.Fence(session) as fence:
        while not stop():
            now = clock()
            claimed = outbox.claim(session, now, batch_size, domain, lease_for)
            if not claimed:
                break
            data = days.current(session)
            rows = _compose_batch(session, compose, claimed, data, now, verp_key)
            for position, row in enumerate(rows):
                if pacer is not None and pacer.limited and row is not None:
                    if not pacer.wait(stop):
                        stop = _always  # stopped while waiting: hand the rest back below
                    now = clock()
                if stop():
                    left = [r for r in rows[position:] if r is not None]
                    report.counts["released"] += outbox.release(
                        session, [r.reminder_id for r in left], claimed[0][1]
                    )
                    break
                if row is None:  # the row is gone (its subscriber was deleted)
                    report.counts["lost-lease"] += 1
                else:
                    outcome = _deliver(
                        session,
                        fence,
                        connection,
                        compose,
                        data,
                        row,
                        now,
                        jitter,
                        schedule,
                        verp_key,
                    )
                    report.counts[outcome] += 1
    return report


@dataclass
class Claimed:
    """A claimed row as its batch found it, and its message when one is to be sent."""

    reminder_id: int
    lease: dt.datetime
    reminder: Reminder
    subscriber: Subscriber | None
    record: dict[str, object]  # read before any commit expires the row
    attempts: int  # counting this try
    deadline: dt.datetime
    message: RawMessage | None = None
    held: ReminderStatus | None = None  # SUPERSEDED or CANCELLED (suppressed): not sent
    unshared: frozenset[int] = frozenset()  # CANCELLED: a relative no longer shares the name


def _compose_one(
    session: DbSession,
    compose: Compose,
    reminder: Reminder,
    subscriber: Subscriber,
    data: DaySnapshot,
    now: dt.datetime,
) -> RawMessage:
    """The message, with new tokens (stored by the caller's next commit)."""
    tokens = LinkTokens(
        issue_token(session, subscriber, TokenPurpose.MANAGE, now, flush=False),
        issue_token(session, subscriber, TokenPurpose.UNSUBSCRIBE, now, flush=False),
    )
    remembered = load_remembered(session, reminder)  # a family's own day: read now, not kept
    return compose(reminder, subscriber, tokens, data, now, remembered)


def _compose_batch(
    session: DbSession,
    compose: Compose,
    claimed: list[tuple[int, dt.datetime]],
    data: DaySnapshot,
    now: dt.datetime,
    verp_key: bytes | None = None,
) -> list[Claimed | None]:
    """Every message the batch will send, with their tokens committed in one go."""
    loaded = {r.id: (r, s) for r, s in outbox.load_claimed(session, [i for i, _ in claimed])}
    held = _held(session, loaded, now)
    unshared = share_queries.unshared_among(session, list(loaded))  # withdrawn or left
    rows: list[Claimed | None] = []
    for reminder_id, lease in claimed:
        if reminder_id not in loaded:
            rows.append(None)
            continue
        reminder, subscriber = loaded[reminder_id]
        row = Claimed(
            reminder_id,
            lease,
            reminder,
            subscriber,
            _record(reminder),
            reminder.attempts + 1,
            reminder.deadline_dt,
        )
        row.held = held.get(reminder_id)
        if reminder_id in unshared:
            row.held, row.unshared = ReminderStatus.CANCELLED, frozenset({reminder_id})
        holds = reminder.lease_until_dt == lease and reminder.status == ReminderStatus.SENDING
        if row.held is not None:
            pass  # nothing is composed, nothing is sent
        elif (
            holds and subscriber is not None and subscriber.is_active and now < reminder.deadline_dt
        ):
            # Its Message-ID was stored by the claim; the batch's tokens go in one INSERT.
            row.message = _compose_one(session, compose, reminder, subscriber, data, now)
        rows.append(row)
    composed = [r for r in rows if r is not None and r.message]
    age_older_links(session, sorted({r.reminder.subscriber_id for r in composed}), now)
    if verp_key is not None:
        _record_sent(session, verp_key, composed, now)
    session.commit()  # whatever composing stored (the links' and VERP tokens)
    return rows


def _held(
    session: DbSession,
    loaded: dict[int, tuple[Reminder, Subscriber | None]],
    now: dt.datetime,
) -> dict[int, ReminderStatus]:
    """Rows not to send: superseded by a nearer due reminder, or to a suppressed address."""
    superseded = outbox.superseded_among(session, list(loaded), now)
    held = dict.fromkeys(superseded, ReminderStatus.SUPERSEDED)
    emails = {s.email for _, s in loaded.values() if s is not None}
    blocked = suppressions.suppressed_among(session, emails)
    for reminder_id, (_, subscriber) in loaded.items():
        if subscriber is not None and suppressions.address_key(subscriber.email) in blocked:
            held.setdefault(reminder_id, ReminderStatus.CANCELLED)
    return held


def _record_sent(
    session: DbSession, verp_key: bytes, rows: list[Claimed], now: dt.datetime
) -> None:
    outgoing = [
        mail_log.Outgoing(
            r.reminder.message_id, r.subscriber.email, r.subscriber.id, SentKind.REMINDER
        )
        for r in rows
        if r.reminder.message_id is not None and r.subscriber is not None
    ]
    mail_log.record_sent(session, verp_key, outgoing, now)


def _deliver(
    session: DbSession,
    fence: outbox.Fence,
    connection: Connection,
    compose: Compose,
    data: DaySnapshot,
    row: Claimed,
    now: dt.datetime,
    rng: random.Random,
    retry: Retry,
    verp_key: bytes | None = None,
) -> str:
    fresh = fence.state(row.reminder_id)
    if fresh is None or fresh.status != ReminderStatus.SENDING or fresh.lease_until_dt != row.lease:
        session.rollback()
        return "lost-lease"

    def finish(status: ReminderStatus, outcome: str = "", **values: object) -> str:
        """Record ``status`` (fenced by the lease); the report counts ``outcome`` or the status."""
        outcome = outcome or status.value
        values.setdefault("lease_until_dt", None)
        if not fence.finish(row.reminder_id, row.lease, status=status, **values):
            return "lost-lease"
        _log(outcome, row.record, values.get("last_error"))
        return outcome

    if fresh.subscriber_status != SubscriberStatus.ACTIVE:
        return finish(ReminderStatus.CANCELLED)
    if now >= row.deadline:
        return finish(ReminderStatus.EXPIRED, last_error="deadline passed before sending")
    if row.held == ReminderStatus.SUPERSEDED:
        return finish(ReminderStatus.SUPERSEDED, last_error="a nearer reminder of the day is due")
    if row.held == ReminderStatus.CANCELLED and row.reminder_id in row.unshared:
        return finish(ReminderStatus.CANCELLED, "unshared", last_error="no longer shared")
    if row.held == ReminderStatus.CANCELLED:
        return finish(ReminderStatus.CANCELLED, "suppressed", last_error="address suppressed")
    message = row.message
    if message is None:  # the subscriber came back while the batch was being composed
        found = outbox.load_claimed(session, [row.reminder_id])
        reminder, subscriber = found[0] if found else (None, None)
        if reminder is None or subscriber is None:  # deleted with its subscriber meanwhile
            session.rollback()
            return "lost-lease"
        message = _compose_one(session, compose, reminder, subscriber, data, now)
        row.message = message
        if verp_key is not None:
            _record_sent(session, verp_key, [row], now)
        session.commit()

    attempts = row.attempts
    try:
        connection.send(message)
    except MailError as error:
        if error.transient:
            next_dt = now + retry.after(attempts, rng)
            if next_dt >= row.deadline:
                return finish(ReminderStatus.EXPIRED, attempts=attempts, last_error=str(error))
            return finish(
                ReminderStatus.PENDING,
                "retry",
                attempts=attempts,
                next_attempt_dt=next_dt,
                last_error=str(error),
            )
        outcome = finish(ReminderStatus.FAILED, attempts=attempts, last_error=str(error))
        _rejected(session, row, verp_key, str(error), now)
        if error.suppress and outcome == ReminderStatus.FAILED and row.subscriber is not None:
            _suppress(session, row.subscriber, now)
            return "suppressed"
        return outcome
    return finish(
        ReminderStatus.SENT,
        attempts=attempts,
        sent_dt=now,
        last_error=None,
    )


def _rejected(
    session: DbSession, row: Claimed, verp_key: bytes | None, error: str, now: dt.datetime
) -> None:
    """A refusal during the SMTP conversation counts among the bounces (status, metrics)."""
    email = row.subscriber.email if row.subscriber is not None else ""
    message_id = row.reminder.message_id or ""
    token = token_for(verp_key, message_id, email) if verp_key and message_id and email else None
    subscriber_id = row.subscriber.id if row.subscriber is not None else None
    mail_log.add_event(session, MailEventKind.REJECTED, subscriber_id, token, error, now)
    session.commit()


def _suppress(session: DbSession, subscriber: Subscriber, now: dt.datetime) -> None:
    """The mailbox does not exist: never write to it again."""
    reason = SuppressionReason.REJECTED
    suppressions.suppress(session, subscriber.email, reason, "refused at SMTP time", now)
    subscriber.status, subscriber.ended_dt = SubscriberStatus.SUPPRESSED, now
    outbox.cancel_unsent(session, subscriber.id)
    session.commit()


def _record(reminder: Reminder) -> dict[str, object]:
    """The reminder's fields of its JSON log line."""
    return {
        "reminder_id": reminder.id,
        "subscriber_id": reminder.subscriber_id,
        "memorial_day_id": reminder.memorial_day_id,
        "remembered_id": reminder.remembered_id,  # ids only: names never reach a log
        "occasion": reminder.occasion,
        "year": reminder.year,
        "lead_days": reminder.lead_days,
        "message_id": reminder.message_id,
    }


def _log(outcome: str, record: dict[str, object], error: object) -> None:
    line = {"event": "reminder", "outcome": outcome, **record, "error": error}
    log.info(json.dumps(line, ensure_ascii=False))
