"""The family feed: one private calendar of every name an address keeps.

Its secret link is made exactly as a name's (reminders/remembrance.py): a random
salt stored with the row, the token an HMAC of it under the site's secret key,
the row found by the token's SHA-256. An address gets its family feed when it
confirms names; an address confirmed before family feeds existed gets it when
its manage page is first opened (``family_feed``). Replacing the link, or erasing
the address, keeps only the old token's SHA-256 (GoneFeed), so the old link
answers 410 Gone. A deleted name simply leaves the family feed.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError

from calendar_app.data import queries
from calendar_app.data.models import FamilyFeed, GoneFeed, RememberedPerson, Subscriber
from calendar_app.data.queries import DbSession
from calendar_app.reminders.remembrance import feed_token
from calendar_app.reminders.subscriptions import token_hash


def _new_salt(feed: FamilyFeed, secret_key: str) -> None:
    feed.feed_salt = secrets.token_hex(32)
    feed.feed_hash = token_hash(feed_token(secret_key, feed.feed_salt))


def family_feed(
    session: DbSession, subscriber: Subscriber, secret_key: str, now: dt.datetime
) -> FamilyFeed:
    """The address's family feed, made now if it has none yet (flushed, not committed).

    Two first visits at once: the second one's row loses on the primary key and
    the first one's is returned."""
    feed = session.get(FamilyFeed, subscriber.id)
    if feed is not None:
        return feed
    feed = FamilyFeed(subscriber_id=subscriber.id, created_dt=now, changed_dt=now)
    _new_salt(feed, secret_key)
    try:
        with session.begin_nested():
            session.add(feed)
    except IntegrityError:
        found = session.get(FamilyFeed, subscriber.id)
        if found is None:
            raise
        return found
    return feed


def rotate_family_feed(
    session: DbSession, subscriber: Subscriber, secret_key: str, now: dt.datetime
) -> None:
    """A new family feed link; the old one answers 410 from now on."""
    feed = family_feed(session, subscriber, secret_key, now)
    session.add(GoneFeed(token_hash=feed.feed_hash, gone_dt=now))
    _new_salt(feed, secret_key)
    feed.changed_dt = now
    session.flush()


def family_feed_url(base_url: str, secret_key: str, feed: FamilyFeed) -> str:
    return f"{base_url}/remember/family/{feed_token(secret_key, feed.feed_salt)}.ics"


def family_for_feed(
    session: DbSession, raw: str
) -> tuple[FamilyFeed | None, Sequence[RememberedPerson], bool]:
    """(the family feed a link opens, its confirmed names, whether the link is gone)."""
    if not raw or len(raw) > 100:
        return None, (), False
    hashed = token_hash(raw)
    feed = queries.family_feed_by_hash(session, hashed)
    if feed is None:
        return None, (), queries.feed_is_gone(session, hashed)
    return feed, queries.active_people_of(session, feed.subscriber_id), False
