"""Pure: which reminders a subscriber should get, and when, in UTC.

A reminder is due at the subscriber's send hour, in their own zone, ``lead``
days before the observance; its deadline is the end of the observance day in
that zone (after that it is never sent). A reminder that fell due before the
subscriber confirmed is left out, unless the day itself had not begun in their
zone when they confirmed and no nearer lead time of theirs for that day comes
due at or after the confirmation: then it is due at once (confirming at 08:11
with a 07:00 hour and "one day before" still brings tomorrow's reminder today;
confirming two days before with "7 and 1 days before" brings only the 1-day
reminder, at its hour). Several missed ones with nothing nearer to come are all
planned; dispatch sends the nearest and marks the rest superseded. Local times
that do not exist (a DST gap) move forward by the length of the gap; repeated
ones (a fold) are taken at their first passage. All datetimes here are naive
UTC unless named ``local``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from zoneinfo import ZoneInfo

UTC = dt.UTC
# The lead times a subscriber can choose, in days before the observance (the form offers these).
LEAD_CHOICES = (7, 1, 0)


class PlanContact(Protocol):
    """Whom reminders go to, and at which local hour in which zone."""

    @property
    def id(self) -> int: ...
    @property
    def timezone(self) -> str: ...
    @property
    def send_hour(self) -> int: ...
    @property
    def confirmed_dt(self) -> dt.datetime | None: ...


class PlanSubscriber(PlanContact, Protocol):
    @property
    def day_slugs(self) -> Sequence[str]: ...
    @property
    def lead_days(self) -> Sequence[int]: ...


class PlanOccurrence(Protocol):
    """An occurrence whose day has a database id (occurrences.Occurrence of a model row)."""

    @property
    def slug(self) -> str: ...
    @property
    def date(self) -> dt.date: ...
    @property
    def day(self) -> Any: ...


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    subscriber_id: int
    memorial_day_id: int
    year: int
    lead_days: int
    due_dt: dt.datetime
    deadline_dt: dt.datetime

    @property
    def key(self) -> tuple[int, int, int, int]:
        return (self.subscriber_id, self.memorial_day_id, self.year, self.lead_days)


def local_instant_to_utc(day: dt.date, clock: dt.time, zone: ZoneInfo) -> dt.datetime:
    """A wall-clock time in ``zone`` as naive UTC.

    fold=0: a time inside a DST gap moves forward by the gap (02:30 in Berlin on
    31 March 2024 is 03:30 CEST); a repeated time is taken at its first passage.
    """
    local = dt.datetime.combine(day, clock, tzinfo=zone)
    return local.astimezone(UTC).replace(tzinfo=None)


@functools.lru_cache(maxsize=16384)  # a few zones and hours serve millions of subscribers
def due_and_deadline(
    occurrence_date: dt.date, lead: int, send_hour: int, zone: ZoneInfo
) -> tuple[dt.datetime, dt.datetime]:
    due = local_instant_to_utc(occurrence_date - dt.timedelta(days=lead), dt.time(send_hour), zone)
    deadline = local_instant_to_utc(occurrence_date + dt.timedelta(days=1), dt.time(0), zone)
    return due, deadline


@functools.lru_cache(maxsize=16384)
def day_begins(occurrence_date: dt.date, zone: ZoneInfo) -> dt.datetime:
    """Midnight at the start of the observance day in ``zone``, as naive UTC."""
    return local_instant_to_utc(occurrence_date, dt.time(0), zone)


def missed_before(
    due: dt.datetime, occurrence_date: dt.date, zone: ZoneInfo, since: dt.datetime | None
) -> bool:
    """Whether a reminder fell due before ``since`` (confirmation) once its day had begun.

    Such a reminder is never sent; one whose day had not begun yet goes at once,
    unless ``left_out`` finds a nearer one still to come.
    """
    return since is not None and due < since and day_begins(occurrence_date, zone) <= since


def left_out(
    dues: Sequence[tuple[int, dt.datetime]],
    occurrence_date: dt.date,
    zone: ZoneInfo,
    since: dt.datetime | None,
) -> set[int]:
    """The lead times of one reader's ``(lead, due)`` pairs for one day not to plan.

    A lead missed before ``since``: its day had begun then (``missed_before``),
    or a nearer (smaller) lead of the same reader and day comes due at or after
    ``since``, which will say the same thing.
    """
    if since is None:
        return set()
    nearest_to_come = min((lead for lead, due in dues if due >= since), default=None)
    return {
        lead
        for lead, due in dues
        if missed_before(due, occurrence_date, zone, since)
        or (due < since and nearest_to_come is not None and nearest_to_come < lead)
    }


def plan(
    subscribers: Iterable[PlanSubscriber],
    occurrences: Sequence[PlanOccurrence],
    now: dt.datetime,
) -> list[PlannedReminder]:
    """Reminders still worth sending at ``now`` for these subscribers and occurrences.

    Left out: reminders whose deadline has passed, and reminders that fell due
    before the subscriber confirmed on or after their day began (nobody wants
    last week's "in 7 days") or with a nearer one still to come (``left_out``).
    """
    planned = []
    for subscriber in subscribers:
        zone = ZoneInfo(subscriber.timezone)
        chosen = set(subscriber.day_slugs)
        leads = sorted(set(subscriber.lead_days), reverse=True)
        for occurrence in occurrences:
            if occurrence.slug not in chosen:
                continue
            times = [
                (lead, *due_and_deadline(occurrence.date, lead, subscriber.send_hour, zone))
                for lead in leads
            ]
            dues = [(lead, due) for lead, due, _ in times]
            skipped = left_out(dues, occurrence.date, zone, subscriber.confirmed_dt)
            for lead, due, deadline in times:
                if deadline <= now or lead in skipped:
                    continue
                planned.append(
                    PlannedReminder(
                        subscriber_id=subscriber.id,
                        memorial_day_id=occurrence.day.id,
                        year=occurrence.date.year,
                        lead_days=lead,
                        due_dt=due,
                        deadline_dt=deadline,
                    )
                )
    return planned
