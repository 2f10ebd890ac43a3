"""`calendar-app feed export --out DIR`: the served feeds as files for a static host.

Layout (the paths a static server or CDN then serves):

    DIR/calendar.ics              = /calendar.ics            (default language)
    DIR/days/<slug>.ics           = /days/<slug>.ics         (default language)
    DIR/<lang>/calendar.ics       = /calendar.ics?lang=<lang>
    DIR/<lang>/days/<slug>.ics    = /days/<slug>.ics?lang=<lang>

Each file holds the same bytes as the served feed with default parameters.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask.cli import with_appcontext

from calendar_app.app_settings import current_settings
from calendar_app.clock import utc_now
from calendar_app.core.ics import FeedOptions, feed_year
from calendar_app.core.languages import LANGUAGES
from calendar_app.data import queries
from calendar_app.extensions import db
from calendar_app.web.feed_cache import FeedCache, NoData, feed_for


@click.group("feed")
def feed_group() -> None:
    """The iCalendar feeds."""


@feed_group.command("export")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write into (created if missing).",
)
@click.option(
    "--year",
    type=click.IntRange(1900, 9000),
    help="Build the window around this year instead of the current one (Baku).",
)
@with_appcontext
def export_command(out: Path, year: int | None) -> None:
    """Write every feed (all days and each day, in each language) as .ics files."""
    settings = current_settings()
    around = year or feed_year(utc_now())
    default = settings.site.default_language
    slugs = [day.slug for day in queries.active_days(db.session)]
    cache = FeedCache()
    written = 0
    for lang in LANGUAGES:
        folders = [out / lang] + ([out] if lang == default else [])
        for slug in [None, *slugs]:
            options = FeedOptions(
                lang=lang,
                years_back=settings.feed.years_back,
                years_ahead=settings.feed.years_ahead,
                slug=slug,
            )
            try:
                rendered = feed_for(
                    db.session, cache, options, year=around, base_url=settings.server.base_url
                )
            except NoData:
                raise click.ClickException(
                    "no data has been loaded; run `calendar-app data load` first"
                ) from None
            name = "calendar.ics" if slug is None else f"days/{slug}.ics"
            for folder in folders:
                _write(folder / name, rendered.body)
                written += 1
    click.echo(
        f"wrote {written} files to {out} (window {around} -{settings.feed.years_back}"
        f" +{settings.feed.years_ahead} years)"
    )


def _write(path: Path, body: bytes) -> None:
    """Write atomically, so a static server never serves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(body)
    os.replace(partial, path)
