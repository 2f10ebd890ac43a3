"""The iCalendar feeds: /calendar.ics (every day) and /days/<slug>.ics (one day).

Parameters: lang=az|en|ru, silence=0|1, alarm=<RFC 5545 duration, 0 to 30 days
before>, years_back, years_ahead, download=0|1. A bad one gets a 400 (an unknown
slug a 404, in the reader's language) with a one-line plain-text reason, never a
silently different feed.

HTTP: a strong ETag per representation (identity or gzip), Last-Modified, 304 on
If-None-Match (or, without it, If-Modified-Since), public caching, gzip when the
client accepts it, CORS for any origin. HEAD is GET without the body (Flask).
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, request
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from calendar_app.app_settings import current_settings
from calendar_app.clock import utc_now
from calendar_app.config import Settings
from calendar_app.core.ics import FeedOptions, feed_year, parse_alarm
from calendar_app.core.languages import LANGUAGES
from calendar_app.extensions import db
from calendar_app.web.counters import FEED_REQUESTS
from calendar_app.web.feed_cache import FeedCache, NoData, RenderedFeed, UnknownDay, feed_for

CACHE_KEY = "calendar_app.web.feed_cache"
CONTENT_TYPE = "text/calendar; charset=utf-8"
CACHE_CONTROL = "public, max-age=3600"  # clients poll far less often; the data changes rarely
# Query bounds: about 30 years of the largest language stays well under the ~1 MB
# beyond which Google Calendar reportedly ignores a feed. A larger configured
# default raises the bound to itself.
MAX_YEARS_BACK = 10
MAX_YEARS_AHEAD = 20
_WHOLE_NUMBER = re.compile(r"[0-9]{1,3}\Z")

feed = Blueprint("feed", __name__)


@feed.after_request
def _count(response: Response) -> Response:
    FEED_REQUESTS.labels(str(response.status_code)).inc()
    return response


@feed.record_once
def _create_cache(state: BlueprintSetupState) -> None:
    state.app.extensions.setdefault(CACHE_KEY, FeedCache())


class BadParameter(ValueError):
    """A query parameter that is malformed or out of bounds."""


@feed.get("/calendar.ics")
def all_days() -> Response:
    return _serve(None)


@feed.get("/days/<slug>.ics")
def one_day(slug: str) -> Response:
    return _serve(slug)


def feed_cache() -> FeedCache:
    cache: FeedCache = current_app.extensions[CACHE_KEY]
    return cache


def parse_options(
    args: MultiDict[str, str], settings: Settings, slug: str | None
) -> tuple[FeedOptions, bool]:
    """The feed options and the download flag from query arguments; BadParameter if wrong."""
    given = _single(args, "lang")
    lang = settings.site.default_language if given is None else given
    if lang not in LANGUAGES:
        raise BadParameter(f"unknown lang {_shown(lang)}; use one of {', '.join(LANGUAGES)}")
    alarm_text = _single(args, "alarm")
    try:
        alarm = parse_alarm(alarm_text) if alarm_text else None
    except ValueError as error:
        raise BadParameter(str(error)) from None
    options = FeedOptions(
        lang=lang,
        include_silence=_flag(args, "silence", default=True),
        alarm=alarm,
        years_back=_years(args, "years_back", settings.feed.years_back, MAX_YEARS_BACK),
        years_ahead=_years(args, "years_ahead", settings.feed.years_ahead, MAX_YEARS_AHEAD),
        slug=slug,
    )
    return options, _flag(args, "download", default=False)


def _serve(slug: str | None) -> Response:
    settings = current_settings()
    try:
        options, download = parse_options(request.args, settings, slug)
    except BadParameter as error:
        return _plain(400, str(error))
    year = feed_year(utc_now())
    try:
        rendered = feed_for(
            db.session, feed_cache(), options, year=year, base_url=settings.server.base_url
        )
    except UnknownDay:
        # In the reader's language (?lang, else Accept-Language): a calendar app shows it.
        text = gettext("There is no memorial day “%(slug)s”.", slug=_one_line(slug or ""))
        return _plain(404, text)
    except NoData:
        return _plain(503, "no data has been loaded yet; try again later")

    use_gzip = accepts_gzip()
    etag = rendered.gzip_etag if use_gzip else rendered.etag
    headers = [
        ("ETag", etag),
        ("Last-Modified", rendered.http_date),
        ("Cache-Control", CACHE_CONTROL),
        ("Vary", "Accept-Encoding"),
        ("Access-Control-Allow-Origin", "*"),
    ]
    if _not_modified(rendered, etag):
        return Response(status=304, headers=headers)
    headers += [("Content-Type", CONTENT_TYPE), ("X-Content-Type-Options", "nosniff")]
    if use_gzip:
        headers.append(("Content-Encoding", "gzip"))
    if download:
        name = f"{slug or 'memorial-days'}-{options.lang}.ics"
        headers.append(("Content-Disposition", f'attachment; filename="{name}"'))
    return Response(rendered.gzipped if use_gzip else rendered.body, status=200, headers=headers)


def _not_modified(rendered: RenderedFeed, etag: str) -> bool:
    sent = request.headers.get("If-None-Match")
    if sent is not None:  # it takes precedence over If-Modified-Since (RFC 9110, 13.2.2)
        # the usual poll sends back exactly the tag it was given: skip parsing the list
        return sent == etag or request.if_none_match.contains_weak(etag.strip('"'))
    since = request.if_modified_since
    return since is not None and rendered.last_modified <= since


def accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def _single(args: MultiDict[str, str], name: str) -> str | None:
    values = args.getlist(name)
    if len(values) > 1:
        raise BadParameter(f"{name} is given more than once")
    return values[0] if values else None


def _flag(args: MultiDict[str, str], name: str, *, default: bool) -> bool:
    value = _single(args, name)
    if value is None:
        return default
    if value not in ("0", "1"):
        raise BadParameter(f"{name} must be 0 or 1, not {_shown(value)}")
    return value == "1"


def _years(args: MultiDict[str, str], name: str, default: int, bound: int) -> int:
    value = _single(args, name)
    limit = max(bound, default)
    if value is None:
        return default
    if not _WHOLE_NUMBER.match(value) or int(value) > limit:
        raise BadParameter(f"{name} must be a whole number from 0 to {limit}, not {_shown(value)}")
    return int(value)


def _one_line(value: str) -> str:
    """User input shown on one line, cut short: control characters as escapes."""
    return repr(value if len(value) <= 40 else value[:40] + "…")[1:-1]


def _shown(value: str) -> str:
    """User input quoted on one line and cut short."""
    return repr(value if len(value) <= 40 else value[:40] + "…")


def _plain(status: int, reason: str) -> Response:
    return Response(
        reason + "\n",
        status=status,
        content_type="text/plain; charset=utf-8",
        headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"},
    )
