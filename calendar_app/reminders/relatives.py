"""Relatives: a family shares the reminders of chosen names with other addresses.

The owner (a confirmed address with names) invites another address to the
reminders of some of its names. Nothing but the invitation goes to that address
before it confirms (double opt-in, through the invitation's own link, whose
SHA-256 only is stored in the share); confirming, the invitee chooses its own
language, zone, hour and days before. From then on it receives the reminders
of the shared names like its own, with its own manage and unsubscribe links,
until it leaves or the owner withdraws the invitation; either deletes the share
and the invitee's unsent reminders of those names at once. Deleting a name, or
either address, removes it from every share (ON DELETE CASCADE).

The invitee never learns the owner's address or other names; the owner sees the
invitee's address (it typed it) and whether it confirmed, nothing else of it.
Nothing here sends mail: callers compose and send.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete

from calendar_app.core.languages import BAKU_ZONE
from calendar_app.core.reminder_plan import LEAD_CHOICES
from calendar_app.data import queries, share_queries
from calendar_app.data.models import Share, Subscriber
from calendar_app.data.queries import DbSession
from calendar_app.data.statuses import ShareStatus, SubscriberStatus
from calendar_app.reminders import outbox
from calendar_app.reminders.remembrance import Contact
from calendar_app.reminders.subscriptions import CONFIRM_TTL, InvalidPreferences, token_hash

MAX_INVITEES = 10  # addresses one owner may invite (pending or confirmed)
DEFAULT_LEADS = (1, 0)  # the days before an invitation starts with; the invitee chooses


class InvitationRefused(ValueError):
    """``reason``: "self" (the owner's own address), "twice" (already invited), "too-many"
    (MAX_INVITEES reached) or "no-names" (none of the owner's names chosen)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Invitation:
    share: Share
    invitee: Subscriber
    token: str  # the invitation link's secret
    lang: str  # the language the invitation is written in


def invite(
    session: DbSession,
    owner: Subscriber,
    email: str,
    lang: str,
    person_ids: Sequence[int],
    now: dt.datetime,
    send_hour: int = 9,
) -> Invitation:
    """Store a pending share of the chosen names with ``email``; return its link's secret.

    An address new here is stored as a pending subscriber in ``lang`` (forgotten
    after 7 days unless it confirms); the invitation is written in ``lang``,
    unless the address is already confirmed here: then in its own language.
    """
    if email == owner.email:
        raise InvitationRefused("self")
    people = [p for p in (queries.person_of(session, owner.id, i) for i in person_ids) if p]
    if not people:
        raise InvitationRefused("no-names")
    invitee = queries.subscriber_by_email(session, email)
    if invitee is not None and share_queries.share_between(session, owner.id, invitee.id):
        raise InvitationRefused("twice")
    if share_queries.share_count(session, owner.id) >= MAX_INVITEES:
        raise InvitationRefused("too-many")
    if invitee is None:
        invitee = Subscriber(
            email=email,
            lang=lang,
            timezone=BAKU_ZONE,
            send_hour=send_hour,
            day_slugs=[],
            lead_days=[],
            status=SubscriberStatus.PENDING,
            created_dt=now,
        )
        session.add(invitee)
        session.flush()
    elif invitee.status == SubscriberStatus.PENDING:
        invitee.created_dt = now  # kept for the 7 days of this invitation, as by a sign-up
    token = secrets.token_urlsafe(32)
    share = Share(
        owner_id=owner.id,
        invitee_id=invitee.id,
        status=ShareStatus.PENDING,
        confirm_hash=token_hash(token),
        lead_days=list(DEFAULT_LEADS),
        created_dt=now,
        changed_dt=now,
    )
    share.people = people
    session.add(share)
    session.flush()
    written_in = invitee.lang if invitee.confirmed_dt is not None else lang
    return Invitation(share, invitee, token, written_in)


def pending_invitation(session: DbSession, raw: str, now: dt.datetime) -> Share | None:
    """The unconfirmed, unexpired share an invitation link opens."""
    if not raw or len(raw) > 100:
        return None
    share = share_queries.share_by_confirm_hash(session, token_hash(raw))
    if share is None or share.created_dt <= now - CONFIRM_TTL:
        return None
    return share


def check_leads(lead_days: Sequence[int]) -> None:
    if not lead_days or not set(lead_days) <= set(LEAD_CHOICES):
        raise InvalidPreferences("leads", "choose at least one time for reminders")


def accept(
    session: DbSession,
    raw: str,
    contact: Contact,
    lead_days: Sequence[int],
    now: dt.datetime,
) -> Subscriber | None:
    """The invitee confirms: the address takes ``contact`` (one language, zone and hour for
    all its e-mails), the share its days before; None for a bad or expired link."""
    contact.check()
    check_leads(lead_days)
    share = pending_invitation(session, raw, now)
    if share is None:
        return None
    invitee = share.invitee
    invitee.lang, invitee.timezone = contact.lang, contact.timezone
    invitee.send_hour = contact.send_hour
    if not invitee.is_active:
        # They confirmed these names' reminders only: an address that had left the memorial
        # days' reminders stays out, one that never confirmed them is not signed up here.
        invitee.day_slugs = []
        invitee.status, invitee.ended_dt = SubscriberStatus.ACTIVE, None
        invitee.confirmed_dt = invitee.confirmed_dt or now
    share.status, share.confirm_hash = ShareStatus.ACTIVE, None
    share.lead_days = sorted(set(lead_days), reverse=True)
    share.changed_dt = now
    session.flush()
    outbox.replan_subscriber(session, invitee, now)
    return invitee


def _drop(session: DbSession, share: Share, now: dt.datetime) -> None:
    """Delete the share; the invitee's unsent reminders of its names go at once."""
    invitee = share.invitee
    session.delete(share)
    session.flush()
    outbox.replan_remembrance(session, invitee, now)


def withdraw(session: DbSession, owner: Subscriber, share_id: int, now: dt.datetime) -> bool:
    """The owner withdraws an invitation (pending or confirmed); False if it is not theirs."""
    share = session.get(Share, share_id)
    if share is None or share.owner_id != owner.id:
        return False
    _drop(session, share, now)
    return True


def leave(session: DbSession, invitee: Subscriber, share_id: int, now: dt.datetime) -> bool:
    """The invitee leaves one share; False if it is not theirs."""
    share = session.get(Share, share_id)
    if share is None or share.invitee_id != invitee.id or share.status != ShareStatus.ACTIVE:
        return False
    _drop(session, share, now)
    return True


def set_leads(
    session: DbSession,
    invitee: Subscriber,
    share_id: int,
    lead_days: Sequence[int],
    now: dt.datetime,
) -> bool:
    """The invitee changes when it is reminded of one share's names; False if not theirs."""
    check_leads(lead_days)
    share = session.get(Share, share_id)
    if share is None or share.invitee_id != invitee.id or share.status != ShareStatus.ACTIVE:
        return False
    share.lead_days = sorted(set(lead_days), reverse=True)
    share.changed_dt = max(share.changed_dt, now)
    session.flush()
    outbox.replan_remembrance(session, invitee, now)
    return True


def expire_pending_shares(session: DbSession, now: dt.datetime) -> int:
    """Forget invitations never confirmed within the confirmation period."""
    result = session.execute(
        delete(Share).where(
            Share.status == ShareStatus.PENDING, Share.created_dt <= now - CONFIRM_TTL
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
