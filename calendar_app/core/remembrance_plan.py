"""Pure: which reminders of a family's remembrance days are due, and when, in UTC.

The same rules as the memorial days' reminders (calendar_app/reminders/plan.py):
due at the subscriber's send hour in their zone ``lead`` days before, never
after the end of the day itself in that zone, and none that fell due before
the address was confirmed or the name was added, unless the day itself had
not begun then and no nearer lead time of the same occasion comes due after it
(``core.reminder_plan.left_out``; that one goes at once). Naive UTC throughout.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from calendar_app.core.remembrance import CountedPerson, remembrance_dates
from calendar_app.core.reminder_plan import PlanContact, due_and_deadline, left_out


class PlanPerson(CountedPerson, Protocol):
    @property
    def id(self) -> int: ...
    @property
    def lead_days(self) -> Sequence[int]: ...
    @property
    def created_dt(self) -> dt.datetime: ...


@dataclass(frozen=True, slots=True)
class SharedPerson:
    """A name as a relative it is shared with is reminded of it: the dates are the
    family's, the days before the relative's, and nothing falls due before the
    relative confirmed (``created_dt``: the share's confirmation)."""

    id: int
    died_on: dt.date
    counting: str
    thursdays: bool
    lead_days: Sequence[int]
    created_dt: dt.datetime


def shared_person(person: PlanPerson, lead_days: Sequence[int], since: dt.datetime) -> SharedPerson:
    return SharedPerson(
        person.id,
        person.died_on,
        person.counting,
        person.thursdays,
        tuple(lead_days),
        max(person.created_dt, since),
    )


@dataclass(frozen=True, slots=True)
class PlannedRemembrance:
    subscriber_id: int
    remembered_id: int
    occasion: str
    year: int
    lead_days: int
    due_dt: dt.datetime
    deadline_dt: dt.datetime

    @property
    def key(self) -> tuple[int, str, int]:
        return (self.remembered_id, self.occasion, self.lead_days)


def plan_remembrance(
    pairs: Iterable[tuple[PlanPerson, PlanContact]], now: dt.datetime, reach_days: int
) -> list[PlannedRemembrance]:
    """Reminders still worth sending at ``now`` for observances in reach of every zone."""
    start = now.date() - dt.timedelta(days=2)
    end = now.date() + dt.timedelta(days=reach_days + 2)
    planned = []
    for person, contact in pairs:
        zone = ZoneInfo(contact.timezone)
        since = max(person.created_dt, contact.confirmed_dt or person.created_dt)
        items = remembrance_dates(person.died_on, person.counting, start, end, person.thursdays)
        for item in items:
            times = [
                (lead, *due_and_deadline(item.date, lead, contact.send_hour, zone))
                for lead in sorted(set(person.lead_days), reverse=True)
            ]
            skipped = left_out([(lead, due) for lead, due, _ in times], item.date, zone, since)
            for lead, due, deadline in times:
                if deadline <= now or lead in skipped:
                    continue
                planned.append(
                    PlannedRemembrance(
                        subscriber_id=contact.id,
                        remembered_id=person.id,
                        occasion=item.occasion,
                        year=item.date.year,
                        lead_days=lead,
                        due_dt=due,
                        deadline_dt=deadline,
                    )
                )
    return planned
