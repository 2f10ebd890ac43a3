"""Send due reminders: claim a batch, one reused connection, commit per message.

SMTP cannot be exactly-once (a drop between "." and "250" duplicates), so the
window is kept small: the Message-ID is stored before the first try, each
outcome is committed right after its message, and every write is fenced by
the claim's lease.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage

from calendar_app.mail.backends import Backend, Connection, MailError
from calendar_app.models import Reminder, Subscriber
from calendar_app.queries import DbSession
from calendar_app.reminders import outbox

log = logging.getLogger("calendar_app.reminders")

BACKOFF_BASE = dt.timedelta(minutes=1)
BACKOFF_CAP = dt.timedelta(hours=1)

Compose = Callable[[Reminder, dt.datetime], EmailMessage]


@dataclass
class DispatchReport:
    counts: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        order = ("sent", "retry", "failed", "suppressed", "expired", "cancelled", "lost-lease")
        parts = [f"{self.counts[k]} {k}" for k in order if self.counts[k]]
        return ", ".join(parts) or "nothing due"


def backoff(attempts: int, rng: random.Random) -> dt.timedelta:
    """Exponential, capped, with full jitter over its upper half."""
    ceiling: dt.timedelta = min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)
    return dt.timedelta(seconds=ceiling.total_seconds() * rng.uniform(0.5, 1.0))


def dispatch_due(
    session: DbSession,
    backend: Backend,
    compose: Compose,
    clock: Callable[[], dt.datetime],
    domain: str,
    batch_size: int = 100,
    rng: random.Random | None = None,
    lease_for: dt.timedelta = outbox.DEFAULT_LEASE,
) -> DispatchReport:
    """Send every reminder due, batch after batch, until none is left.

    ``clock`` gives naive UTC; it is read afresh for every batch so that each
    claim's lease starts when the batch does (a frozen clock replays an instant).
    """
    report = DispatchReport()
    jitter = rng or random.Random()
    with backend.connect() as connection:
        while True:
            now = clock()
            claimed = outbox.claim(session, now, batch_size, domain, lease_for)
            if not claimed:
                break
            for reminder_id, lease in claimed:
                outcome = _deliver(session, connection, compose, reminder_id, lease, now, jitter)
                report.counts[outcome] += 1
    return report


def _deliver(
    session: DbSession,
    connection: Connection,
    compose: Compose,
    reminder_id: int,
    lease: dt.datetime,
    now: dt.datetime,
    rng: random.Random,
) -> str:
    reminder = session.get(Reminder, reminder_id, populate_existing=True)
    if reminder is None or reminder.lease_until_dt != lease or reminder.status != "sending":
        session.rollback()
        return "lost-lease"
    subscriber = session.get(Subscriber, reminder.subscriber_id)

    def finish(outcome: str, **values: object) -> str:
        values.setdefault("lease_until_dt", None)
        if not outbox.fenced_update(session, reminder_id, lease, **values):
            return "lost-lease"
        _log(outcome, reminder, values.get("last_error"))
        return outcome

    if subscriber is None or not subscriber.is_active:
        return finish("cancelled", status="cancelled")
    if now >= reminder.deadline_dt:
        return finish("expired", status="expired", last_error="deadline passed before sending")

    message = compose(reminder, now)  # its Message-ID was stored by the claim
    session.commit()  # whatever composing stored (the manage link's token)

    attempts = reminder.attempts + 1
    try:
        connection.send(message)
    except MailError as error:
        if error.transient:
            next_dt = now + backoff(attempts, rng)
            if next_dt >= reminder.deadline_dt:
                return finish("expired", status="expired", attempts=attempts, last_error=str(error))
            return finish(
                "retry",
                status="pending",
                attempts=attempts,
                next_attempt_dt=next_dt,
                last_error=str(error),
            )
        outcome = finish("failed", status="failed", attempts=attempts, last_error=str(error))
        if error.suppress and outcome == "failed":
            _suppress(session, subscriber, now)
            return "suppressed"
        return outcome
    return finish("sent", status="sent", attempts=attempts, sent_dt=now, last_error=None)


def _suppress(session: DbSession, subscriber: Subscriber, now: dt.datetime) -> None:
    """The mailbox does not exist: never write to it again."""
    subscriber.status, subscriber.ended_dt = "suppressed", now
    outbox.cancel_unsent(session, subscriber.id)
    session.commit()


def _log(outcome: str, reminder: Reminder, error: object) -> None:
    record = {
        "event": "reminder",
        "outcome": outcome,
        "reminder_id": reminder.id,
        "subscriber_id": reminder.subscriber_id,
        "memorial_day_id": reminder.memorial_day_id,
        "year": reminder.year,
        "lead_days": reminder.lead_days,
        "message_id": reminder.message_id,
        "error": error,
    }
    log.info(json.dumps(record, ensure_ascii=False))
