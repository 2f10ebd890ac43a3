"""The family feed's rows on SQLite and PostgreSQL: one per address, made once (even by
two first visits at once), replaced with the old link kept as gone, cascaded away with
the address, and its link opening only the address's confirmed names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from calendar_app.data.models import FamilyFeed, GoneFeed, Subscriber
from calendar_app.extensions import db
from calendar_app.reminders import remembrance
from calendar_app.reminders.remembrance_family import (
    family_feed,
    family_feed_url,
    family_for_feed,
    rotate_family_feed,
)
from tests.conftest import build_app

NOW = dt.datetime(2026, 12, 1, 10)
KEY = "k" * 32
CONTACT = remembrance.Contact("az", "Asia/Baku", 9)


def entry(name: str) -> remembrance.Entry:
    return remembrance.Entry(name, dt.date(2020, 1, 20), None, "death-day", False, None, (0,))


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
    app = build_app(tmp_path, url)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def confirmed(email: str, *names: str) -> Subscriber:
    signup = remembrance.sign_up(db.session, email, CONTACT, [entry(n) for n in names], KEY, NOW)
    subscriber = remembrance.confirm(db.session, signup.token, NOW)
    assert subscriber is not None
    return subscriber


def token_of(feed: FamilyFeed) -> str:
    return family_feed_url("", KEY, feed).removeprefix("/remember/family/").removesuffix(".ics")


def test_made_once_replaced_and_erased(site: Flask) -> None:
    with site.app_context():
        leyla = confirmed("leyla@example.org", "Anar", "Günay")
        other = confirmed("other@example.org", "Tofiq")
        feed = family_feed(db.session, leyla, KEY, NOW)
        assert family_feed(db.session, leyla, KEY, NOW) is feed  # one per address
        family_feed(db.session, other, KEY, NOW)
        db.session.commit()
        first = token_of(feed)
        found, people, gone = family_for_feed(db.session, first)
        assert found is feed and not gone
        assert [p.name for p in people] == ["Anar", "Günay"]  # only this address's names

        # two first visits at once: the other request inserts its row just before this
        # one flushes; this one's row loses on the primary key, and nothing fails
        db.session.execute(sa.delete(FamilyFeed).where(FamilyFeed.subscriber_id == leyla.id))
        db.session.commit()

        def other_request(*_: object) -> None:
            with db.engine.begin() as connection:
                connection.execute(sa.insert(FamilyFeed).values(
                    subscriber_id=leyla.id, feed_salt="0" * 64, feed_hash="1" * 64,
                    created_dt=NOW, changed_dt=NOW,
                ))  # fmt: skip

        sa.event.listen(db.session, "before_flush", other_request, once=True)
        won = family_feed(db.session, leyla, KEY, NOW)
        assert won.feed_hash == "1" * 64
        db.session.commit()
        assert db.session.scalars(sa.select(FamilyFeed.feed_hash)).all().count("1" * 64) == 1

        rotate_family_feed(db.session, leyla, KEY, NOW + dt.timedelta(days=1))
        db.session.commit()
        replaced = db.session.get(FamilyFeed, leyla.id)
        assert replaced is not None and replaced.feed_hash != "1" * 64
        assert replaced.changed_dt == NOW + dt.timedelta(days=1)
        assert db.session.get(GoneFeed, "1" * 64) is not None
        second = token_of(replaced)
        assert family_for_feed(db.session, second)[0] is replaced

        # a deleted name: the family feed changed (its LAST-MODIFIED), though no name did
        later = NOW + dt.timedelta(days=2)
        remembrance.delete_person(db.session, people[1], later)
        assert replaced.changed_dt == later
        assert [p.name for p in family_for_feed(db.session, second)[1]] == ["Anar"]
        db.session.commit()

        remembrance.erase(db.session, leyla, NOW)
        db.session.commit()
        assert family_for_feed(db.session, second) == (None, (), True)  # 410, not 404
        assert db.session.scalars(sa.select(FamilyFeed.subscriber_id)).all() == [other.id]
        assert family_for_feed(db.session, "A" * 43) == (None, (), False)
        assert family_for_feed(db.session, "A" * 101) == (None, (), False)
