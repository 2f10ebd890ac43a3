"""Pages rendered once per (address, language, day in Baku, data version) and kept.

A page depends on its address (path and query), the reader's language, the
site's today and the data; nothing else (no form, no session). The first
request for a combination renders it; later ones answer the kept bytes (and
their precomputed gzip form) with no query and no template. The data version is
read at most every 2 seconds per process, as for the feeds (``FeedCache``), so
a `calendar-app data load` shows within that time. Bounded by bytes, least
recently used out.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Response, current_app, request

from calendar_app.app_settings import current_settings
from calendar_app.clock import baku_today
from calendar_app.extensions import db
from calendar_app.web.compression import accepts_gzip
from calendar_app.web.feed_cache import FeedCache, RenderedFeed, read_data_version
from calendar_app.web.i18n import request_language

PAGE_CACHE_KEY = "calendar_app.web.page_cache"
MAX_BYTES = 16 * 1024 * 1024
CONTENT_TYPE = "text/html; charset=utf-8"
PAGE_VARY = "Accept-Encoding, Accept-Language, Cookie"

View = TypeVar("View", bound=Callable[..., object])


def page_cache() -> FeedCache:
    cache: FeedCache = current_app.extensions[PAGE_CACHE_KEY]
    return cache


def cached_page(view: Callable[..., str]) -> Callable[..., Response | str]:
    """Keep what ``view`` renders; an error it raises (a 404) is never kept."""

    @functools.wraps(view)
    def wrapper(**kwargs: object) -> Response | str:
        cache = page_cache()
        version = cache.data_version(lambda: read_data_version(db.session))
        if version is None:  # nothing loaded yet: nothing worth keeping
            return view(**kwargs)
        key = (
            request.endpoint,
            request.path,
            tuple(sorted(request.args.items(multi=True))),
            request_language(),  # what Flask-Babel settles on, without building a Locale
            baku_today(),
            version,
        )
        page = cache.get(key)
        if page is None:
            page = RenderedFeed.of(view(**kwargs).encode("utf-8"), version[0])
            cache.put(key, page)
        # the page was chosen by the reader's language (Accept-Language, the cookie) and
        # is sent in the form their Accept-Encoding takes: one Vary names all three
        headers = [("Content-Type", CONTENT_TYPE), ("Vary", PAGE_VARY)]
        if accepts_gzip() and current_settings().server.compress:
            headers.append(("Content-Encoding", "gzip"))
            return Response(page.gzipped, headers=headers)
        return Response(page.body, headers=headers)

    return wrapper


def init_app(app: Flask) -> None:
    app.extensions.setdefault(PAGE_CACHE_KEY, FeedCache(MAX_BYTES))
