"""Pure: sending at most N messages a second, and whether a backlog makes its deadlines.

``Pacer`` spaces one process's messages ``1 / max_per_second`` apart (a relay's
rate limit, ``[mail] max_per_second``); it reads a monotonic clock and sleeps
through the functions it is given. ``forecast`` replays the outbox in the order
the workers take it (due time, then id) at a given rate and says when the last
message would go and which would miss their deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

SLEEP_STEP = 0.5  # seconds: a pacing sleep checks ``stop`` at least this often


class Pacer:
    """At most ``per_second`` messages a second from this process (0: no limit)."""

    def __init__(
        self,
        per_second: int,
        monotonic: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        if per_second < 0:
            raise ValueError("per_second must not be negative")
        self.interval = 1.0 / per_second if per_second else 0.0
        self._monotonic = monotonic
        self._sleep = sleep
        self._next: float | None = None

    @property
    def limited(self) -> bool:
        return self.interval > 0

    def wait(self, stop: Callable[[], bool] = lambda: False) -> bool:
        """Sleep until the next message may go; False if ``stop()`` said so first."""
        if not self.limited:
            return not stop()
        now = self._monotonic()
        if self._next is not None:
            while now < self._next:
                if stop():
                    return False
                self._sleep(min(self._next - now, SLEEP_STEP))
                now = self._monotonic()
        if stop():
            return False
        # a pause (nothing due) gives no credit: the next burst starts at the rate again
        self._next = max(now, self._next or now) + self.interval
        return True

    def batch_size(self, wanted: int, lease_seconds: float) -> int:
        """A batch this pacer sends within half a lease, so no claimed row outlives it."""
        if not self.limited:
            return wanted
        return max(1, min(wanted, int(lease_seconds / 2 / self.interval)))


@dataclass(frozen=True)
class Forecast:
    messages: int
    last_sent: dt.datetime | None  # when the last would go (naive UTC)
    late: int  # how many would go after their deadline
    first_late_id: int | None
    first_late_deadline: dt.datetime | None


def forecast(
    rows: Iterable[tuple[int, dt.datetime, dt.datetime]],
    per_second: float,
    now: dt.datetime,
) -> Forecast:
    """Replay ``rows`` (id, due or next attempt, deadline), in sending order, at ``per_second``.

    Each message goes at the later of its due time and one interval after the
    previous one. ``per_second`` is what all sending processes together manage.
    """
    if per_second <= 0:
        raise ValueError("per_second must be positive")
    step = dt.timedelta(seconds=1 / per_second)
    clock = now
    count = late = 0
    first_late: tuple[int, dt.datetime] | None = None
    last: dt.datetime | None = None
    for reminder_id, ready, deadline in rows:
        count += 1
        sent = max(clock, ready)
        clock = sent + step
        last = sent
        if sent >= deadline:
            late += 1
            if first_late is None:
                first_late = (reminder_id, deadline)
    return Forecast(
        count,
        last,
        late,
        first_late[0] if first_late else None,
        first_late[1] if first_late else None,
    )
