"""`calendar-app`: a thin Flask CLI group. Each command parses, calls the core, prints."""

from __future__ import annotations

from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup, routes_command, shell_command
from flask_migrate.cli import db as db_group
from sqlalchemy.exc import OperationalError

from calendar_app.app import create_app
from calendar_app.cli.data import data_group
from calendar_app.cli.feed import feed_group
from calendar_app.cli.mail import inbound_command, mail_group
from calendar_app.cli.observances import occurrences_command, upcoming_command
from calendar_app.cli.remembrance import remembrance_group
from calendar_app.cli.reminders import reminders_group, scheduler_command, worker_command
from calendar_app.cli.serve import serve_command
from calendar_app.config import ConfigError


def _app_for_cli() -> Flask:
    try:
        return create_app()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


class _Commands(FlaskGroup):
    """Flask's group, with a database that cannot be reached told in one line."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OperationalError as error:
            reason = str(error.orig or error).splitlines()[0]
            raise click.ClickException(f"cannot reach the database: {reason}") from None


cli = _Commands(
    name="calendar-app",
    create_app=_app_for_cli,
    add_default_commands=False,
    add_version_option=False,
    load_dotenv=False,
    help="Azerbaijan's memorial days: data, observances, feed, site and reminders.",
)
# Flask's --app/--env-file/--debug options would only confuse here: the app is fixed.
cli.params = [p for p in cli.params if p.name not in {"app", "env_file", "debug"}]
for command in (
    db_group,
    data_group,
    feed_group,
    occurrences_command,
    upcoming_command,
    reminders_group,
    remembrance_group,
    scheduler_command,
    worker_command,
    serve_command,
    mail_group,
    inbound_command,
    shell_command,
    routes_command,
):
    cli.add_command(command)


def main() -> None:
    cli.main(prog_name="calendar-app")
