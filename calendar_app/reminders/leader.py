"""One planner at a time: a PostgreSQL advisory lock held for the process's life.

The lock lives on a dedicated connection; when the leader dies its connection
closes, PostgreSQL releases the lock, and a waiting scheduler takes over at
its next try. SQLite runs a single process, so there the caller always leads.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from calendar_app.reminders.scheduler import TICK_JOB_ID

LOCK_KEY = 0x5EED_0001  # any constant shared by every scheduler of this service
POLL_SECONDS = 5  # how often a waiting scheduler tries the lock, and a leader checks it
GUARD_JOB_ID = "leadership-check"

Say = Callable[[str], None]


class Leadership:
    def __init__(self, engine: Engine, say: Say) -> None:
        self.engine = engine
        self.say = say
        self.connection: Connection | None = None

    @property
    def needs_lock(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def try_acquire(self) -> bool:
        """Take the lock if it is free; a database outage means "not now", not a crash."""
        if not self.needs_lock:
            return True
        try:
            if self.connection is None:
                self.connection = self.engine.connect()
            got: Any = self.connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}
            ).scalar()
            self.connection.commit()
        except SQLAlchemyError as error:
            self.say(f"database unavailable; cannot lead yet: {_first_line(error)}")
            self.release()  # a new connection next time
            return False
        return bool(got)

    def is_alive(self) -> bool:
        """Whether the connection that holds the lock still answers."""
        if self.connection is None:
            return False
        try:
            self.connection.execute(text("SELECT 1"))
            self.connection.commit()
        except SQLAlchemyError:
            self.release()
            return False
        return True

    def release(self) -> None:
        """Close the lock's connection (which releases the lock); never raises."""
        if self.connection is not None:
            with contextlib.suppress(SQLAlchemyError):
                self.connection.close()
            self.connection = None


def run_while_leading(
    scheduler: BaseScheduler, leadership: Leadership, stopping: threading.Event
) -> None:
    """Wait for the lead, then run ``scheduler`` until it is shut down or ``stopping`` is set."""
    try:
        while not stopping.is_set() and not leadership.try_acquire():
            leadership.say("another scheduler leads; waiting to take over")
            sleep_unless(POLL_SECONDS, stopping.is_set)
        if stopping.is_set():  # SIGTERM while waiting: leave, even if the lock just came free
            return
        leadership.say("reminder scheduler running; Ctrl+C stops it")
        if leadership.needs_lock:
            _guard(scheduler, leadership)
        scheduler.start()
    finally:
        leadership.release()


def _guard(scheduler: BaseScheduler, leadership: Leadership) -> None:
    """The lock lives as long as its connection. An outage drops both, and another
    scheduler may take the lock when the database returns: until this one holds the lock
    again, its tick is paused, so that only one process plans at a time."""
    leading = True

    def check() -> None:
        nonlocal leading
        if leading and not leadership.is_alive():
            leading = False
            scheduler.pause_job(TICK_JOB_ID)
            leadership.say("lost the database connection that held the lead; ticking paused")
        if not leading and leadership.try_acquire():
            leading = True
            scheduler.resume_job(TICK_JOB_ID)
            leadership.say("reminder scheduler running again")

    scheduler.add_job(
        check,
        "interval",
        seconds=POLL_SECONDS,
        id=GUARD_JOB_ID,
        replace_existing=True,
        max_instances=1,
        coalesce=True,
    )


def sleep_unless(seconds: float, stop: Callable[[], bool]) -> None:
    """Sleep ``seconds``, waking early once ``stop()`` is true."""
    end = time.monotonic() + seconds
    while time.monotonic() < end and not stop():
        time.sleep(min(0.2, max(0.0, end - time.monotonic())))


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
