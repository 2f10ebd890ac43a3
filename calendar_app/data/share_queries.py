"""The reads of the shares of names with relatives (reminders/relatives.py), one function each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from calendar_app.core.remembrance_plan import SharedPerson, shared_person
from calendar_app.data.models import RememberedPerson, Reminder, Share, Subscriber, share_people
from calendar_app.data.queries import DbSession
from calendar_app.data.statuses import PersonStatus, ShareStatus, SubscriberStatus


def shares_of_owner(session: DbSession, owner_id: int) -> Sequence[Share]:
    """Every invitation an address made, oldest first, with its names and invitee."""
    query = (
        select(Share)
        .where(Share.owner_id == owner_id)
        .options(selectinload(Share.people), selectinload(Share.invitee))
        .order_by(Share.created_dt, Share.id)
    )
    return session.scalars(query).all()


def shares_of_invitee(session: DbSession, invitee_id: int) -> Sequence[Share]:
    """The confirmed shares an address receives, oldest first, with their names."""
    query = (
        select(Share)
        .where(Share.invitee_id == invitee_id, Share.status == ShareStatus.ACTIVE)
        .options(selectinload(Share.people))
        .order_by(Share.created_dt, Share.id)
    )
    return session.scalars(query).all()


def share_between(session: DbSession, owner_id: int, invitee_id: int) -> Share | None:
    query = select(Share).where(Share.owner_id == owner_id, Share.invitee_id == invitee_id)
    return session.scalars(query).one_or_none()


def share_count(session: DbSession, owner_id: int) -> int:
    """How many addresses one owner has invited (pending or confirmed)."""
    return int(session.scalar(select(func.count()).where(Share.owner_id == owner_id)) or 0)


def share_by_confirm_hash(session: DbSession, confirm_hash: str) -> Share | None:
    query = select(Share).where(
        Share.confirm_hash == confirm_hash, Share.status == ShareStatus.PENDING
    )
    return session.scalars(query).one_or_none()


def invitees_of_person(session: DbSession, person_id: int) -> Sequence[Subscriber]:
    """The addresses a name is shared with (confirmed shares only)."""
    query = (
        select(Subscriber)
        .join(Share, Share.invitee_id == Subscriber.id)
        .join(share_people, share_people.c.share_id == Share.id)
        .where(share_people.c.remembered_id == person_id, Share.status == ShareStatus.ACTIVE)
    )  # once each: a name has one owner, and an owner one share per address
    return session.scalars(query).all()


def is_shared_with(session: DbSession, person_id: int, invitee_id: int) -> bool:
    """Whether a confirmed share still gives this name to this address."""
    query = (
        select(func.count())
        .select_from(Share)
        .join(share_people, share_people.c.share_id == Share.id)
        .where(
            share_people.c.remembered_id == person_id,
            Share.invitee_id == invitee_id,
            Share.status == ShareStatus.ACTIVE,
        )
    )
    return bool(session.scalar(query))


def _shared(since: dt.datetime, person: RememberedPerson, share: Share) -> SharedPerson:
    return shared_person(person, share.lead_days, since)


def shared_people_of(session: DbSession, invitee_id: int) -> list[SharedPerson]:
    """The names shared with one address, as it is reminded of them (confirmed ones only)."""
    query = (
        select(RememberedPerson, Share)
        .join(share_people, share_people.c.remembered_id == RememberedPerson.id)
        .join(Share, Share.id == share_people.c.share_id)
        .where(
            Share.invitee_id == invitee_id,
            Share.status == ShareStatus.ACTIVE,
            RememberedPerson.status == PersonStatus.ACTIVE,
        )
        .order_by(RememberedPerson.id)
    )
    return [_shared(share.changed_dt, person, share) for person, share in session.execute(query)]


def active_shared_batches(
    session: DbSession, size: int
) -> Iterator[list[tuple[SharedPerson, Subscriber]]]:
    """Every name shared with every active relative, ``size`` at a time, in id order."""
    query = (
        select(RememberedPerson, Share, Subscriber)
        .join(share_people, share_people.c.remembered_id == RememberedPerson.id)
        .join(Share, Share.id == share_people.c.share_id)
        .join(Subscriber, Subscriber.id == Share.invitee_id)
        .where(
            RememberedPerson.status == PersonStatus.ACTIVE,
            Share.status == ShareStatus.ACTIVE,
            Subscriber.status == SubscriberStatus.ACTIVE,
        )
        .order_by(Share.id, RememberedPerson.id)
        .execution_options(yield_per=size)
    )
    for partition in session.execute(query).partitions(size):
        yield [
            (_shared(share.changed_dt, person, share), subscriber)
            for person, share, subscriber in partition
        ]


def unshared_among(session: DbSession, reminder_ids: Sequence[int]) -> set[int]:
    """Those of ``reminder_ids`` addressed to a relative no confirmed share gives the name to
    any more (the owner withdrew it, or the relative left, while the row was being sent)."""
    if not reminder_ids:
        return set()
    still_shared = (
        select(Share.id)
        .join(share_people, share_people.c.share_id == Share.id)
        .where(
            share_people.c.remembered_id == Reminder.remembered_id,
            Share.invitee_id == Reminder.subscriber_id,
            Share.status == ShareStatus.ACTIVE,
        )
        .exists()
    )
    query = (
        select(Reminder.id)
        .join(RememberedPerson, RememberedPerson.id == Reminder.remembered_id)
        .where(
            Reminder.id.in_(reminder_ids),
            RememberedPerson.subscriber_id != Reminder.subscriber_id,
            ~still_shared,
        )
    )
    return set(session.scalars(query))
