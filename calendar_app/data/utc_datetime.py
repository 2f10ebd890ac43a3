"""The one datetime column type: UTC, stored without a zone.

Every ``*_dt`` column holds UTC. Code hands it naive UTC (calendar_app.clock's
``utc_now_naive``) or an aware datetime in any zone, which is converted here; it
reads back naive UTC. So a local time can never be stored as if it were UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[dt.datetime]):
    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is not None:
            return value.astimezone(dt.UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is not None:  # a driver that returns aware values
            return value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
