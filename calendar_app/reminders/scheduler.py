"""The ticker: APScheduler in exactly one process; the database is the schedule.

Every tick forgets expired sign-ups, plans what is newly in reach and sends
what is due. The first tick runs at start, so reminders that fell due while
nothing ran are sent then if their deadline has not passed.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from calendar_app.app_settings import current_settings
from calendar_app.clock import utc_now_naive
from calendar_app.core.ics import feed_host
from calendar_app.core.send_rate import Pacer
from calendar_app.data import mail_log
from calendar_app.extensions import db
from calendar_app.mail.backends import backend_from_settings
from calendar_app.reminders import outbox
from calendar_app.reminders.compose import ReminderComposer
from calendar_app.reminders.dispatch import DispatchReport, Retry, dispatch_due
from calendar_app.reminders.relatives import expire_pending_shares
from calendar_app.reminders.remembrance import expire_pending_people
from calendar_app.reminders.subscriptions import expire_pending, prune_tokens

log = logging.getLogger("calendar_app.reminders")
TICK_JOB_ID = "reminders-tick"


FULL_PASS_EVERY = dt.timedelta(hours=1)


@dataclass
class Planner:
    """A scheduler's memory of its last pass over every subscriber.

    Such a pass finds new reminders only when an occurrence comes into reach or
    the data changes: sign-ups and changed preferences are planned when they
    are saved (subscriptions.confirm and update_preferences). So a tick whose
    occurrences in reach and data version are those of the last pass skips it,
    except once ``every`` (an hour), which catches anything else, such as rows
    restored by hand. A skipped pass costs two small queries.
    """

    every: dt.timedelta = FULL_PASS_EVERY
    seen: tuple[object, ...] | None = None
    passed_at: dt.datetime | None = None

    def can_skip(self, seen: tuple[object, ...] | None, now: dt.datetime) -> bool:
        if self.passed_at is None or seen is None or seen != self.seen:
            return False
        return self.passed_at <= now < self.passed_at + self.every


@dataclass(frozen=True)
class TickReport:
    expired_signups: int
    planned: int | None  # None: the pass was skipped, as nothing new could be in reach
    dispatched: DispatchReport

    def summary(self) -> str:
        return (
            f"{_planned(self.planned)}, sent: {self.dispatched.summary()}, "
            f"forgot {self.expired_signups} unconfirmed sign-ups"
        )


def _planned(planned: int | None) -> str:
    return "nothing new in reach" if planned is None else f"planned {planned} new"


def plan_once(now: dt.datetime, planner: Planner | None = None) -> tuple[int, int | None]:
    """Forget expired sign-ups (and VERP tokens and links past keeping), plan what is new;
    (forgotten sign-ups, planned).

    With a ``planner``, a pass that can find nothing new is skipped (planned None).
    """
    session = db.session
    try:
        expired = expire_pending(session, now) + expire_pending_people(session, now)
        expired += expire_pending_shares(session, now)
        mail_log.forget_old_sent(session, now)
        prune_tokens(session, now)
        seen = outbox.in_reach(session, now) if planner is not None else None
        skip = planner is not None and planner.can_skip(seen, now)
        planned = None if skip else outbox.plan_everyone(session, now)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    if planner is not None and planned is not None:
        planner.seen, planner.passed_at = seen, now  # only once the pass is committed
    return expired, planned


def dispatch_once(
    now: dt.datetime | None = None, stop: Callable[[], bool] | None = None
) -> DispatchReport:
    """Send what is due (at ``now``, or by the real clock). Safe in any number of processes.

    ``stop`` (a worker's SIGTERM) ends the run after the message in flight.
    """
    settings = current_settings()
    reminders = settings.reminders
    return dispatch_due(
        db.session,
        backend_from_settings(settings.mail),
        ReminderComposer(settings),
        (lambda: now) if now is not None else utc_now_naive,
        domain=feed_host(settings.server.base_url),
        lease_for=dt.timedelta(seconds=reminders.lease_seconds),
        retry=Retry(
            dt.timedelta(seconds=reminders.retry_seconds),
            dt.timedelta(seconds=reminders.retry_max_seconds),
        ),
        stop=stop or (lambda: False),
        pacer=Pacer(settings.mail.max_per_second, time.monotonic, time.sleep),
        verp_key=settings.mail.token_key if settings.mail.bounce_domain else None,
    )


def run_once(now: dt.datetime) -> TickReport:
    """Plan and send everything due at ``now`` (naive UTC). Needs an app context."""
    expired, planned = plan_once(now)
    return TickReport(expired, planned, dispatch_once(now))


def _tick(app: Flask, dispatch: bool, planner: Planner, stopping: threading.Event) -> None:
    with app.app_context():
        try:
            expired, planned = plan_once(utc_now_naive(), planner)
            if dispatch:
                report = TickReport(expired, planned, dispatch_once(stop=stopping.is_set))
                log.info("tick: %s", report.summary())
            else:
                log.info("tick: %s, forgot %d sign-ups", _planned(planned), expired)
        except Exception:  # the ticker must survive an outage and try again next tick
            log.exception("tick failed; retrying at the next tick")
        finally:
            db.session.remove()


def build_scheduler(
    app: Flask, dispatch: bool = True, stopping: threading.Event | None = None
) -> BaseScheduler:
    """A blocking scheduler with the one job, declared once with a stable id.

    ``dispatch=False`` only plans, for deployments whose `calendar-app worker`
    processes send. Once ``stopping`` is set, a tick that is sending finishes
    the message in flight and hands the rest of its batch back.
    """
    with app.app_context():
        seconds = current_settings().reminders.tick_seconds
    scheduler = BlockingScheduler(timezone=dt.UTC)
    scheduler.add_job(
        _tick,
        "interval",
        seconds=seconds,
        args=[app, dispatch, Planner(), stopping or threading.Event()],
        id=TICK_JOB_ID,
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        next_run_time=dt.datetime.now(dt.UTC),  # catch up at once on start
    )
    return scheduler
