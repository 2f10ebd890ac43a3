"""Counters the web workers keep (prometheus_client); /metrics reports them (web/metrics.py).

Under gunicorn, PROMETHEUS_MULTIPROC_DIR makes each worker write its counts to
a file in that folder, which every scrape sums.
"""

from __future__ import annotations

from prometheus_client import Counter

# Registered nowhere at import: each scrape builds its own registry (web/metrics.py).
FEED_REQUESTS = Counter(
    "calendar_feed_requests", "iCalendar feed requests answered, by status", ["status"],
    registry=None,
)  # fmt: skip
FEED_CACHE_HITS = Counter(
    "calendar_feed_cache_hits",
    "Feed requests answered from the rendered-feed cache, without rendering",
    registry=None,
)
