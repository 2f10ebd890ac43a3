"""Template helpers that write records in the page's language (Babel, CLDR)."""

from __future__ import annotations

import datetime as dt

from babel import Locale
from babel.dates import format_skeleton
from flask import Flask

from calendar_app.core.dates import BABEL_LOCALES
from calendar_app.core.presentation import (
    dated,
    fact_figure,
    iso_dated,
    paragraphs,
    source_date,
)
from calendar_app.core.sources import public_locator, source_publisher, source_title
from calendar_app.core.words import words_for
from calendar_app.data.models import Fact, Source
from calendar_app.web.i18n import current_language

LEAP_YEAR = 2000  # month_day must accept 29 February


def figure(fact: Fact) -> str:
    return fact_figure(fact, words_for(current_language()))


def date_as_known(day: dt.date, precision: str) -> str:
    return dated(day, precision, current_language())


def published(source: Source) -> str:
    return source_date(source, current_language())


def title_of(source: Source) -> str:
    return source_title(source, current_language())


def date_after_title(source: Source) -> str | None:
    """The date to write after a source's title, or None: a title that names its own
    year ("Resolution of 29 March 1994 …") is not followed by the date again."""
    year = source.published_on.year if source.published_on else source.published_year
    if year is None or str(year) in title_of(source):
        return None
    return published(source)


def publisher_of(source: Source) -> str | None:
    return source_publisher(source, current_language())


def month_day(month: int, day: int) -> str:
    """'20 January', '20 yanvar', '20 января'."""
    lang = BABEL_LOCALES[current_language()]
    return str(format_skeleton("MMMMd", dt.date(LEAP_YEAR, month, day), locale=lang))


def language_name(code: str) -> str:
    """A document's language named in the page's language: 'ingilis', 'английский'."""
    try:
        name = Locale.parse(code).get_display_name(BABEL_LOCALES[current_language()])
    except (ValueError, TypeError):
        return code
    if not name:
        return code
    if name.startswith("azərbaycan"):  # lower case in CLDR; az spelling capitalises it
        name = "A" + name[1:]
    return name


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        figure=figure,
        dated=date_as_known,
        iso_dated=iso_dated,
        source_date=published,
        source_title=title_of,
        date_after_title=date_after_title,
        source_publisher=publisher_of,
        public_locator=public_locator,
        month_day=month_day,
        language_name=language_name,
        paragraphs=paragraphs,
    )
