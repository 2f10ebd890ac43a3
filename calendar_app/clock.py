"""The one notion of now: the real time in UTC, or ``app.config["CLOCK"]`` when set.

Tests and demos set ``app.config["CLOCK"]`` to a function returning an aware
datetime; every edge (views, CLI commands, scheduler ticks) asks here, so one
setting moves the whole application in time. Datetimes are stored as naive UTC
(see calendar_app/data/utc_datetime.py); ``utc_now_naive`` is that form. Dates
that people see are today in Baku, where the days are observed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import current_app, has_app_context

from calendar_app.core.presentation import local_today


def utc_now() -> dt.datetime:
    """Now, aware, in UTC."""
    clock: Callable[[], dt.datetime] | None = (
        current_app.config.get("CLOCK") if has_app_context() else None
    )
    now = clock() if clock is not None else dt.datetime.now(dt.UTC)
    return now.astimezone(dt.UTC)


def utc_now_naive() -> dt.datetime:
    """Now in UTC without tzinfo: the form the database columns hold."""
    return utc_now().replace(tzinfo=None)


def baku_today() -> dt.date:
    """Today where the days are observed (Asia/Baku)."""
    return local_today(utc_now())
