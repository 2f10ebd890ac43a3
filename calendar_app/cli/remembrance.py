"""`calendar-app remembrance dates`: a death's customary days of remembrance, dated and titled.

Pure computation (calendar_app/core/remembrance.py), for checking and for cron
users; it reads nothing stored, so no family's data is involved.
"""

from __future__ import annotations

import datetime as dt
import json

import click
from flask.cli import with_appcontext

from calendar_app.app_settings import current_settings
from calendar_app.cli.observances import LANG, IsoDate
from calendar_app.clock import baku_today
from calendar_app.core.remembrance import (
    COUNTINGS,
    DEFAULT_COUNTING,
    EARLIEST_DEATH,
    anniversary,
    counting_label,
    death_problem,
    name_problem,
    remembrance_dates,
    remembrance_phrase,
    remembrance_title,
)
from calendar_app.core.words import words_for

DEFAULT_YEARS = 10
MAX_SPAN_DAYS = 366 * 200


@click.group("remembrance")
def remembrance_group() -> None:
    """A family's own days of remembrance (see docs/REMEMBRANCE.md)."""


@remembrance_group.command("dates")
@click.option("--died", type=IsoDate(), required=True, help="Date of death (YYYY-MM-DD).")
@click.option(
    "--counting",
    type=click.Choice(COUNTINGS),
    default=DEFAULT_COUNTING,
    show_default=True,
    help="death-day: the day of death is day 1; day-after: the day after it is.",
)
@click.option("--name", help="The name, for full titles (e.g. Anar → Anarın vəfatının …).")
@click.option("--thursdays", is_flag=True, help="Also the Thursday evenings of the forty days.")
@click.option("--martyr", is_flag=True, help="Title a martyr (Şəhid …, şəhadətinin …).")
@click.option("--from", "start", type=IsoDate(), help="First date (default: the date of death).")
@click.option("--to", "end", type=IsoDate(), help="Last date (default: the 10th anniversary).")
@click.option("--lang", type=LANG, help="az, en or ru (default: [site] default_language).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@with_appcontext
def dates_command(
    died: dt.date,
    counting: str,
    name: str | None,
    thursdays: bool,
    martyr: bool,
    start: dt.date | None,
    end: dt.date | None,
    lang: str | None,
    as_json: bool,
) -> None:
    """The 3rd, 7th and 40th days and the anniversaries of a death, with their titles."""
    language = lang or current_settings().site.default_language
    if name is not None:
        problem = name_problem(name)
        if problem == "control":
            raise click.BadParameter(
                "the name contains control characters; give it without them", param_hint="--name"
            )
        if problem is not None:
            raise click.BadParameter("give a name of 1 to 120 characters", param_hint="--name")
        name = " ".join(name.split())
    today = baku_today()
    problem = death_problem(died, today)
    if problem == "early":
        raise click.BadParameter(
            f"give a date of death in {EARLIEST_DEATH.year} or later, as the form asks",
            param_hint="--died",
        )
    if problem == "future":
        raise click.BadParameter(
            f"{died} is in the future (today is {today} in Baku)", param_hint="--died"
        )
    first = start or died
    last = end or anniversary(died, min(DEFAULT_YEARS, dt.date.max.year - 1 - died.year))
    if last < first:
        raise click.BadParameter(f"--to {last} is before --from {first}", param_hint="--to")
    if (last - first).days > MAX_SPAN_DAYS:
        raise click.BadParameter("ask for at most 200 years at once", param_hint="--to")
    words = words_for(language)
    found = remembrance_dates(died, counting, first, last, thursdays)
    rows = [
        {
            "date": item.date.isoformat(),
            "kind": item.kind,
            "number": item.number,
            "occasion": item.occasion,
            "title": (
                remembrance_title(item, name, words, martyr)
                if name
                else remembrance_phrase(item, words, martyr)
            ),
        }
        for item in found
    ]
    if as_json:
        payload = {
            "died": died.isoformat(),
            "counting": counting,
            "counting_label": counting_label(counting, words),
            "lang": language,
            "dates": rows,
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    click.echo(f"# {counting_label(counting, words)}")
    for row in rows:
        click.echo(f"{row['date']}  {row['occasion']:<12} {row['title']}")
