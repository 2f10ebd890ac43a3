"""One planner at a time: a PostgreSQL advisory lock held for the process's life.

The lock lives on a dedicated connection; when the leader dies its connection
closes, PostgreSQL releases the lock, and a waiting scheduler takes over at
its next try. SQLite runs a single process, so there the caller always leads.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

LOCK_KEY = 0x5EED_0001  # any constant shared by every scheduler of this service


class Leadership:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.connection: Connection | None = None

    @property
    def needs_lock(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def try_acquire(self) -> bool:
        if not self.needs_lock:
            return True
        if self.connection is None:
            self.connection = self.engine.connect()
        got: Any = self.connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}
        ).scalar()
        self.connection.commit()
        return bool(got)

    def wait(self, poll_seconds: float, on_wait: Callable[[], None] | None = None) -> None:
        """Block until this process leads."""
        while not self.try_acquire():
            if on_wait is not None:
                on_wait()
            time.sleep(poll_seconds)

    def release(self) -> None:
        if self.connection is not None:
            self.connection.close()  # closing the session releases the lock
            self.connection = None
