"""Planning every subscriber on PostgreSQL with set-based statements, a part at a time.

The rows are made in the database: subscribers × occurrences in reach × their
lead times, joined to a small table of *slots*, one per (zone, send hour, lead
time, occurrence) that some active subscriber has, carrying the reminder's due
instant and deadline. ``INSERT … SELECT … ON CONFLICT DO NOTHING`` keeps it
idempotent and safe beside any other planner, as the row-by-row path is.

The time-zone arithmetic of each slot is done here, by the pure planner
(``core.reminder_plan.due_and_deadline``: zoneinfo, DST gaps moved forward,
repeated hours at their first passage), not by PostgreSQL: its rule for a
repeated hour differs (it takes the second passage), and its time-zone data may
be another release than Python's. A million subscribers share a few thousand
slots; the rows themselves never leave the database.
``tests/reminders/test_plan_in_sql.py`` compares the result with the pure planner across
zones, send hours, lead times and DST edges.

The pass commits every ``SUBSCRIBERS_PER_TRANSACTION`` subscribers (in the
order of their ids, however sparse: a part ends where that many rows end). Each
reminder's foreign key locks its subscriber's row (``FOR KEY SHARE``) until the
commit, so erasing an address ("everything is erased") waits for one part,
never for the whole pass. A pass stopped half-way leaves what it committed; the
next pass plans the rest, as ON CONFLICT skips what is there.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from calendar_app.core.reminder_plan import PlanOccurrence, day_begins, due_and_deadline
from calendar_app.data.queries import DbSession

# Every (zone, send hour, list of lead times) active subscribers have: one scan, and only
# the distinct lists leave (a few hundred), compared as stored texts.
_SLOT_KEYS = sa.text(
    "SELECT DISTINCT s.timezone, s.send_hour, CAST(s.lead_days AS text) "
    "FROM subscribers AS s WHERE s.status = 'active'"
)

SUBSCRIBERS_PER_TRANSACTION = 100_000

_ID_RANGE = sa.text("SELECT min(id), max(id) FROM subscribers")
# where a part of ``skip + 1`` subscribers after ``after`` ends (the primary key's index)
_PART_END = sa.text("SELECT id FROM subscribers WHERE id > :after ORDER BY id OFFSET :skip LIMIT 1")

_INSERT = sa.text(
    """
    INSERT INTO reminders (subscriber_id, memorial_day_id, year, lead_days, due_dt,
                           deadline_dt, status, attempts, next_attempt_dt, created_dt)
    SELECT wish.id, slot.memorial_day_id, slot.year, slot.lead_days, slot.due_dt,
           slot.deadline_dt, 'pending', 0, slot.due_dt, :now
    -- one row per active subscriber and lead time: the JSON is read once per subscriber
    -- (a set-returning function in the select list keeps this subquery whole), then
    -- joined to the slots on all three keys, however many slots share a zone and hour
    FROM (SELECT s.id, s.timezone, s.send_hour, s.day_slugs, s.confirmed_dt,
                 s.lead_days AS leads,
                 CAST(json_array_elements_text(s.lead_days) AS integer) AS lead_days
          FROM subscribers AS s
          WHERE s.status = 'active' AND s.id > :after AND s.id <= :upto) AS wish
    JOIN unnest(CAST(:timezone AS text[]), CAST(:send_hour AS integer[]),
                CAST(:lead AS integer[]), CAST(:memorial_day_id AS integer[]),
                CAST(:slug AS text[]), CAST(:year AS integer[]),
                CAST(:due AS timestamp[]), CAST(:deadline AS timestamp[]),
                CAST(:day_begins AS timestamp[]))
         AS slot(timezone, send_hour, lead_days, memorial_day_id, slug, year, due_dt,
                 deadline_dt, day_begins)
      ON slot.timezone = wish.timezone AND slot.send_hour = wish.send_hour
         AND slot.lead_days = wish.lead_days
    -- the stored JSON text holds each chosen slug in quotes (slugs need no escaping)
    WHERE strpos(CAST(wish.day_slugs AS text), '"' || slot.slug || '"') > 0
      -- core.reminder_plan.left_out: one that fell due before confirming is kept only if
      -- its day had not begun then and no nearer lead of this subscriber for the same day
      -- and year comes due at or after confirming (the slots hold every lead's due instant)
      AND (wish.confirmed_dt IS NULL OR slot.due_dt >= wish.confirmed_dt
           OR (slot.day_begins > wish.confirmed_dt
               AND NOT EXISTS (
                   SELECT 1
                   FROM json_array_elements_text(wish.leads) AS mine(lead)
                   JOIN unnest(CAST(:timezone AS text[]), CAST(:send_hour AS integer[]),
                               CAST(:lead AS integer[]), CAST(:memorial_day_id AS integer[]),
                               CAST(:year AS integer[]), CAST(:due AS timestamp[]))
                        AS nearer(timezone, send_hour, lead_days, memorial_day_id, year, due_dt)
                     ON nearer.lead_days = CAST(mine.lead AS integer)
                   WHERE nearer.timezone = wish.timezone AND nearer.send_hour = wish.send_hour
                     AND nearer.memorial_day_id = slot.memorial_day_id
                     AND nearer.year = slot.year AND nearer.lead_days < slot.lead_days
                     AND nearer.due_dt >= wish.confirmed_dt)))
    ON CONFLICT (subscriber_id, memorial_day_id, year, lead_days) DO NOTHING
    """
).execution_options(preserve_rowcount=True)


def plan_everyone_in_sql(
    session: DbSession,
    occurrences: Sequence[PlanOccurrence],
    now: dt.datetime,
    per_transaction: int = SUBSCRIBERS_PER_TRANSACTION,
) -> int:
    """Insert every active subscriber's reminders for ``occurrences``; how many were new.

    Commits the session after each ``per_transaction`` subscribers (what the
    caller did before in this transaction goes with the first part).
    """
    if not occurrences:
        return 0
    keys = {
        (str(zone), int(hour), int(lead))
        for zone, hour, leads in session.execute(_SLOT_KEYS)
        for lead in json.loads(leads)
    }
    slots = _slots(sorted(keys), occurrences, now)
    if not slots["timezone"]:
        return 0
    first, last = session.execute(_ID_RANGE).one()
    if first is None:  # every subscriber erased since the slots were read
        return 0
    inserted, after = 0, first - 1
    while after < last:
        end = session.execute(_PART_END, {"after": after, "skip": per_transaction - 1}).scalar()
        upto = last if end is None else min(end, last)
        result: Any = session.execute(_INSERT, {**slots, "now": now, "after": after, "upto": upto})
        inserted += max(result.rowcount or 0, 0)
        session.commit()
        after = upto
    return inserted


def _slots(
    keys: Sequence[tuple[str, int, int]],
    occurrences: Sequence[PlanOccurrence],
    now: dt.datetime,
) -> dict[str, list[Any]]:
    """Columns of the slot table: one row per key and occurrence still worth sending."""
    names = (
        "timezone", "send_hour", "lead", "memorial_day_id", "slug", "year", "due", "deadline",
        "day_begins",
    )  # fmt: skip
    columns: dict[str, list[Any]] = {name: [] for name in names}
    zones: dict[str, ZoneInfo] = {}
    for timezone, send_hour, lead in keys:
        zone = zones.get(timezone) or zones.setdefault(timezone, ZoneInfo(timezone))
        for occurrence in occurrences:
            due, deadline = due_and_deadline(occurrence.date, lead, send_hour, zone)
            if deadline <= now:
                continue
            row = (timezone, send_hour, lead, occurrence.day.id, occurrence.slug)
            begins = day_begins(occurrence.date, zone)
            values = (*row, occurrence.date.year, due, deadline, begins)
            for name, value in zip(names, values, strict=True):
                columns[name].append(value)
    return columns
