"""A family's own dead: sign-up with double opt-in, names, private feed links, export, erasure.

The names and dates are personal data: they are stored only here, shown only
behind the family's secret links, never logged. A private feed's token is an
HMAC of a random per-name salt under the site's secret key, so the manage page
can show the link again while a copy of the database alone opens no feed; the
row is found by the token's SHA-256. Replacing a link or deleting a name keeps
only the old token's SHA-256, so that the old link answers 410 Gone.

Addresses are the reminder subscribers' (reminders/subscriptions.py): one
address, one language, zone and send hour for every reminder it receives.
Nothing here sends mail: callers compose and send.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, exists

from calendar_app.core.languages import LANGUAGES
from calendar_app.core.remembrance import COUNTINGS, death_problem, name_problem
from calendar_app.core.reminder_plan import LEAD_CHOICES
from calendar_app.data import queries, share_queries
from calendar_app.data.models import (
    FamilyFeed,
    GoneFeed,
    RememberedPerson,
    Share,
    Subscriber,
    share_people,
)
from calendar_app.data.queries import DbSession
from calendar_app.data.statuses import PersonStatus, SubscriberStatus, TokenPurpose
from calendar_app.reminders import outbox
from calendar_app.reminders.subscriptions import (
    CONFIRM_TTL,
    InvalidPreferences,
    issue_token,
    revoke_tokens,
    subscriber_for_token,
    token_hash,
    valid_timezone,
)

PURPOSE = TokenPurpose.REMEMBER  # the confirmation link of a remembrance sign-up
MAX_PEOPLE = 20  # confirmed names per address
MAX_PENDING_PEOPLE = 20  # unconfirmed names per address: a new sign-up drops the oldest


@dataclass(frozen=True)
class Contact:
    """How the address is written to: one language, zone and hour for all its reminders."""

    lang: str
    timezone: str
    send_hour: int

    def check(self) -> None:
        if self.lang not in LANGUAGES:
            raise InvalidPreferences("lang", "unknown language")
        if not valid_timezone(self.timezone):
            raise InvalidPreferences("timezone", "unknown time zone")
        if not 0 <= self.send_hour <= 23:
            raise InvalidPreferences("send_hour", "the hour must be 0-23")


@dataclass(frozen=True)
class Entry:
    """One name as the family entered it."""

    name: str
    died_on: dt.date
    born_on: dt.date | None
    counting: str
    thursdays: bool
    day_slug: str | None
    lead_days: tuple[int, ...]

    def check(self, known_slugs: set[str], today: dt.date) -> None:
        if name_problem(self.name) is not None:
            raise InvalidPreferences("name", "enter a printable name of at most 120 characters")
        if death_problem(self.died_on, today) is not None:
            raise InvalidPreferences("died_on", "the date of death must be a past date from 1900")
        if self.born_on is not None and not dt.date(1800, 1, 1) <= self.born_on <= self.died_on:
            raise InvalidPreferences("born_on", "the date of birth must be before the death")
        if self.counting not in COUNTINGS:
            raise InvalidPreferences("counting", "choose how the days are counted")
        if self.day_slug is not None and self.day_slug not in known_slugs:
            raise InvalidPreferences("day_slug", "unknown memorial day")
        if not set(self.lead_days) <= set(LEAD_CHOICES):
            raise InvalidPreferences("leads", "unknown reminder time")


def feed_token(secret_key: str, salt: str) -> str:
    """The private feed's secret: 256 bits, URL-safe, derived from the salt."""
    digest = hmac.new(secret_key.encode(), f"remembrance-feed:{salt}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode("ascii")


def _new_feed(person: RememberedPerson, secret_key: str) -> None:
    person.feed_salt = secrets.token_hex(32)
    person.feed_hash = token_hash(feed_token(secret_key, person.feed_salt))


def _apply(person: RememberedPerson, entry: Entry, now: dt.datetime) -> None:
    person.name = " ".join(entry.name.split())
    person.died_on, person.born_on = entry.died_on, entry.born_on
    person.counting, person.thursdays = entry.counting, entry.thursdays
    person.day_slug = entry.day_slug
    person.lead_days = sorted(set(entry.lead_days), reverse=True)
    person.changed_dt = now


@dataclass(frozen=True)
class RememberSignUp:
    subscriber: Subscriber
    token: str  # the confirmation link's secret


class TooManyNames(ValueError):
    """An address keeps at most MAX_PEOPLE names."""


def sign_up(
    session: DbSession,
    email: str,
    contact: Contact,
    entries: list[Entry],
    secret_key: str,
    now: dt.datetime,
) -> RememberSignUp:
    """Store the names as pending and return the confirmation link's secret.

    A known address keeps its language, zone and hour until the confirmation
    (they change only through its manage link); a new or never-confirmed one
    takes the form's.
    """
    subscriber = queries.subscriber_by_email(session, email)
    if subscriber is None:
        subscriber = Subscriber(email=email, day_slugs=[], lead_days=[], created_dt=now)
        session.add(subscriber)
    if subscriber.confirmed_dt is None:
        subscriber.lang, subscriber.timezone = contact.lang, contact.timezone
        subscriber.send_hour = contact.send_hour
        subscriber.status, subscriber.ended_dt = SubscriberStatus.PENDING, None
        subscriber.created_dt = now
    session.flush()
    confirmed = queries.people_count(session, subscriber.id, PersonStatus.ACTIVE)
    if confirmed + len(entries) > MAX_PEOPLE:
        raise TooManyNames(f"at most {MAX_PEOPLE} names per address")
    _make_room(session, subscriber.id, len(entries))
    token = issue_token(session, subscriber, PURPOSE, now)
    for entry in entries:
        person = RememberedPerson(
            subscriber_id=subscriber.id,
            status=PersonStatus.PENDING,
            confirm_hash=token_hash(token),
            created_dt=now,
        )
        _apply(person, entry, now)
        _new_feed(person, secret_key)
        session.add(person)
    session.flush()
    return RememberSignUp(subscriber, token)


def _make_room(session: DbSession, subscriber_id: int, arriving: int) -> None:
    """Forget the oldest unconfirmed names beyond MAX_PENDING_PEOPLE.

    Anyone can sign up any address: strangers' sign-ups must neither lock the
    owner out nor pile up, so the newest sign-up always has room.
    """
    pending = queries.pending_people_of(session, subscriber_id)
    for person in pending[: max(len(pending) + arriving - MAX_PENDING_PEOPLE, 0)]:
        session.delete(person)
    session.flush()


def awaiting(session: DbSession, raw: str) -> bool:
    """Whether a confirmation link still has names to confirm."""
    return bool(raw) and len(raw) <= 100 and bool(queries.people_awaiting(session, token_hash(raw)))


def confirm(session: DbSession, raw: str, now: dt.datetime) -> Subscriber | None:
    """Confirm the names of one sign-up (and the address, if new); None for a bad link."""
    subscriber = subscriber_for_token(session, raw, PURPOSE, now)
    if subscriber is None:
        return None
    people = queries.people_awaiting(session, token_hash(raw))
    if not people:
        return None
    room = MAX_PEOPLE - queries.people_count(session, subscriber.id, PersonStatus.ACTIVE)
    for person in people[max(room, 0) :]:  # confirmed names never exceed the limit
        session.delete(person)
    for person in people[: max(room, 0)]:
        person.status, person.confirm_hash = PersonStatus.ACTIVE, None
        person.changed_dt = now
    if not subscriber.is_active:
        if subscriber.confirmed_dt is not None:
            subscriber.day_slugs = []  # they had left the memorial days' reminders: stay out
        subscriber.status, subscriber.ended_dt = SubscriberStatus.ACTIVE, None
        subscriber.confirmed_dt = subscriber.confirmed_dt or now
    revoke_tokens(session, subscriber.id, PURPOSE, now)
    session.flush()
    outbox.replan_subscriber(session, subscriber, now)
    return subscriber


def add_person(
    session: DbSession, subscriber: Subscriber, entry: Entry, secret_key: str, now: dt.datetime
) -> RememberedPerson:
    """A name added from the manage page: the address is proven, so it is active at once."""
    if queries.people_count(session, subscriber.id, PersonStatus.ACTIVE) >= MAX_PEOPLE:
        raise TooManyNames(f"at most {MAX_PEOPLE} names per address")
    person = RememberedPerson(
        subscriber_id=subscriber.id, status=PersonStatus.ACTIVE, confirm_hash=None, created_dt=now
    )
    _apply(person, entry, now)
    _new_feed(person, secret_key)
    session.add(person)
    session.flush()
    outbox.replan_remembrance(session, subscriber, now)
    return person


def update_person(
    session: DbSession,
    subscriber: Subscriber,
    person: RememberedPerson,
    entry: Entry,
    now: dt.datetime,
) -> None:
    _apply(person, entry, now)
    session.flush()
    outbox.replan_remembrance(session, subscriber, now)
    for invitee in share_queries.invitees_of_person(session, person.id):
        outbox.replan_remembrance(session, invitee, now)  # the relatives' follow the new dates


def delete_person(session: DbSession, person: RememberedPerson, now: dt.datetime) -> None:
    """Delete the row at once; its reminders (the relatives' too) go with it, and it leaves
    every share (a share left without a name goes too); its feed link answers 410; the
    family feed, which loses its days, says it changed now (its LAST-MODIFIED)."""
    session.add(GoneFeed(token_hash=person.feed_hash, gone_dt=now))
    family = session.get(FamilyFeed, person.subscriber_id)
    if family is not None:
        family.changed_dt = now
    owner_id = person.subscriber_id
    session.delete(person)
    session.flush()
    session.execute(
        delete(Share).where(
            Share.owner_id == owner_id, ~exists().where(share_people.c.share_id == Share.id)
        )
    )


def rotate_feed(
    session: DbSession, person: RememberedPerson, secret_key: str, now: dt.datetime
) -> None:
    """A new private feed link; the old one answers 410 from now on."""
    session.add(GoneFeed(token_hash=person.feed_hash, gone_dt=now))
    _new_feed(person, secret_key)
    person.changed_dt = now
    session.flush()


def person_for_feed(session: DbSession, raw: str) -> tuple[RememberedPerson | None, bool]:
    """(the confirmed person a feed link opens, whether the link is gone)."""
    if not raw or len(raw) > 100:
        return None, False
    hashed = token_hash(raw)
    person = queries.person_by_feed_hash(session, hashed)
    if person is not None and person.status == PersonStatus.ACTIVE:
        return person, False
    return None, queries.feed_is_gone(session, hashed)


def feed_url(base_url: str, secret_key: str, person: RememberedPerson) -> str:
    return f"{base_url}/remember/feed/{feed_token(secret_key, person.feed_salt)}.ics"


def export(session: DbSession, subscriber: Subscriber) -> dict[str, Any]:
    """Everything stored for the address (token and feed secrets only as the hashes stored)."""
    rows = queries.everything_of(session, subscriber.id, subscriber.email)
    invited = share_queries.shares_of_owner(session, subscriber.id)
    received = share_queries.shares_of_invitee(session, subscriber.id)
    shared_names = {p.id: p.name for share in received for p in share.people}
    return {
        "address": {
            "email": subscriber.email,
            "language": subscriber.lang,
            "time_zone": subscriber.timezone,
            "send_hour": subscriber.send_hour,
            "memorial_days": list(subscriber.day_slugs),
            "days_before": list(subscriber.lead_days),
            "status": subscriber.status,
            "created": _iso(subscriber.created_dt),
            "confirmed": _iso(subscriber.confirmed_dt),
            "ended": _iso(subscriber.ended_dt),
            "family_feed_link_sha256": next((f.feed_hash for f in rows["family_feeds"]), None),
        },
        "people": [
            {
                "name": p.name,
                "died_on": p.died_on.isoformat(),
                "born_on": p.born_on.isoformat() if p.born_on else None,
                "counting": p.counting,
                "thursdays": p.thursdays,
                "linked_memorial_day": p.day_slug,
                "days_before": list(p.lead_days),
                "status": p.status,
                "feed_link_sha256": p.feed_hash,
                "created": _iso(p.created_dt),
                "changed": _iso(p.changed_dt),
            }
            for p in rows["people"]
        ],
        # the addresses this one invited to some of its names (it typed them)
        "invitations": [
            {
                "address": share.invitee.email,
                "people": [_position(rows["people"], p.id) for p in share.people],
                "status": share.status,
                "created": _iso(share.created_dt),
                "changed": _iso(share.changed_dt),
            }
            for share in invited
        ],
        # names others share with this address: what it receives, never who shares them
        "shared_with_me": [
            {
                "names": [p.name for p in share.people],
                "days_before": list(share.lead_days),
                "status": share.status,
                "created": _iso(share.created_dt),
                "changed": _iso(share.changed_dt),
            }
            for share in received
        ],
        "links": [
            {
                "purpose": t.purpose,
                "sha256": t.token_hash,
                "created": _iso(t.created_dt),
                "expires": _iso(t.expires_dt),
                "revoked": _iso(t.revoked_dt),
            }
            for t in rows["tokens"]
        ],
        "reminders": [
            {
                "memorial_day_id": r.memorial_day_id,
                "remembered_person": _position(rows["people"], r.remembered_id),
                "shared_name": shared_names.get(r.remembered_id or 0),
                "occasion": r.occasion,
                "year": r.year,
                "days_before": r.lead_days,
                "due": _iso(r.due_dt),
                "status": r.status,
                "sent": _iso(r.sent_dt),
            }
            for r in rows["reminders"]
        ],
        "mail_sent": [
            {"kind": m.kind, "message_id": m.message_id, "sent": _iso(m.sent_dt)}
            for m in rows["sent"]
        ],
        "mail_events": [
            {"kind": e.kind, "detail": e.detail, "received": _iso(e.received_dt)}
            for e in rows["events"]
        ],
    }


def _position(people: Any, person_id: int | None) -> int | None:
    """The 1-based position of a person in the export's list."""
    for index, person in enumerate(people, start=1):
        if person.id == person_id:
            return index
    return None


def _iso(value: dt.datetime | None) -> str | None:
    return value.replace(tzinfo=dt.UTC).isoformat() if value is not None else None


def erase(session: DbSession, subscriber: Subscriber, now: dt.datetime) -> None:
    """Delete the address and everything stored for it; its feed links (each name's and
    the family's) answer 410."""
    rows = queries.everything_of(session, subscriber.id, subscriber.email)
    for feed in (*rows["people"], *rows["family_feeds"]):  # each name's and the family's
        session.add(GoneFeed(token_hash=feed.feed_hash, gone_dt=now))
    for row in (*rows["sent"], *rows["events"]):  # the mail log too, not only what cascades
        session.delete(row)
    session.delete(subscriber)  # tokens, names and reminders go with it (ON DELETE CASCADE)
    session.flush()


def expire_pending_people(session: DbSession, now: dt.datetime) -> int:
    """Forget names whose sign-up was never confirmed within the confirmation period."""
    result = session.execute(
        delete(RememberedPerson).where(
            RememberedPerson.status == PersonStatus.PENDING,
            RememberedPerson.created_dt <= now - CONFIRM_TTL,
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
