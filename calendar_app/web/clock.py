"""The site's notion of now and today (today in Baku).

Tests and demos set ``app.config["CLOCK"]`` to a function returning an aware
datetime; otherwise it is the real time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import current_app

from calendar_app.core.presentation import local_today


def site_now() -> dt.datetime:
    clock: Callable[[], dt.datetime] | None = current_app.config.get("CLOCK")
    return clock() if clock is not None else dt.datetime.now(dt.UTC)


def site_today() -> dt.date:
    return local_today(site_now())
