"""Deadlines on PostgreSQL statements, kept by the client: a database that stops answering
(a frozen link: the socket stays open, no reply comes) must not hold a request.

The server's own ``statement_timeout`` cannot help there (the statement never
arrives) and TCP keepalives neither (a frozen peer still acknowledges). So a
watchdog thread shuts the socket of a connection whose statement outlives its
deadline; psycopg then raises OperationalError, the pool drops the connection,
and the web edge answers 503 (web/outage.py).

Deadlines apply only where ``deadline(seconds)`` is in force (a web request, the
readiness check): the scheduler's and the CLI's long statements are never cut.
The check-out ping (instead of ``pool_pre_ping``) and the rollback when a
connection goes back to the pool run under the same deadline.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Dialect, Engine, event, exc

_local = threading.local()


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Statements of this thread get at most ``seconds`` each, inside the block."""
    outer = getattr(_local, "seconds", None)
    _local.seconds = seconds if outer is None else min(outer, seconds)
    try:
        yield
    finally:
        _local.seconds = outer


def set_deadline(seconds: float | None) -> None:
    """For a whole request: from its first hook to its teardown (None: no deadline)."""
    _local.seconds = seconds


def current_deadline() -> float | None:
    seconds: float | None = getattr(_local, "seconds", None)
    return seconds


class Watchdog:
    """One daemon thread per process; shuts sockets whose statement is overdue."""

    TICK = 0.1  # seconds between looks

    def __init__(self) -> None:
        self._due: dict[int, tuple[float, int]] = {}  # id(dbapi connection) -> (when, fd)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.cut = 0  # statements cut short, for tests and logs

    def watch(self, dbapi_connection: Any) -> None:
        seconds = current_deadline()
        fd = _socket_of(dbapi_connection)
        if seconds is None or fd is None:
            return
        with self._lock:
            self._due[id(dbapi_connection)] = (time.monotonic() + seconds, fd)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="db-deadlines", daemon=True)
                self._thread.start()

    def release(self, dbapi_connection: Any) -> None:
        with self._lock:
            self._due.pop(id(dbapi_connection), None)

    def _run(self) -> None:
        while True:
            time.sleep(self.TICK)
            now = time.monotonic()
            with self._lock:
                overdue = [k for k, (when, _) in self._due.items() if when <= now]
                fds = [self._due.pop(k)[1] for k in overdue]
            for fd in fds:
                self.cut += 1
                with contextlib.suppress(OSError):  # shuts the connection's own socket
                    sock = socket.socket(fileno=fd)
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    finally:
                        sock.detach()  # the fd stays psycopg's


WATCHDOG = Watchdog()


def _socket_of(dbapi_connection: Any) -> int | None:
    pgconn = getattr(dbapi_connection, "pgconn", None)  # psycopg 3
    fd = getattr(pgconn, "socket", None) if pgconn is not None else None
    return fd if isinstance(fd, int) and fd >= 0 else None


def _before(conn: Any, cursor: Any, statement: Any, params: Any, context: Any, many: Any) -> None:
    WATCHDOG.watch(cursor.connection)


def _after(conn: Any, cursor: Any, statement: Any, params: Any, context: Any, many: Any) -> None:
    WATCHDOG.release(cursor.connection)


def _on_error(context: Any) -> None:
    cursor = getattr(context, "cursor", None)  # none when connecting failed
    if cursor is not None:
        WATCHDOG.release(cursor.connection)


def _pinger(dialect: Dialect) -> Callable[[Any, Any, Any], None]:
    def ping_on_checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        """The pessimistic ping of ``pool_pre_ping`` (the dialect's own, which leaves no
        transaction open), under the thread's deadline."""
        _ping(dialect, dbapi_connection)

    return ping_on_checkout


def _ping(dialect: Dialect, dbapi_connection: Any) -> None:
    WATCHDOG.watch(dbapi_connection)
    try:
        dialect.do_ping(dbapi_connection)
    except Exception as error:  # any failure here means "this connection is gone"
        raise exc.DisconnectionError(str(error).splitlines()[0] if str(error) else "") from None
    finally:
        WATCHDOG.release(dbapi_connection)


def install(engine: Engine) -> None:
    """Deadlines on the statements and the check-out ping of a PostgreSQL engine."""
    event.listen(engine, "before_cursor_execute", _before)
    event.listen(engine, "after_cursor_execute", _after)
    event.listen(engine, "handle_error", _on_error)
    event.listen(engine.pool, "checkout", _pinger(engine.dialect))
    event.listen(engine.pool, "reset", lambda dbapi, _record, _state: WATCHDOG.watch(dbapi))
    event.listen(engine.pool, "checkin", lambda dbapi, _record: WATCHDOG.release(dbapi))
