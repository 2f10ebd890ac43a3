"""The widget other sites put in an iframe: the next observances, compact.

A public page (web/public_pages.py) at ``/<lang>/embed?limit=N``; ``/embed``, as
older snippets have it, redirects there.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext

from calendar_app.clock import baku_today
from calendar_app.core.presentation import upcoming, years_window
from calendar_app.data import queries
from calendar_app.data.stored_observances import observances_between
from calendar_app.extensions import db
from calendar_app.web.public_pages import Redirect, redirect_to_language, serve_public_pages
from calendar_app.web.security import frameable

embed = Blueprint("embed", __name__)
serve_public_pages(embed, keep_choice=False)

DEFAULT_LIMIT = 4
MAX_LIMIT = 12


def requested_limit() -> int:
    raw = request.args.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    # Two digits at most before int(): a 5,000-digit value would make int() raise (a 500).
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 2) or not 1 <= int(raw) <= MAX_LIMIT:
        abort(
            400,
            description=gettext("“limit” must be a whole number from 1 to %(max)d.", max=MAX_LIMIT),
        )
    return int(raw)


@embed.get("/<lang:lang>/embed")
@frameable
def widget(lang: str) -> str:
    limit, today = requested_limit(), baku_today()
    # Every day recurs once a year, so `limit` years always hold `limit` observances.
    start, end = years_window(today, limit)
    days = {day.slug: day for day in queries.days_with_records(db.session)}
    items = upcoming(observances_between(db.session, start, end, lang), days, today)[:limit]
    return render_template("pages/embed.html", items=items, today=today)


@embed.get("/embed")
@frameable  # followed inside the other site's iframe
def widget_redirect() -> Redirect:
    return redirect_to_language("embed.widget")
