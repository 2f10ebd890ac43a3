"""`/metrics` for Prometheus ([metrics] enabled; off by default).

Two kinds of figure. Those about reminders and mail are read from the database
at scrape time, so every process (web workers, schedulers, workers on other
machines) counts, and any web worker gives the same answer. Feed requests and
feed-cache hits happen in the web workers: they are prometheus_client counters,
which under gunicorn must share a folder named by PROMETHEUS_MULTIPROC_DIR
(set in the service's environment; `calendar-app serve` empties it at start),
and are summed over the workers' files at scrape time.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

from flask import Blueprint, Flask, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from calendar_app.clock import utc_now_naive
from calendar_app.data import delivery_stats
from calendar_app.data.queries import DbSession
from calendar_app.data.statuses import MailEventKind, ReminderStatus, SubscriberStatus
from calendar_app.extensions import db
from calendar_app.web.counters import FEED_CACHE_HITS, FEED_REQUESTS

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"

metrics = Blueprint("metrics", __name__)


class DeliveryCollector(Collector):
    """Reminder and mail figures from the database, as of the scrape."""

    def __init__(self, session: DbSession, now: dt.datetime) -> None:
        self.session = session
        self.now = now

    def collect(self) -> Iterator[Metric]:
        found = delivery_stats.figures(self.session, self.now)
        reminders = GaugeMetricFamily(
            "calendar_reminders", "Reminders in the outbox, by state", labels=["state"]
        )
        for state in ReminderStatus:
            reminders.add_metric([state.value], found.reminders.get(state.value, 0))
        yield reminders
        subscribers = GaugeMetricFamily(
            "calendar_subscribers", "Subscribers, by state", labels=["state"]
        )
        for status in SubscriberStatus:
            subscribers.add_metric([status.value], found.subscribers.get(status.value, 0))
        yield subscribers
        yield GaugeMetricFamily(
            "calendar_reminders_backlog",
            "Reminders due and not yet handed to the relay",
            value=found.backlog,
        )
        waited = (self.now - found.oldest_due).total_seconds() if found.oldest_due else 0.0
        yield GaugeMetricFamily(
            "calendar_reminders_oldest_due_seconds",
            "How long the longest-waiting due reminder has waited (0: none waits)",
            value=max(waited, 0.0),
        )
        yield GaugeMetricFamily(
            "calendar_reminders_sent_last_minute",
            "Reminders handed to the relay in the last minute",
            value=found.sent_last_minute,
        )
        yield GaugeMetricFamily(
            "calendar_reminders_failed_last_minute",
            "Reminders refused for good by the relay in the last minute",
            value=found.failed_last_minute,
        )
        bounces = CounterMetricFamily(
            "calendar_mail_bounces",
            "Bounces: hard and soft (reports received), rejected (refused at SMTP time)",
            labels=["kind"],
        )
        for kind, label in (
            (MailEventKind.HARD_BOUNCE, "hard"),
            (MailEventKind.SOFT_BOUNCE, "soft"),
            (MailEventKind.REJECTED, "rejected"),
        ):
            bounces.add_metric([label], found.events.get(kind, 0))
        yield bounces
        yield CounterMetricFamily(
            "calendar_mail_complaints",
            "Abuse reports (ARF) received about our mail",
            value=found.events.get(MailEventKind.COMPLAINT, 0),
        )
        yield CounterMetricFamily(
            "calendar_mail_unsubscribes_by_mail",
            "Unsubscribes sent to the List-Unsubscribe mailto: address",
            value=found.events.get(MailEventKind.UNSUBSCRIBE, 0),
        )


def exposition(session: DbSession, now: dt.datetime) -> bytes:
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROCESS_ENV):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # all workers, summed
    else:
        registry.register(FEED_REQUESTS)
        registry.register(FEED_CACHE_HITS)
    registry.register(DeliveryCollector(session, now))
    return generate_latest(registry)


@metrics.get("/metrics")
def scrape() -> Response:
    now = utc_now_naive()
    return Response(exposition(db.session, now), content_type=CONTENT_TYPE_LATEST)


def init_app(app: Flask, enabled: bool) -> None:
    if enabled:
        app.register_blueprint(metrics)


def prepare_workers(enabled: bool, workers: int) -> str | None:
    """Before gunicorn forks: empty the counters' folder; a warning if it is missing."""
    folder = os.environ.get(MULTIPROCESS_ENV)
    if folder:
        for stale in Path(folder).glob("*.db"):  # a previous run's counts
            stale.unlink()
        return None
    if enabled and workers > 1:
        return (
            f"[metrics] enabled with {workers} workers but {MULTIPROCESS_ENV} is not set: "
            "the feed counters will be those of whichever worker answers the scrape"
        )
    return None
