"""The manage page's family parts: the family feed's link, and the coming days of every
name (a section on screen, the whole page when printed).

Kept apart from web/remember.py so that the manage page's other sections stay
small; the feed itself is served by web/remember_feed.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from calendar_app.app_settings import current_settings
from calendar_app.clock import utc_now
from calendar_app.core.dates import short_date
from calendar_app.core.remembrance_coming import ComingDays, family_coming_days
from calendar_app.core.words import words_for
from calendar_app.data.models import FamilyFeed, RememberedPerson, Subscriber
from calendar_app.extensions import db
from calendar_app.reminders.remembrance_family import family_feed_url
from calendar_app.reminders.remembrance_mail import linked_day
from calendar_app.web.i18n import current_language


@dataclass(frozen=True)
class FamilyPart:
    feed_url: str | None  # None until the address has a family feed
    coming: list[ComingDays]
    since: str  # today, written out: the list's first day


def family_part(subscriber: Subscriber, people: Sequence[RememberedPerson]) -> FamilyPart:
    """What the manage page shows of the family: read only (the feed is made by the GET
    view or at confirmation)."""
    settings = current_settings()
    lang = current_language()
    feed = db.session.get(FamilyFeed, subscriber.id)
    url = family_feed_url(settings.server.base_url, settings.secret_key, feed) if feed else None
    today = utc_now().astimezone(ZoneInfo(subscriber.timezone)).date()  # the reader's today
    base_url = settings.server.base_url
    martyrs = [
        (person, linked_day(db.session, person.day_slug, lang, base_url) is not None)
        for person in people
    ]
    coming = family_coming_days(martyrs, words_for(lang), today)
    return FamilyPart(url, coming, short_date(today, lang))
