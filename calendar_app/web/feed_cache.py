"""Feeds read from the database, rendered once per (options, data version, year) and kept.

A poll of an unchanged feed costs a dictionary look-up: the bytes, their gzip
form and both ETags are computed when the feed is first rendered. The data
version (``data_state``: changed_dt and content hash) is read from the database
at most once every ``version_ttl`` seconds per process, so a `calendar-app data
load` shows in the feeds within that time (2 s by default) while a burst of
polls never touches the database. Each process keeps its own cache (gunicorn
workers share nothing); the cache is bounded by the bytes it holds, least
recently used first out.

A variant not yet kept (a new ``alarm=`` value, say) reads the days with their
records and is rendered by icalendar (``core.ics.render_calendar``).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from email.utils import format_datetime

from sqlalchemy.exc import DBAPIError

from calendar_app.core.ics import FeedOptions, render_calendar, year_start_utc
from calendar_app.data import queries
from calendar_app.data.deadlines import deadline
from calendar_app.data.queries import DbSession
from calendar_app.web.counters import FEED_CACHE_HITS

DEFAULT_MAX_BYTES = 32 * 1024 * 1024
DEFAULT_VERSION_TTL = 2.0  # seconds a process trusts the data version it last read

DataVersion = tuple[dt.datetime, str]  # data_state.changed_dt (naive UTC), content_hash


class NoData(LookupError):
    """No data has been loaded yet: there is nothing to render."""


class UnknownDay(LookupError):
    """The slug names no active memorial day."""


@dataclass(frozen=True)
class RenderedFeed:
    body: bytes
    gzipped: bytes
    etag: str  # strong, quoted, over ``body``
    gzip_etag: str  # strong, quoted, over the gzip representation
    last_modified: dt.datetime  # aware UTC, whole seconds
    http_date: str  # last_modified as an HTTP date

    @classmethod
    def of(cls, body: bytes, last_modified: dt.datetime) -> RenderedFeed:
        digest = hashlib.sha256(body).hexdigest()[:32]
        modified = last_modified.astimezone(dt.UTC).replace(microsecond=0)
        return cls(
            body=body,
            # mtime=0: the same body always compresses to the same bytes
            gzipped=gzip.compress(body, compresslevel=9, mtime=0),
            etag=f'"{digest}"',
            gzip_etag=f'"{digest}-gzip"',
            last_modified=modified,
            http_date=format_datetime(modified, usegmt=True),
        )

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped)


def representation_modified(data_changed: dt.datetime, year: int) -> dt.datetime:
    """When these bytes last changed: the data's last change, or the window's last move
    on 1 January (Baku), whichever is later. Without the second, a client that only
    sends If-Modified-Since would keep last year's window."""
    changed = data_changed.replace(tzinfo=dt.UTC) if data_changed.tzinfo is None else data_changed
    return max(changed.astimezone(dt.UTC), year_start_utc(year))


class FeedCache:
    """A thread-safe LRU of rendered feeds, bounded by total bytes."""

    def __init__(
        self,
        max_bytes: int = DEFAULT_MAX_BYTES,
        version_ttl: float = DEFAULT_VERSION_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_bytes = max_bytes
        self.version_ttl = version_ttl
        self._clock = clock
        self._entries: OrderedDict[Hashable, RenderedFeed] = OrderedDict()
        self._bytes = 0
        self._version: tuple[float, DataVersion] | None = None
        self._asking = False  # a request is reading the data version now
        self._lock = threading.Lock()

    def data_version(self, read: Callable[[], DataVersion | None]) -> DataVersion | None:
        """The data version, read through ``read`` unless read less than version_ttl ago.

        While the database is away (``read`` raises a database error) the version last
        read stays in use, so feeds already rendered are still served from memory; one
        request at a time asks again (the others do not wait for it), every version_ttl.
        """
        now = self._clock()
        with self._lock:
            known = self._version
            if known is not None and (now - known[0] < self.version_ttl or self._asking):
                return known[1]
            self._asking = known is not None
        try:
            version = read()
        except DBAPIError:
            if known is None:
                raise
            with self._lock:
                self._version = (now, known[1])  # ask again after version_ttl
            return known[1]
        finally:
            with self._lock:
                self._asking = False
        if version is not None:  # until data is loaded, look every time
            with self._lock:
                self._version = (now, version)
        return version

    def get(self, key: Hashable) -> RenderedFeed | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: Hashable, feed: RenderedFeed) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            if feed.size > self.max_bytes:
                return
            self._entries[key] = feed
            self._bytes += feed.size
            while self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.size

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self._version = None

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes_held(self) -> int:
        """Bytes of rendered feeds (both forms) held now."""
        with self._lock:
            return self._bytes


def feed_for(
    session: DbSession, cache: FeedCache, options: FeedOptions, *, year: int, base_url: str
) -> RenderedFeed:
    """The feed for ``options`` around ``year``, from the cache or rendered now.

    Raises NoData before the first data load and UnknownDay for an unknown slug.
    """
    version = cache.data_version(lambda: read_data_version(session))
    if version is None:
        raise NoData("no data has been loaded")
    key = (options, year, version, base_url)
    found = cache.get(key)
    if found is not None:
        FEED_CACHE_HITS.inc()
        return found

    days = queries.days_with_records(session)
    if options.slug is not None and all(day.slug != options.slug for day in days):
        raise UnknownDay(options.slug)
    changed = version[0]
    body = render_calendar(days, options, year=year, base_url=base_url, data_changed=changed)
    feed = RenderedFeed.of(body, representation_modified(changed, year))
    cache.put(key, feed)
    return feed


VERSION_READ_SECONDS = 1.0  # the longest a feed request waits for the data version


def read_data_version(session: DbSession) -> DataVersion | None:
    try:
        with deadline(VERSION_READ_SECONDS):
            state = queries.data_state(session)
    except DBAPIError:
        session.rollback()  # the request may go on from memory, or to its 503
        raise
    return None if state is None else (state.changed_dt, state.content_hash)
