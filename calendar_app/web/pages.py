"""The site's pages: the coming year, a page per day, the sources.

Each under its language's prefix (``/en/days/<slug>``), public and cacheable;
the address without a prefix redirects to it (web/public_pages.py).
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_babel import gettext

from calendar_app.clock import baku_today
from calendar_app.core.presentation import (
    anniversary_window,
    citations_by_source,
    cited_sources,
    day_figures,
    moment_on,
    upcoming,
    years_window,
)
from calendar_app.core.subscribe_links import subscribe_links
from calendar_app.core.words import words_for
from calendar_app.data import queries
from calendar_app.data.stored_observances import observances_between
from calendar_app.extensions import db
from calendar_app.web.links import calendar_feed_url, day_feed_url, embed_url
from calendar_app.web.public_pages import Redirect, redirect_to_language, serve_public_pages

pages = Blueprint("pages", __name__)
serve_public_pages(pages)

EMBED_SNIPPET_LIMIT = 4


@pages.get("/<lang:lang>/")
def home(lang: str) -> str:
    today = baku_today()
    start, end = years_window(today, 1)
    days = {day.slug: day for day in queries.days_with_records(db.session)}
    items = upcoming(observances_between(db.session, start, end, lang), days, today)
    return render_template(
        "pages/home.html",
        today=today,
        items=items,
        feed=subscribe_links(calendar_feed_url(lang), gettext("Memorial days of Azerbaijan")),
        embed_src=embed_url(lang, EMBED_SNIPPET_LIMIT),
    )


@pages.get("/<lang:lang>/days/<slug>")
def day(lang: str, slug: str) -> str:
    record = queries.day_with_records(db.session, slug)
    if record is None:
        abort(404, description=gettext("There is no memorial day “%(slug)s”.", slug=slug[:60]))
    today = baku_today()
    start, end = anniversary_window(today)
    anniversaries = observances_between(db.session, start, end, lang, slug=slug)
    coming = next((o for o in anniversaries if o.date >= today), None)
    return render_template(
        "pages/day.html",
        today=today,
        day=record,
        figures=day_figures(record.facts),
        moments=[moment_on(m, coming.date) for m in record.moments] if coming else [],
        coming=coming,
        anniversaries=anniversaries,
        sources=cited_sources(record),
        feed=subscribe_links(day_feed_url(slug, lang), record.name[lang]),
    )


@pages.get("/<lang:lang>/sources")
def sources(lang: str) -> str:
    days = queries.days_with_records(db.session)
    return render_template(
        "pages/sources.html",
        sources=queries.all_sources(db.session),
        citations=citations_by_source(days, words_for(lang)),
    )


@pages.get("/")
def home_redirect() -> Redirect:
    return redirect_to_language("pages.home")


@pages.get("/days/<slug>")
def day_redirect(slug: str) -> Redirect:
    return redirect_to_language("pages.day", slug=slug)


@pages.get("/sources")
def sources_redirect() -> Redirect:
    return redirect_to_language("pages.sources")


@pages.get("/healthz")
def healthz() -> tuple[str, int, dict[str, str]]:
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8"}
