"""`calendar-app occurrences` and `calendar-app upcoming`."""

from __future__ import annotations

import datetime as dt
import json

import click
from flask.cli import with_appcontext

from calendar_app.app_settings import current_settings
from calendar_app.clock import baku_today
from calendar_app.core.languages import LANGUAGES
from calendar_app.core.observances import Observance
from calendar_app.data.stored_observances import observances_between
from calendar_app.extensions import db

LANG = click.Choice(LANGUAGES)


class IsoDate(click.ParamType):  # type: ignore[type-arg]
    name = "DATE"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date like 2027-01-20", param, ctx)


def _language(lang: str | None) -> str:
    return lang or current_settings().site.default_language


@click.command("occurrences")
@click.option("--from", "start", type=IsoDate(), required=True, help="First date (YYYY-MM-DD).")
@click.option("--to", "end", type=IsoDate(), required=True, help="Last date, inclusive.")
@click.option("--lang", type=LANG, help="az, en or ru (default: [site] default_language).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@with_appcontext
def occurrences_command(start: dt.date, end: dt.date, lang: str | None, as_json: bool) -> None:
    """The observances between two dates, with anniversaries and titles."""
    if end < start:
        raise click.BadParameter(f"--to {end} is before --from {start}", param_hint="--to")
    found = observances_between(db.session, start, end, _language(lang))
    if as_json:
        click.echo(json.dumps([o.as_json() for o in found], ensure_ascii=False, indent=2))
        return
    for o in found:
        click.echo(f"{o.date.isoformat()}  {o.slug:<13} {o.anniversary:>4}  {o.title}")


@click.command("upcoming")
@click.option("--days", type=click.IntRange(1, 3660), default=365, show_default=True)
@click.option("--lang", type=LANG, help="az, en or ru (default: [site] default_language).")
@click.option("--today", type=IsoDate(), help="Count from this date instead of today.")
@with_appcontext
def upcoming_command(days: int, lang: str | None, today: dt.date | None) -> None:
    """The next observances, as a readable table."""
    start = today or baku_today()
    found = observances_between(db.session, start, start + dt.timedelta(days=days), _language(lang))
    if not found:
        click.echo(f"no observance in the next {days} days")
        return
    click.echo(_table(found, start))


def _table(rows: list[Observance], today: dt.date) -> str:
    cells = [
        (o.date_label, f"+{(o.date - today).days}d", ("★ " if o.is_jubilee else "") + o.title)
        for o in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(2)]
    return "\n".join(f"{a:<{widths[0]}}  {b:>{widths[1]}}  {c}" for a, b, c in cells)
