"""What the inbound handler does with one message: bounces, complaints, unsubscribes.

Nothing is believed on the sender's word. A bounce or a complaint counts only
when it names a VERP token of a message we sent (``sent_mail``) and, where it
quotes that message, the same Message-ID; then:

- a hard bounce (the mailbox is gone, see core/mail_reports.py) suppresses the address;
- a soft bounce is counted, and ``soft_bounce_limit`` of them within
  ``soft_bounce_days`` suppress it;
- a complaint (ARF Feedback-Type abuse or fraud) suppresses it.

A message to the List-Unsubscribe mailto: address unsubscribes the subscriber
whose token its subject (or first lines) names, as the one-click link does.
Each message gets at most one event of each kind, so a report delivered twice
counts once. Suppressing puts the address on the suppression list
(data/suppressions.py), which no sign-up undoes, and cancels every reminder not
yet handed over. The List-Unsubscribe mailto: names an unsubscribe token (or,
in e-mails sent before those existed, a manage token).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from calendar_app.config import MailSettings
from calendar_app.core import verp
from calendar_app.core.mail_reports import HARD, Report
from calendar_app.data import mail_log, suppressions
from calendar_app.data.models import SentMail, Subscriber
from calendar_app.data.queries import DbSession
from calendar_app.data.statuses import (
    MailEventKind,
    SubscriberStatus,
    SuppressionReason,
    TokenPurpose,
)
from calendar_app.reminders import outbox
from calendar_app.reminders.subscriptions import subscriber_for_token, unsubscribe

STILL_MAILED = (SubscriberStatus.ACTIVE, SubscriberStatus.PENDING)


@dataclass(frozen=True)
class Outcome:
    action: str  # suppressed, counted, unsubscribed, duplicate or ignored
    reason: str

    def __str__(self) -> str:
        return f"{self.action}: {self.reason}"


def process(
    session: DbSession, settings: MailSettings, recipient: str, report: Report, now: dt.datetime
) -> Outcome:
    """Act on one message (read once, for all its recipients) for ``recipient``; commits."""
    purpose = verp.parse_recipient(recipient, settings.bounce_domain)
    if purpose is None:
        return Outcome("ignored", f"{recipient} is no address of ours")
    try:
        if purpose.purpose == verp.UNSUBSCRIBE:
            outcome = _unsubscribe(session, report, now)
        elif report.is_complaint:
            outcome = _complaint(session, report, purpose.token, now)
        elif report.kind == "dsn":
            outcome = _bounce(session, settings, report, purpose.token, now)
        else:
            outcome = Outcome("ignored", f"not a delivery report or a complaint ({report.kind})")
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return outcome


def _unsubscribe(session: DbSession, report: Report, now: dt.datetime) -> Outcome:
    if report.unsubscribe_token is None:
        return Outcome("ignored", "no 'unsubscribe <token>' in the subject or the text")
    purposes = (TokenPurpose.UNSUBSCRIBE, TokenPurpose.MANAGE)
    subscriber = subscriber_for_token(session, report.unsubscribe_token, purposes, now)
    if subscriber is None:
        return Outcome("ignored", "the token opens no subscription")
    if subscriber.status == SubscriberStatus.UNSUBSCRIBED:
        return Outcome("duplicate", f"subscriber {subscriber.id} has already left")
    unsubscribe(session, subscriber, now)
    mail_log.add_event(session, MailEventKind.UNSUBSCRIBE, subscriber.id, None, "by mail", now)
    return Outcome("unsubscribed", f"subscriber {subscriber.id}")


def _trusted(session: DbSession, report: Report, tokens: list[str]) -> tuple[SentMail | None, str]:
    """The sent message the report is about, or None and why not."""
    if not tokens:
        return None, "no VERP token"
    for token in tokens:
        sent = mail_log.sent_by_token(session, token)
        if sent is None:
            continue
        quoted = report.original_message_id
        if quoted is not None and quoted.strip() != sent.message_id:
            return None, "the quoted Message-ID is not the one sent with this token"
        return sent, ""
    return None, "the token matches no message we sent"


def _bounce(
    session: DbSession,
    settings: MailSettings,
    report: Report,
    token: str | None,
    now: dt.datetime,
) -> Outcome:
    sent, why = _trusted(session, report, [token] if token else [])
    if sent is None:
        return Outcome("ignored", why)
    about = [r for r in report.recipients if r.recipient == sent.email.lower()]
    kinds = {r.bounce for r in (about or report.recipients)} - {None}
    if not kinds:
        return Outcome("ignored", "no failed recipient (a delay or a success)")
    status = next(r for r in (about or report.recipients) if r.bounce)
    detail = f"{status.status} {status.diagnostic}".strip()
    kind = MailEventKind.HARD_BOUNCE if HARD in kinds else MailEventKind.SOFT_BOUNCE
    if not mail_log.add_event(session, kind, sent.subscriber_id, sent.token, detail, now):
        return Outcome("duplicate", f"{kind} for this message was already counted")
    subscriber = _subscriber(session, sent)
    if kind == MailEventKind.HARD_BOUNCE:
        reason = SuppressionReason.HARD_BOUNCE
        return _suppress(session, sent, subscriber, now, reason, f"hard bounce {detail}")
    if subscriber is None:
        return Outcome("counted", f"{kind}; no subscriber to suppress")
    since = now - dt.timedelta(days=settings.soft_bounce_days)
    count = mail_log.events_since(session, MailEventKind.SOFT_BOUNCE, subscriber.id, since)
    if count >= settings.soft_bounce_limit:
        reason = SuppressionReason.SOFT_BOUNCES
        return _suppress(session, sent, subscriber, now, reason, f"{count} soft bounces")
    return Outcome("counted", f"soft bounce {count} of {settings.soft_bounce_limit}")


def _complaint(session: DbSession, report: Report, token: str | None, now: dt.datetime) -> Outcome:
    tokens = list(dict.fromkeys([*report.original_tokens, *([token] if token else [])]))
    sent, why = _trusted(session, report, tokens)
    if sent is None:
        return Outcome("ignored", why)
    detail = f"feedback-type {report.feedback_type}"
    if not mail_log.add_event(
        session, MailEventKind.COMPLAINT, sent.subscriber_id, sent.token, detail, now
    ):
        return Outcome("duplicate", "this complaint was already counted")
    subscriber = _subscriber(session, sent)
    return _suppress(session, sent, subscriber, now, SuppressionReason.COMPLAINT, detail)


def _subscriber(session: DbSession, sent: SentMail) -> Subscriber | None:
    """The subscriber the message went to, if they still have that address."""
    if sent.subscriber_id is None:
        return None
    subscriber = session.get(Subscriber, sent.subscriber_id)
    if subscriber is None or subscriber.email.lower() != sent.email.lower():
        return None
    return subscriber


def _suppress(
    session: DbSession,
    sent: SentMail,
    subscriber: Subscriber | None,
    now: dt.datetime,
    reason: SuppressionReason,
    why: str,
) -> Outcome:
    """Nothing more goes to this address, until an operator lifts the suppression."""
    suppressions.suppress(session, sent.email, reason, why, now)
    if subscriber is None:
        return Outcome("suppressed", f"{reason}, no subscriber: {why}")
    if subscriber.status in STILL_MAILED:
        subscriber.status, subscriber.ended_dt = SubscriberStatus.SUPPRESSED, now
    outbox.cancel_unsent(session, subscriber.id)
    return Outcome("suppressed", f"subscriber {subscriber.id}: {why}")
