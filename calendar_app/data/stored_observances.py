"""Observances read from the database and described in one language."""

from __future__ import annotations

import datetime as dt

from calendar_app.core.observances import Observance, describe
from calendar_app.core.occurrences import occurrences_between
from calendar_app.core.words import words_for
from calendar_app.data import queries
from calendar_app.data.queries import DbSession


def observances_between(
    session: DbSession, start: dt.date, end: dt.date, lang: str, slug: str | None = None
) -> list[Observance]:
    days = queries.active_days(session)
    if slug is not None:
        days = [day for day in days if day.slug == slug]
    words = words_for(lang)
    return [describe(o, words) for o in occurrences_between(days, start, end)]
