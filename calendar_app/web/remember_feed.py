"""The private feeds: one remembered person's, /remember/feed/<token>.ics, and a
family's (every name of one address), /remember/family/<token>.ics.

Only its secret link opens it; a replaced link, or the link of a deleted name,
answers 410 Gone so that calendar clients stop asking. Never cached by shared
caches, never indexed, no CORS (no other site's script may read it), no referrer.
``?lang=az|en|ru`` changes the language (default: the address's); the 404 and 410
answers are in the reader's language (?lang, else Accept-Language).
"""

from __future__ import annotations

from flask import Blueprint, Response, request
from flask_babel import gettext

from calendar_app.app_settings import current_settings
from calendar_app.clock import baku_today
from calendar_app.core.ics import feed_host
from calendar_app.core.languages import LANGUAGES
from calendar_app.core.remembrance_ics import FeedEntry, render_family, render_remembrance
from calendar_app.data.models import Subscriber
from calendar_app.extensions import db
from calendar_app.reminders.remembrance import person_for_feed
from calendar_app.reminders.remembrance_family import family_for_feed
from calendar_app.reminders.remembrance_mail import linked_day
from calendar_app.web.security import PRIVATE_HEADERS

remember_feed = Blueprint("remember_feed", __name__)


def _plain(text: str, status: int) -> Response:
    return Response(text + "\n", status=status, mimetype="text/plain", headers=PRIVATE_HEADERS)


@remember_feed.get("/remember/feed/<token>.ics")
def private_feed(token: str) -> Response:
    person, gone = person_for_feed(db.session, token)
    if person is None:
        return _no_calendar(gone)
    lang = _language(person.subscriber_id)
    if lang is None:
        return _plain("lang must be one of az, en, ru.", 400)
    base_url = current_settings().server.base_url
    body = render_remembrance(
        person,
        lang,
        year=baku_today().year,
        host=feed_host(base_url),
        linked=linked_day(db.session, person.day_slug, lang, base_url),
    )
    return _calendar(body)


@remember_feed.get("/remember/family/<token>.ics")
def family_feed(token: str) -> Response:
    """Every confirmed name of the address, each event titled with its name."""
    feed, people, gone = family_for_feed(db.session, token)
    if feed is None:
        return _no_calendar(gone)
    lang = _language(feed.subscriber_id)
    if lang is None:
        return _plain("lang must be one of az, en, ru.", 400)
    base_url = current_settings().server.base_url
    entries = [
        FeedEntry(person, linked_day(db.session, person.day_slug, lang, base_url))
        for person in people
    ]
    body = render_family(
        entries, lang, changed=feed.changed_dt, year=baku_today().year, host=feed_host(base_url)
    )
    return _calendar(body)


def _no_calendar(gone: bool) -> Response:
    """410 for a replaced or deleted link (clients stop asking), else 404."""
    if gone:
        return _plain(gettext("This calendar was deleted or its link was replaced."), 410)
    return _plain(gettext("There is no calendar at this address."), 404)


def _language(subscriber_id: int) -> str | None:
    """?lang=, else the address's language; None for an unknown one."""
    subscriber = db.session.get(Subscriber, subscriber_id)
    lang = request.args.get("lang", subscriber.lang if subscriber else "en")
    return lang if lang in LANGUAGES else None


def _calendar(body: bytes) -> Response:
    return Response(
        body, mimetype="text/calendar", content_type="text/calendar; charset=utf-8",
        headers=PRIVATE_HEADERS,
    )  # fmt: skip
