"""`calendar-app reminders run-once|status` and `calendar-app scheduler`."""

from __future__ import annotations

import contextlib
import datetime as dt
import signal
import threading
import time
from collections.abc import Callable

import click
from apscheduler.schedulers.base import BaseScheduler
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from calendar_app.app_settings import current_settings
from calendar_app.core.send_rate import forecast
from calendar_app.data import queries
from calendar_app.extensions import db
from calendar_app.logs import configure_logging
from calendar_app.reminders.leader import Leadership
from calendar_app.reminders.scheduler import (
    TICK_JOB_ID,
    build_scheduler,
    dispatch_once,
    run_once,
)

LEADER_POLL_SECONDS = 5
FORECAST_HORIZON = dt.timedelta(days=2)
LEADERSHIP_JOB_ID = "leadership-check"


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
    now = at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    click.echo(run_once(now).summary())


@reminders_group.command("status")
@click.option(
    "--workers",
    type=click.IntRange(1, 1000),
    default=1,
    show_default=True,
    help="Sending processes, each at [mail] max_per_second, for the backlog forecast.",
)
@click.option("--at", "at", type=Instant(), help="Forecast from this instant (default: now).")
@with_appcontext
def status_command(workers: int, at: dt.datetime | None) -> None:
    """Counts by state, the next reminder due, recent failures, and whether the backlog
    due within the next two days can be sent before its deadlines at the configured rate."""
    counts = queries.reminder_counts(db.session)
    click.echo("reminders: " + (", ".join(f"{n} {s}" for s, n in counts.items()) or "none"))
    subscribers = queries.subscriber_counts(db.session)
    click.echo("subscribers: " + (", ".join(f"{n} {s}" for s, n in subscribers.items()) or "none"))
    due = queries.next_due_reminder(db.session)
    click.echo(f"next due: {due.isoformat()}Z" if due else "next due: nothing planned")
    for reminder in queries.recent_failures(db.session, limit=5):
        click.echo(f"failed: #{reminder.id} {reminder.last_error}")
    _backlog_forecast(at or dt.datetime.now(dt.UTC).replace(tzinfo=None), workers)


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
    assert seen.last_sent is not None  # nosec B101: there is at least one message
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
    leadership = Leadership(db.engine)
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
        while not stopping.is_set() and not _try_to_lead(leadership):
            click.echo("another scheduler leads; waiting to take over")
            _sleep(LEADER_POLL_SECONDS, stopping.is_set)
        if stopping.is_set():  # SIGTERM while waiting: leave, even if the lock just came free
            return
        click.echo("reminder scheduler running; Ctrl+C stops it")
        if leadership.needs_lock:
            _guard_leadership(scheduler, leadership)
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        stopping.set()  # Ctrl+C: a tick still sending stops after its message in flight
    finally:
        _quietly(leadership.release)


def _try_to_lead(leadership: Leadership) -> bool:
    """Take the lock if it is free; a database outage means "not now", not a crash."""
    try:
        return leadership.try_acquire()
    except SQLAlchemyError as error:
        click.echo(f"database unavailable; cannot lead yet: {_first_line(error)}", err=True)
        _quietly(leadership.release)  # a new connection next time
        return False


def _guard_leadership(scheduler: BaseScheduler, leadership: Leadership) -> None:
    """The lock lives as long as its connection. An outage drops both, and another
    scheduler may take the lock when the database returns: until this one holds the lock
    again, its tick is paused, so that only one process plans at a time."""
    leading = True

    def check() -> None:
        nonlocal leading
        if leading and not _connection_alive(leadership):
            leading = False
            scheduler.pause_job(TICK_JOB_ID)
            click.echo("lost the database connection that held the lead; ticking paused")
        if not leading and _try_to_lead(leadership):
            leading = True
            scheduler.resume_job(TICK_JOB_ID)
            click.echo("reminder scheduler running again")

    scheduler.add_job(
        check,
        "interval",
        seconds=LEADER_POLL_SECONDS,
        id=LEADERSHIP_JOB_ID,
        replace_existing=True,
        max_instances=1,
        coalesce=True,
    )


def _connection_alive(leadership: Leadership) -> bool:
    connection = leadership.connection
    if connection is None:
        return False
    try:
        connection.execute(text("SELECT 1"))
        connection.commit()
    except SQLAlchemyError:
        _quietly(leadership.release)
        return False
    return True


def _quietly(action: Callable[[], object]) -> None:
    """Clean-up on a connection that may already be dead must not raise."""
    with contextlib.suppress(SQLAlchemyError):
        action()


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


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
                _sleep(pause, lambda: stopping)
    except KeyboardInterrupt:
        pass


def _sleep(seconds: float, stop: Callable[[], bool]) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end and not stop():
        time.sleep(min(0.2, end - time.monotonic()))
