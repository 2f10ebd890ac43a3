"""`calendar-app reminders run-once|status` and `calendar-app scheduler`."""

from __future__ import annotations

import datetime as dt
import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from calendar_app.app_settings import current_settings
from calendar_app.clock import utc_now_naive
from calendar_app.core.send_rate import forecast
from calendar_app.data import delivery_stats, queries
from calendar_app.extensions import db
from calendar_app.logs import configure_logging
from calendar_app.reminders.leader import Leadership, run_while_leading, sleep_unless
from calendar_app.reminders.scheduler import (
    build_scheduler,
    dispatch_once,
    run_once,
)

FORECAST_HORIZON = dt.timedelta(days=2)


class Instant(click.ParamType):  # type: ignore[type-arg]
    name = "ISO8601"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.datetime:
        try:
            moment = dt.datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not an instant like 2027-01-19T05:00:00Z", param, ctx)
        if moment.tzinfo is None:
            self.fail(f"{value!r} has no time zone; add Z or an offset like +04:00", param, ctx)
        return moment.astimezone(dt.UTC).replace(tzinfo=None)


@click.group("reminders")
def reminders_group() -> None:
    """Plan and send reminder e-mails; show the outbox."""


@reminders_group.command("run-once")
@click.option("--at", "at", type=Instant(), help="Act as if it were this instant (default: now).")
@with_appcontext
def run_once_command(at: dt.datetime | None) -> None:
    """Plan and send everything due, then exit (for cron and for tests)."""
    now = at or utc_now_naive()
    click.echo(run_once(now).summary())


@reminders_group.command("status")
@click.option(
    "--workers",
    type=click.IntRange(1, 1000),
    default=1,
    show_default=True,
    help="Sending processes, each at [mail] max_per_second, for the backlog forecast.",
)
@click.option("--at", "at", type=Instant(), help="As if it were this instant (default: now).")
@with_appcontext
def status_command(workers: int, at: dt.datetime | None) -> None:
    """Counts by state, the next reminder due, recent failures, bounce and complaint rates,
    and whether the backlog due within two days can be sent before its deadlines at
    the configured rate."""
    counts = queries.reminder_counts(db.session)
    click.echo("reminders: " + (", ".join(f"{n} {s}" for s, n in counts.items()) or "none"))
    subscribers = queries.subscriber_counts(db.session)
    click.echo("subscribers: " + (", ".join(f"{n} {s}" for s, n in subscribers.items()) or "none"))
    due = queries.next_due_reminder(db.session)
    click.echo(f"next due: {due.isoformat()}Z" if due else "next due: nothing planned")
    for reminder in queries.recent_failures(db.session, limit=5):
        click.echo(f"failed: #{reminder.id} {reminder.last_error}")
    now = at or utc_now_naive()
    found = delivery_stats.rates(db.session, now)
    days = delivery_stats.RATE_WINDOW.days
    click.echo(
        f"last {days} days: {found.sent} sent, "
        f"bounce rate {_percent(found.bounce_rate)} ({found.bounces}), "
        f"complaint rate {_percent(found.complaint_rate)} ({found.complaints})"
    )
    if found.complaints_too_many:
        click.echo(
            f"warning: the complaint rate {_percent(found.complaint_rate)} is over "
            f"{_percent(delivery_stats.COMPLAINT_WARNING)}; mailbox providers (Gmail, Yahoo) "
            "send such mail to spam or refuse it",
            err=True,
        )
    _backlog_forecast(now, workers)


def _percent(rate: float) -> str:
    return f"{rate * 100:.2f} %"


def _backlog_forecast(now: dt.datetime, workers: int) -> None:
    per_process = current_settings().mail.max_per_second
    if not per_process:
        click.echo("rate: no limit ([mail] max_per_second = 0)")
        return
    rate = per_process * workers
    rows = queries.backlog_in_sending_order(db.session, now + FORECAST_HORIZON)
    seen = forecast(rows, rate, now)
    head = f"rate: {per_process}/s per process x {workers} = {rate}/s"
    if not seen.messages:
        click.echo(f"{head}; nothing due in the next {FORECAST_HORIZON.days} days")
        return
    # there is at least one message
    assert seen.last_sent is not None  # nosec B101
    click.echo(
        f"{head}; {seen.messages} due in the next {FORECAST_HORIZON.days} days, "
        f"the last sent by about {seen.last_sent.isoformat(timespec='seconds')}Z"
    )
    if seen.late:
        assert seen.first_late_deadline is not None  # nosec B101
        click.echo(
            f"warning: at {rate}/s, {seen.late} reminders would miss their deadline "
            f"(first #{seen.first_late_id}, deadline "
            f"{seen.first_late_deadline.isoformat(timespec='seconds')}Z); raise [mail] "
            "max_per_second if the relay allows it, or run more workers"
        )


@click.command("scheduler")
@click.option(
    "--plan-only",
    is_flag=True,
    help="Only plan; leave sending to `calendar-app worker` processes.",
)
@with_appcontext
def scheduler_command(plan_only: bool) -> None:
    """Run the reminder ticker in this process until stopped.

    On PostgreSQL only one scheduler leads (an advisory lock); others wait and
    take over when the leader stops.
    """
    configure_logging()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    stopping = threading.Event()

    def stop(*_: object) -> None:
        stopping.set()
        if scheduler.running:
            scheduler.shutdown(wait=False)

    scheduler = build_scheduler(app, dispatch=not plan_only, stopping=stopping)
    # SIGTERM (systemd, `serve` stopping) ends it like Ctrl+C: a tick that is sending
    # finishes the message in flight and hands the rest of its batch back.
    signal.signal(signal.SIGTERM, stop)
    try:
        run_while_leading(scheduler, Leadership(db.engine, say=_say), stopping)
    except (KeyboardInterrupt, SystemExit):
        stopping.set()  # Ctrl+C: a tick still sending stops after its message in flight


def _say(line: str) -> None:
    click.echo(line, err=line.startswith("database unavailable"))


@click.command("worker")
@click.option("--once", is_flag=True, help="Send what is due now, then exit.")
@with_appcontext
def worker_command(once: bool) -> None:
    """Send due reminders until stopped; run as many as you like, anywhere."""
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True  # the message in flight is finished, the rest of its batch handed back

    signal.signal(signal.SIGTERM, stop)
    configure_logging()
    pause = current_settings().reminders.tick_seconds
    try:
        while not stopping:
            try:
                report = dispatch_once(stop=lambda: stopping)
            except Exception as error:  # an outage: say so, wait, try again
                db.session.rollback()
                click.echo(f"dispatch failed: {error.__class__.__name__}: {error}", err=True)
                report = None
            finally:
                db.session.remove()
            if once:
                click.echo(report.summary() if report else "failed")
                return
            if report is None or not report.counts:
                sleep_unless(pause, lambda: stopping)
    except KeyboardInterrupt:
        pass
