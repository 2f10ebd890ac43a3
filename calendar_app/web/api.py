"""The JSON API, version 1, described by /api/openapi.json.

Days carry their texts in all three languages; observances are described in
one (``lang``), exactly as the pages and the CLI describe them. Errors are
``{"error": ..., "detail": ...}`` with 400 or 404 (see web/errors.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from contextlib import suppress
from typing import Any

from flask import Blueprint, Response, abort, request

from calendar_app.app_settings import current_settings
from calendar_app.core.observances import Observance
from calendar_app.core.ordinals import LANGUAGES
from calendar_app.core.presentation import add_years, cited_sources, years_window
from calendar_app.data import queries
from calendar_app.data.models import Fact, LegalAct, MemorialDay, Moment, Source, TimelineEntry
from calendar_app.data.stored_observances import observances_between
from calendar_app.extensions import db
from calendar_app.web.clock import site_today
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
    start = _date_param("from") or site_today()
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


def day_summary(day: MemorialDay) -> dict[str, Any]:
    return {
        "slug": day.slug,
        "month": day.month,
        "day": day.day,
        "events_year": day.events_year,
        "first_observed_year": day.first_observed_year,
        "is_non_working": day.is_non_working,
        "name": day.name,
        "summary": day.summary,
        "url": day_page_url(day.slug),
        "ics_urls": {lang: day_feed_url(day.slug, lang) for lang in LANGUAGES},
    }


def day_details(day: MemorialDay) -> dict[str, Any]:
    return {
        **day_summary(day),
        "anniversary_of": day.anniversary_of,
        "history": day.history,
        "facts": [fact_json(f) for f in day.facts],
        "legal_acts": [legal_act_json(a) for a in day.legal_acts],
        "moments": [moment_json(m) for m in day.moments],
        "timeline": [timeline_json(t) for t in day.timeline],
        "sources": [source_json(s) for s in cited_sources(day)],
    }


def _keys(sources: Iterable[Source]) -> list[str]:
    return [s.key for s in sources]


def fact_json(fact: Fact) -> dict[str, Any]:
    return {
        "id": fact.key,
        "kind": fact.kind,
        "value": fact.value,
        "qualifier": fact.qualifier,
        "label": fact.label,
        "is_verified": fact.is_verified,
        "sources": _keys(fact.sources),
    }


def legal_act_json(act: LegalAct) -> dict[str, Any]:
    return {
        "id": act.key,
        "adopted_on": act.adopted_on.isoformat(),
        "kind": act.kind,
        "title": act.title,
        "is_verified": act.is_verified,
        "sources": _keys(act.sources),
    }


def moment_json(moment: Moment) -> dict[str, Any]:
    return {
        "id": moment.key,
        "kind": moment.kind,
        "local_time": moment.local_time.strftime("%H:%M"),
        "timezone": moment.timezone,
        "duration_minutes": moment.duration_minutes,
        "description": moment.description,
        "is_verified": moment.is_verified,
        "sources": _keys(moment.sources),
    }


def timeline_json(entry: TimelineEntry) -> dict[str, Any]:
    return {
        "id": entry.key,
        "date": entry.occurred_on.isoformat(),
        "precision": entry.precision,
        "title": entry.title,
        "is_verified": entry.is_verified,
        "sources": _keys(entry.sources),
    }


def source_json(source: Source) -> dict[str, Any]:
    return {
        "id": source.key,
        "title": source.title,
        "publisher": source.publisher,
        "kind": source.kind,
        "language": source.language,
        "published_on": source.published_on.isoformat() if source.published_on else None,
        "published_year": source.published_year,
        "url": source.url,
        "locator": source.locator,
        "is_verified": source.is_verified,
    }
