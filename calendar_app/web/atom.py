"""An Atom feed (RFC 4287) of the coming year's observances, for newsrooms' readers.

Timestamps come from the data, not the clock: an entry is "updated" when it
entered the twelve-month window (a year before its date, midnight in Baku) or
when a load last changed its day's own texts, whichever is later; so each entry
has its own. Ids name the day, the year and the language. Two requests on the
same day with no data change give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from flask import Blueprint, Response
from flask_babel import gettext

from calendar_app.app_settings import current_settings
from calendar_app.clock import baku_today
from calendar_app.core.languages import BAKU
from calendar_app.core.observances import Observance
from calendar_app.core.presentation import add_years, years_window
from calendar_app.data import queries
from calendar_app.data.stored_observances import observances_between
from calendar_app.extensions import db
from calendar_app.web.i18n import current_language, reject_unknown_language, vary_on_language
from calendar_app.web.links import absolute_url, day_page_url, home_page_url

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)

atom = Blueprint("atom", __name__)
atom.before_request(reject_unknown_language)
atom.after_request(vary_on_language)


@dataclass(frozen=True)
class AtomEntry:
    id: str
    title: str
    link: str
    updated: dt.datetime
    summary: str


@dataclass(frozen=True)
class AtomFeed:
    id: str
    lang: str
    title: str
    subtitle: str
    self_link: str
    site_link: str
    author: str
    entries: Sequence[AtomEntry]
    updated: dt.datetime


def entry_updated(day: dt.date, texts_changed: dt.datetime | None) -> dt.datetime:
    """When the observance entered the window, or its day's texts last changed, if later.

    ``texts_changed`` (aware) is the day's own, not the data version: a load that
    corrects one day marks only that day's entries updated.
    """
    entered = dt.datetime.combine(add_years(day, -1), dt.time(), tzinfo=BAKU).astimezone(dt.UTC)
    return max(entered, texts_changed) if texts_changed is not None else entered


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def render_atom(feed: AtomFeed) -> bytes:
    """Pure: the feed document, UTF-8, with an XML declaration."""
    ET.register_namespace("", ATOM_NS)

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        element.text = text
        return element

    root = ET.Element(f"{{{ATOM_NS}}}feed", {XML_LANG: feed.lang})
    add(root, "id", feed.id)
    add(root, "title", feed.title)
    add(root, "subtitle", feed.subtitle)
    add(root, "updated", _stamp(feed.updated))
    add(root, "link", rel="self", type="application/atom+xml", href=feed.self_link)
    add(root, "link", rel="alternate", type="text/html", href=feed.site_link)
    add(add(root, "author"), "name", feed.author)
    for item in feed.entries:
        entry = add(root, "entry")
        add(entry, "id", item.id)
        add(entry, "title", item.title)
        add(entry, "link", rel="alternate", type="text/html", href=item.link)
        add(entry, "updated", _stamp(item.updated))
        add(entry, "summary", item.summary)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def entry_id(base_url: str, slug: str, year: int, lang: str) -> str:
    """A tag URI (RFC 4151) for one day's observance in one year, in one language.

    The entries in az, en and ru are different documents (RFC 4287 4.2.6: an id
    is unique to its entry), and a reader following two languages keeps both.
    The id never changes with the data, the request or the time.
    """
    host = urlsplit(base_url).hostname or "localhost"
    return f"tag:{host},2025:observance/{slug}/{year}/{lang}"


def _entry(o: Observance, texts_changed: dt.datetime | None) -> AtomEntry:
    return AtomEntry(
        id=entry_id(current_settings().server.base_url, o.slug, o.date.year, o.lang),
        title=o.title,
        link=day_page_url(o.slug, o.lang),
        updated=entry_updated(o.date, texts_changed),
        summary=atom_summary(o),
    )


def atom_summary(o: Observance) -> str:
    """'Среда, 20 января 2027 г. 37-я годовщина. …': the date's own closing period
    ("г.") ends its sentence in ru, so the catalog's pattern adds none there."""
    date_label = o.date_label[:1].upper() + o.date_label[1:]
    return str(
        gettext(
            "%(date)s. %(anniversary)s. %(summary)s",
            date=date_label,
            anniversary=o.anniversary_label,
            summary=o.summary,
        )
    )


@atom.get("/feed.atom")
def feed() -> Response:
    lang, today = current_language(), baku_today()
    state = queries.data_state(db.session)
    changed = state.changed_dt.replace(tzinfo=dt.UTC) if state else EPOCH
    start, end = years_window(today, 1)
    texts_changed = {
        day.slug: day.texts_changed_dt.replace(tzinfo=dt.UTC) if day.texts_changed_dt else None
        for day in queries.active_days(db.session)
    }
    entries = [
        _entry(o, texts_changed.get(o.slug))
        for o in observances_between(db.session, start, end, lang)
    ]
    document = AtomFeed(
        id=absolute_url("/feed.atom", {"lang": lang}),
        lang=lang,
        title=gettext("Memorial days of Azerbaijan"),
        subtitle=gettext("The observances of the coming twelve months"),
        self_link=absolute_url("/feed.atom", {"lang": lang}),
        site_link=home_page_url(lang),
        author=gettext("Memorial days of Azerbaijan"),
        entries=entries,
        updated=max((e.updated for e in entries), default=changed),
    )
    return Response(render_atom(document), mimetype="application/atom+xml")
