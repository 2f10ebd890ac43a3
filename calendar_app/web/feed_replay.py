"""Replay of recent feed responses, in front of Flask.

Calendar clients poll the same few feed URLs over and over. The first request
for a (path, query, Accept-Encoding) goes through Flask as usual — parameters
checked, rate limit, feed cache, conditional request, every after-request hook
— and this layer records the final status, headers and body of a 200. For the
next ``TTL_SECONDS`` the same request is answered from that record, with the
same bytes and the same headers (security headers included); a poll that sends
back the recorded ETag gets the 304 Flask would have sent. After the TTL the
next request goes through Flask again, so a data load or the new year shows
within ``TTL_SECONDS``, as with the feed cache itself. Anything else (HEAD,
If-Modified-Since, errors, other paths) always goes through Flask. Replayed
polls count against their own per-client limit with the feeds' allowance, and
past it get a plain-text 429 with Retry-After (feeds are read by programs).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import threading
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from limits import parse

from calendar_app.ics import feed_year
from calendar_app.web.feed import CACHE_KEY
from calendar_app.web.limits import FEEDS, limiter

MAX_ENTRIES = 512
FEED_PATH = re.compile(r"\A/(?:calendar|days/[a-z0-9-]{1,40})\.ics\Z")
FEED_LIMIT = parse(FEEDS)
NOT_MODIFIED_DROPS = {"content-length", "content-type", "content-encoding", "content-disposition"}

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass(frozen=True)
class Recorded:
    headers: list[tuple[str, str]]
    not_modified_headers: list[tuple[str, str]]
    body: bytes
    etag: str | None
    version: Hashable
    year: int


class FeedReplay:
    def __init__(self, app: WsgiApp, flask_app: Flask, rate_limited: bool) -> None:
        self.app = app
        self.flask_app = flask_app
        self.rate_limited = rate_limited
        self.entries: dict[tuple[str, str, str], Recorded] = {}
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") != "GET" or not FEED_PATH.match(path):
            return self.app(environ, start_response)
        key = (path, environ.get("QUERY_STRING", ""), environ.get("HTTP_ACCEPT_ENCODING", ""))
        recorded = self.entries.get(key)
        if (
            recorded is not None
            and "HTTP_IF_MODIFIED_SINCE" not in environ
            and self._current() == (recorded.version, recorded.year)
        ):
            wait = self._wait(environ)
            if wait:
                return self._too_many(wait, start_response)
            sent = environ.get("HTTP_IF_NONE_MATCH")
            if sent is not None and sent == recorded.etag:
                start_response("304 NOT MODIFIED", recorded.not_modified_headers)
                return []
            if sent is None:
                start_response("200 OK", recorded.headers)
                return [recorded.body]
        return self._record(key, environ, start_response)

    def _current(self) -> tuple[Hashable, int] | None:
        """The feed cache's trusted data version and the feed year, or None."""
        cache = self.flask_app.extensions.get(CACHE_KEY)
        version = cache.trusted_version() if cache is not None else None
        if version is None:
            return None
        clock = self.flask_app.config.get("CLOCK")
        return version, feed_year(clock() if clock is not None else dt.datetime.now(dt.UTC))

    def _wait(self, environ: dict[str, Any]) -> int:
        """0 if this client may poll again now, else the seconds until it may."""
        if not self.rate_limited:
            return 0
        client = environ.get("REMOTE_ADDR", "")
        if limiter.limiter.hit(FEED_LIMIT, "feed-replay", client):
            return 0
        reset = limiter.limiter.get_window_stats(FEED_LIMIT, "feed-replay", client).reset_time
        return max(1, math.ceil(reset - time.time()))

    @staticmethod
    def _too_many(wait: int, start_response: StartResponse) -> Iterable[bytes]:
        body = f"Too many requests: try again in {wait} seconds.\n".encode()
        start_response(
            "429 TOO MANY REQUESTS",
            [
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("Retry-After", str(wait)),
                ("Access-Control-Allow-Origin", "*"),
                ("X-Content-Type-Options", "nosniff"),
            ],
        )
        return [body]

    def _record(
        self, key: tuple[str, str, str], environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, *rest)

        chunks = list(self.app(environ, capture))
        headers = list(seen.get("headers", []))
        replayable = (
            str(seen.get("status", "")).startswith("200 ")
            and "HTTP_IF_NONE_MATCH" not in environ
            and not any(k.lower() == "set-cookie" for k, _ in headers)
        )
        current = self._current()
        if replayable and current is not None:
            etag = next((v for k, v in headers if k.lower() == "etag"), None)
            entry = Recorded(
                headers=headers,
                not_modified_headers=[
                    (k, v) for k, v in headers if k.lower() not in NOT_MODIFIED_DROPS
                ],
                body=b"".join(chunks),
                etag=etag,
                version=current[0],
                year=current[1],
            )
            with self.lock:
                if len(self.entries) >= MAX_ENTRIES:
                    self.entries.clear()  # many distinct queries: start over rather than grow
                self.entries[key] = entry
        return chunks
