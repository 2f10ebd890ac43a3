"""Pure: when a subscriber's first reminder comes, as the planner will plan it.

The outbox holds only the reminders of the coming weeks, so the welcome e-mail
asks the planner itself (core/reminder_plan.py) about the coming year and a
bit: the same function, the same rules (send hour in the subscriber's zone,
nothing that fell due before confirming, nothing past its deadline).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from calendar_app.core.observances import Observance, describe
from calendar_app.core.occurrences import occurrences_between
from calendar_app.core.reminder_plan import PlanSubscriber, plan
from calendar_app.core.words import words_for

LOOK_AHEAD = dt.timedelta(days=366 + 31)  # a year of occurrences, and the longest lead


@dataclass(frozen=True)
class FirstReminder:
    """The first reminder: when it arrives (in the subscriber's zone), about what."""

    arrives: dt.datetime  # aware, in the subscriber's zone
    lead_days: int
    observance: Observance  # in the subscriber's language


def first_reminder(
    subscriber: PlanSubscriber, days: Sequence[Any], now: dt.datetime, lang: str
) -> FirstReminder | None:
    """The first reminder planned at ``now`` (naive UTC) for ``days`` (rows with an ``id``).

    None when nothing is planned within a year (no chosen day is observed).
    """
    start = now.date() - dt.timedelta(days=2)
    occurrences = occurrences_between(days, start, now.date() + LOOK_AHEAD)  # as the outbox
    planned = plan([subscriber], occurrences, now)
    if not planned:
        return None
    # a reminder that fell due just before confirming goes at once, the nearest of those only
    # (reminders/dispatch.py marks the others superseded)
    first = min(
        planned,
        key=lambda p: (max(p.due_dt, now), p.lead_days if p.due_dt <= now else -p.lead_days),
    )
    occurrence = next(
        o for o in occurrences if o.day.id == first.memorial_day_id and o.date.year == first.year
    )
    zone = ZoneInfo(subscriber.timezone)
    arrives = max(first.due_dt, now).replace(tzinfo=dt.UTC).astimezone(zone)
    return FirstReminder(arrives, first.lead_days, describe(occurrence, words_for(lang)))
