"""A remembered name as the pure core sees it (core/remembrance_ics.FeedPerson), without a
database: what the core's feed and title tests build their people from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    died_on: dt.date
    born_on: dt.date | None
    counting: str
    thursdays: bool
    changed_dt: dt.datetime
