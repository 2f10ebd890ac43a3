"""Planning is pure: due instants and deadlines in the subscriber's own zone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from calendar_app.core.occurrences import occurrences_between
from calendar_app.core.remembrance_plan import plan_remembrance
from calendar_app.core.reminder_plan import plan


@dataclass(frozen=True)
class Day:
    id: int
    slug: str
    month: int
    day: int
    events_year: int
    first_observed_year: int


@dataclass(frozen=True)
class Sub:
    id: int = 1
    timezone: str = "Asia/Baku"
    send_hour: int = 9
    day_slugs: tuple[str, ...] = ("january-20", "february-26", "march-31", "september-27")
    lead_days: tuple[int, ...] = (1, 0)
    confirmed_dt: dt.datetime | None = field(default=dt.datetime(2020, 1, 1))


DAYS = [
    Day(1, "january-20", 1, 20, 1990, 1990),
    Day(2, "february-26", 2, 26, 1992, 1994),
    Day(3, "march-31", 3, 31, 1918, 1998),
    Day(4, "september-27", 9, 27, 2020, 2021),
]


def occ(year: int):  # type: ignore[no-untyped-def]
    return occurrences_between(DAYS, dt.date(year, 1, 1), dt.date(year, 12, 31))


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args)  # naive UTC, as the database stores it


@pytest.mark.parametrize(
    ("zone", "slug", "year", "lead", "hour", "due", "deadline"),
    [
        # Baku: UTC+4, no DST.
        ("Asia/Baku", "january-20", 2027, 1, 9, utc(2027, 1, 19, 5), utc(2027, 1, 20, 20)),
        ("Asia/Baku", "january-20", 2027, 0, 9, utc(2027, 1, 20, 5), utc(2027, 1, 20, 20)),
        # Berlin switches to summer time at 02:00 on 31 March 2024, the day itself.
        ("Europe/Berlin", "march-31", 2024, 0, 9, utc(2024, 3, 31, 7), utc(2024, 3, 31, 22)),
        ("Europe/Berlin", "march-31", 2024, 1, 9, utc(2024, 3, 30, 8), utc(2024, 3, 31, 22)),
        # A send hour inside the gap moves forward: 02:00 does not exist, 03:00 CEST does.
        ("Europe/Berlin", "march-31", 2024, 0, 2, utc(2024, 3, 31, 1), utc(2024, 3, 31, 22)),
        # Santiago (UTC-3 in summer) leaves summer time on 6/7 April 2024: not near 31 March.
        ("America/Santiago", "march-31", 2024, 0, 9, utc(2024, 3, 31, 12), utc(2024, 4, 1, 3)),
        # Santiago starts summer time at 00:00 on 8 September 2024: midnight does not exist.
        ("America/Santiago", "september-27", 2024, 0, 9, utc(2024, 9, 27, 12),
         utc(2024, 9, 28, 3)),
        # The extremes: UTC+14 and UTC-12.
        ("Pacific/Kiritimati", "january-20", 2027, 0, 9, utc(2027, 1, 19, 19),
         utc(2027, 1, 20, 10)),
        ("Etc/GMT+12", "january-20", 2027, 0, 9, utc(2027, 1, 20, 21), utc(2027, 1, 21, 12)),
        ("Etc/GMT+12", "january-20", 2027, 7, 23, utc(2027, 1, 14, 11), utc(2027, 1, 21, 12)),
    ],
)  # fmt: skip
def test_due_instant_and_deadline(
    zone: str, slug: str, year: int, lead: int, hour: int, due: dt.datetime, deadline: dt.datetime
) -> None:
    sub = Sub(timezone=zone, send_hour=hour, day_slugs=(slug,), lead_days=(lead,))
    (reminder,) = plan([sub], occ(year), now=dt.datetime(year, 1, 1))
    assert (reminder.due_dt, reminder.deadline_dt) == (due, deadline)
    assert reminder.year == year and reminder.lead_days == lead


def test_every_chosen_day_and_lead_once() -> None:
    sub = Sub(day_slugs=("january-20", "march-31"), lead_days=(7, 1, 0))
    planned = plan([sub], occ(2027), now=dt.datetime(2027, 1, 1))
    assert sorted((p.memorial_day_id, p.lead_days) for p in planned) == [
        (1, 0), (1, 1), (1, 7), (3, 0), (3, 1), (3, 7)
    ]  # fmt: skip


def test_nothing_after_the_deadline_and_nothing_due_before_confirmation() -> None:
    now = dt.datetime(2027, 1, 20, 6)  # 10:00 in Baku on the day
    late = Sub(confirmed_dt=dt.datetime(2027, 1, 19, 21), lead_days=(7, 1, 0))  # 01:00 on the day
    planned = plan([late], occ(2027), now=now)
    january = [p.lead_days for p in planned if p.memorial_day_id == 1]
    # Due 13 Jan and 19 Jan 05:00 UTC preceded the confirmation, made once the day had
    # begun in Baku; 20 Jan 05:00 did not.
    assert january == [0]
    early = Sub(confirmed_dt=dt.datetime(2026, 1, 1), lead_days=(7, 1, 0))
    january = [p.lead_days for p in plan([early], occ(2027), now=now) if p.memorial_day_id == 1]
    assert january == [7, 1, 0]  # still before the deadline: a late worker may send them
    after_day = dt.datetime(2027, 1, 20, 20)  # midnight in Baku
    assert [p for p in plan([early], occ(2027), now=after_day) if p.memorial_day_id == 1] == []


def test_a_reminder_missed_before_confirming_goes_at_once_while_its_day_has_not_begun() -> None:
    """Confirmed at 08:11 in Baku with a 07:00 hour and "one day before": tomorrow's comes now."""
    confirmed = dt.datetime(2027, 1, 19, 4, 11)  # 08:11 in Baku, the day before 20 January
    family = Sub(confirmed_dt=confirmed, send_hour=7, lead_days=(1,))
    planned = [p for p in plan([family], occ(2027), now=confirmed) if p.memorial_day_id == 1]
    assert [(p.lead_days, p.due_dt) for p in planned] == [(1, dt.datetime(2027, 1, 19, 3))]
    assert planned[0].due_dt <= confirmed  # due already: the next dispatch sends it


def test_planning_is_deterministic_and_pure() -> None:
    subs = [Sub(id=i, timezone=z) for i, z in enumerate(["Asia/Baku", "Asia/Qatar", "UTC"], 1)]
    assert plan(subs, occ(2027), dt.datetime(2027, 1, 1)) == plan(
        subs, occ(2027), dt.datetime(2027, 1, 1)
    )
    doha = next(p for p in plan(subs, occ(2027), dt.datetime(2027, 1, 1)) if p.subscriber_id == 2)
    assert doha.due_dt == dt.datetime(2027, 1, 19, 6)  # 09:00 in Doha (UTC+3)


def test_a_missed_reminder_is_left_out_when_a_nearer_one_is_still_to_come() -> None:
    """Confirmed at 08:00 on 18 January with 7, 1 and 0 days: "in 2 days" would say it twice."""
    confirmed = dt.datetime(2027, 1, 18, 4, 0)  # 08:00 in Baku; the 7-day one was due 13 January
    family = Sub(confirmed_dt=confirmed, lead_days=(7, 1, 0))
    planned = [p for p in plan([family], occ(2027), now=confirmed) if p.memorial_day_id == 1]
    assert [p.lead_days for p in planned] == [1, 0]
    assert min(p.due_dt for p in planned) == dt.datetime(2027, 1, 19, 5)  # 09:00, the day before


def test_missed_reminders_with_nothing_nearer_to_come_are_all_planned_for_dispatch_to_choose() -> (
    None
):
    """Confirmed at 10:00 on 19 January: the 7-day and 1-day ones both passed, the day has not."""
    confirmed = dt.datetime(2027, 1, 19, 6, 0)
    missed_both = Sub(confirmed_dt=confirmed, lead_days=(7, 1))
    planned = [p for p in plan([missed_both], occ(2027), now=confirmed) if p.memorial_day_id == 1]
    assert [p.lead_days for p in planned] == [7, 1]  # dispatch sends the 1-day one only
    with_same_day = Sub(confirmed_dt=confirmed, lead_days=(7, 1, 0))
    planned = [p for p in plan([with_same_day], occ(2027), now=confirmed) if p.memorial_day_id == 1]
    assert [p.lead_days for p in planned] == [0]  # "Today" at 09:00 tomorrow says it


@dataclass(frozen=True)
class Person:
    id: int = 1
    died_on: dt.date = dt.date(2027, 1, 3)
    counting: str = "death-day"
    thursdays: bool = False
    lead_days: tuple[int, ...] = (7, 1)
    created_dt: dt.datetime = dt.datetime(2027, 1, 3, 4, 0)  # entered at 08:00 in Baku


def test_a_family_entering_a_death_gets_no_early_reminder_a_nearer_one_will_repeat() -> None:
    """Died 3 January, entered at 08:00 that day, hour 09:00, 7 and 1 days before."""
    person = Person()
    contact = Sub(confirmed_dt=person.created_dt)
    planned = plan_remembrance([(person, contact)], person.created_dt, 60)
    assert sorted((p.occasion, p.lead_days) for p in planned) == [
        ("day-3", 1), ("day-40", 1), ("day-40", 7), ("day-7", 1)
    ]  # fmt: skip
    third = next(p for p in planned if p.occasion == "day-3")
    assert third.due_dt == dt.datetime(2027, 1, 4, 5)  # "Tomorrow", at 09:00 on the 4th
    late = Person(created_dt=dt.datetime(2027, 1, 4, 6, 0))  # 10:00 on the 4th: both passed
    planned = plan_remembrance([(late, Sub(confirmed_dt=late.created_dt))], late.created_dt, 60)
    assert sorted(p.lead_days for p in planned if p.occasion == "day-3") == [1, 7]
