"""The in-process cache of rendered feeds: bounded, least recently used out, versions trusted
only for a short while."""

from __future__ import annotations

import datetime as dt
import gzip

from calendar_app.web.feed_cache import FeedCache, RenderedFeed, representation_modified

STAMP = dt.datetime(2027, 1, 2, 3, 4, 5, 678, tzinfo=dt.UTC)


def feed(size: int, fill: bytes = b"x") -> RenderedFeed:
    return RenderedFeed.of(fill * size, STAMP)


def test_a_rendered_feed_carries_both_representations() -> None:
    rendered = RenderedFeed.of(b"BEGIN:VCALENDAR\r\n", STAMP)
    assert gzip.decompress(rendered.gzipped) == rendered.body
    assert RenderedFeed.of(b"BEGIN:VCALENDAR\r\n", STAMP) == rendered  # gzip without a timestamp
    assert rendered.etag.startswith('"') and not rendered.etag.startswith("W/")
    assert rendered.gzip_etag != rendered.etag
    assert rendered.last_modified == dt.datetime(2027, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert rendered.http_date == "Sat, 02 Jan 2027 03:04:05 GMT"


def test_the_cache_is_bounded_by_bytes_and_evicts_the_least_recently_used() -> None:
    one = feed(400, b"a")
    size = one.size
    cache = FeedCache(max_bytes=size * 2)
    cache.put("a", one)
    cache.put("b", feed(400, b"b"))
    assert cache.get("a") is one  # a is now the most recently used
    cache.put("c", feed(400, b"c"))
    assert cache.get("b") is None and cache.get("a") is one and cache.get("c") is not None
    cache.put("huge", feed(size * 10))
    assert cache.get("huge") is None and len(cache) == 2
    cache.clear()
    assert len(cache) == 0


def test_the_data_version_is_read_again_after_the_ttl() -> None:
    now = [0.0]
    reads: list[int] = []
    version = (dt.datetime(2026, 1, 1), "hash")

    def read() -> tuple[dt.datetime, str]:
        reads.append(1)
        return version

    cache = FeedCache(version_ttl=2.0, clock=lambda: now[0])
    assert cache.data_version(read) == version
    now[0] = 1.9
    assert cache.data_version(read) == version
    assert len(reads) == 1
    now[0] = 2.0
    cache.data_version(read)
    assert len(reads) == 2
    cache.clear()
    cache.data_version(read)
    assert len(reads) == 3


def test_no_data_is_never_remembered() -> None:
    calls: list[int] = []

    def nothing() -> None:
        calls.append(1)

    cache = FeedCache()
    assert cache.data_version(nothing) is None
    assert cache.data_version(nothing) is None
    assert len(calls) == 2


def test_last_modified_is_the_later_of_the_data_change_and_new_year_in_baku() -> None:
    assert representation_modified(dt.datetime(2026, 6, 1), 2026) == dt.datetime(
        2026, 6, 1, tzinfo=dt.UTC
    )
    assert representation_modified(dt.datetime(2026, 6, 1), 2027) == dt.datetime(
        2026, 12, 31, 20, 0, tzinfo=dt.UTC
    )
