"""The values of the status columns, one enum each; CHECK constraints hold the database to them."""

from __future__ import annotations

from enum import StrEnum


class SubscriberStatus(StrEnum):
    PENDING = "pending"  # signed up, not confirmed yet
    ACTIVE = "active"  # confirmed: reminders are planned and sent
    UNSUBSCRIBED = "unsubscribed"  # left; comes back only through their manage link
    SUPPRESSED = "suppressed"  # the address refused mail permanently


class ReminderStatus(StrEnum):
    PENDING = "pending"  # waiting for its due time (or a retry)
    SENDING = "sending"  # leased by a worker
    SENT = "sent"
    FAILED = "failed"  # refused permanently
    EXPIRED = "expired"  # its deadline passed before it could be sent
    CANCELLED = "cancelled"  # the subscriber left or changed preferences
    SUPERSEDED = "superseded"  # due with a nearer reminder of the same day: that one went


class TokenPurpose(StrEnum):
    CONFIRM = "confirm"  # the double opt-in link, used once
    MANAGE = "manage"  # the manage page: preferences, names, export, erasure
    REMEMBER = "remember"  # the double opt-in link of names to remember, used once
    UNSUBSCRIBE = "unsubscribe"  # List-Unsubscribe (one-click URL, mailto): leaving only


class PersonStatus(StrEnum):
    PENDING = "pending"  # entered at /remember, waiting for the confirmation link
    ACTIVE = "active"  # confirmed (or added from the manage page): feed and reminders


class ShareStatus(StrEnum):
    PENDING = "pending"  # invited, waiting for the invitee's confirmation
    ACTIVE = "active"  # confirmed by the invitee: their reminders are planned and sent


def check_in(column: str, states: type[StrEnum]) -> str:
    """SQL that holds ``column`` to the values of ``states``."""
    values = ", ".join(f"'{state.value}'" for state in states)
    return f"{column} IN ({values})"


class SentKind(StrEnum):
    REMINDER = "reminder"
    CONFIRM = "confirm"
    MANAGE = "manage"


class MailEventKind(StrEnum):
    HARD_BOUNCE = "hard-bounce"  # a DSN: the mailbox does not exist (suppresses)
    SOFT_BOUNCE = "soft-bounce"  # a DSN: any other failure (enough of them suppress)
    COMPLAINT = "complaint"  # an ARF abuse report: marked as spam (suppresses)
    UNSUBSCRIBE = "unsubscribe"  # a mail to the List-Unsubscribe mailto: address
    REJECTED = "rejected"  # refused for good during the SMTP conversation


class SuppressionReason(StrEnum):
    """Why an address is on the suppression list (migration 0010)."""

    HARD_BOUNCE = "hard-bounce"  # the mailbox does not exist
    SOFT_BOUNCES = "soft-bounces"  # [mail] soft_bounce_limit soft bounces in soft_bounce_days
    COMPLAINT = "complaint"  # marked as spam
    REJECTED = "rejected"  # refused for good during the SMTP conversation
    EARLIER = "earlier"  # suppressed before the list existed, no event on record
