"""The JSON API, version 1, described by /api/openapi.json.

Days carry their texts in all three languages; observances are described in
one (``lang``), exactly as the pages and the CLI describe them. Errors are
``{"error": ..., "detail": ...}`` with 400 or 404 (see web/errors.py).
"""

from __future__ import annotations

import datetime as dt
import re
from contextlib import suppress
from typing import Any

from flask import Blueprint, Response, abort, request

from calendar_app.app_settings import current_settings
from calendar_app.clock import baku_today
from calendar_app.core.languages import LANGUAGES
from calendar_app.core.observances import Observance
from calendar_app.core.presentation import add_years, cited_sources, years_window
from calendar_app.data import queries
from calendar_app.data.dataset import DayRecord, SourceRecord
from calendar_app.data.models import MemorialDay
from calendar_app.data.record_map import child_fields, json_object
from calendar_app.data.stored_observances import observances_between
from calendar_app.extensions import db
from calendar_app.web.errors import API_PREFIX, json_response
from calendar_app.web.links import day_feed_url, day_page_url
from calendar_app.web.openapi import openapi_document

api = Blueprint("api", __name__, url_prefix="/api")

MAX_RANGE_YEARS = 200
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@api.after_app_request
def allow_any_origin(response: Response) -> Response:
    """The API is public and read-only: any site may read it (CORS)."""
    if request.path.startswith(API_PREFIX) and request.method in ("GET", "HEAD", "OPTIONS"):
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@api.get("/openapi.json")
def openapi() -> Response:
    return json_response(openapi_document(current_settings().server.base_url))


@api.get("/v1/days")
def days() -> Response:
    return json_response({"days": [day_summary(d) for d in queries.active_days(db.session)]})


@api.get("/v1/days/<slug>")
def day(slug: str) -> Response:
    record = queries.day_with_records(db.session, slug)
    if record is None:
        abort(404, description=f"no memorial day {slug[:60]!r}; see /api/v1/days")
    return json_response(day_details(record))


@api.get("/v1/observances")
def observances() -> Response:
    lang = request.args.get("lang", current_settings().site.default_language)
    if lang not in LANGUAGES:
        abort(400, description=f"lang: {lang[:20]!r} is not one of {', '.join(LANGUAGES)}")
    start = _date_param("from") or baku_today()
    end = _date_param("to") or years_window(start, 1)[1]
    if end < start:
        abort(400, description=f"to ({end}) is before from ({start})")
    if start.year + MAX_RANGE_YEARS <= dt.MAXYEAR and end >= add_years(start, MAX_RANGE_YEARS):
        abort(400, description=f"from {start} to {end} is longer than {MAX_RANGE_YEARS} years")
    slug = request.args.get("day")
    # Compared in Python, not in SQL: PostgreSQL refuses a NUL in a text parameter (a 500).
    if slug is not None and slug not in {d.slug for d in queries.active_days(db.session)}:
        abort(400, description=f"day: no memorial day {slug[:60]!r}; see /api/v1/days")
    found = observances_between(db.session, start, end, lang, slug=slug)
    return json_response(
        {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "lang": lang,
            "day": slug,
            "observances": [observance_json(o) for o in found],
        }
    )


def _date_param(name: str) -> dt.date | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    parsed = None
    if ISO_DATE.fullmatch(raw):
        with suppress(ValueError):
            parsed = dt.date.fromisoformat(raw)
    if parsed is None:
        abort(400, description=f"{name}: {raw[:40]!r} is not a date like 2027-01-20")
    return parsed


# --- serialization ----------------------------------------------------------------


def observance_json(o: Observance) -> dict[str, Any]:
    return {
        **o.as_json(),
        "anniversary_phrase": o.anniversary_phrase,
        "url": day_page_url(o.slug, o.lang),
        "ics_url": day_feed_url(o.slug, o.lang),
    }


# The list of days leaves out the long texts; the day itself has every field.
LONG_TEXTS = ("anniversary_of", "history")


def day_summary(day: MemorialDay) -> dict[str, Any]:
    fields = json_object(DayRecord, day)
    return {
        **{name: value for name, value in fields.items() if name not in LONG_TEXTS},
        "url": day_page_url(day.slug),
        "page_urls": {lang: day_page_url(day.slug, lang) for lang in LANGUAGES},
        "ics_urls": {lang: day_feed_url(day.slug, lang) for lang in LANGUAGES},
    }


def day_details(day: MemorialDay) -> dict[str, Any]:
    details = {**day_summary(day), **json_object(DayRecord, day)}
    for item in child_fields(DayRecord):
        record_type = item.metadata["child"]
        details[item.name] = [json_object(record_type, row) for row in getattr(day, item.name)]
    details["sources"] = [json_object(SourceRecord, s) for s in cited_sources(day)]
    return details
