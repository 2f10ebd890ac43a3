"""`calendar-app serve`: one command from an empty database to a served site."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from calendar_app.app_settings import current_settings
from calendar_app.config import ConfigError, Settings, _check_production_secret
from calendar_app.data.prepare import prepare_database
from calendar_app.extensions import db
from calendar_app.web.metrics import prepare_workers
from calendar_app.web.wsgi_server import serve, start_scheduler_process, stop_process


@click.command("serve")
@click.option("--host", help="Address to listen on (default: [server] host).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default: [server] port).")
@click.option("--workers", type=click.IntRange(1, 64), help="Worker processes.")
@with_appcontext
def serve_command(host: str | None, port: int | None, workers: int | None) -> None:
    """Migrate, load the bundled data if the database is empty, and serve.

    With ``[reminders] enabled`` the reminder ticker runs beside the web workers
    in exactly one child process (`calendar-app scheduler`), never inside them.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    settings = current_settings().server
    for line in development_warnings(current_settings(), workers or settings.workers):
        click.echo(f"warning: {line}", err=True)
    report = prepare_database(app)
    if report is not None:
        click.echo("loaded the bundled data: " + "; ".join(report.lines()))
    db.engine.dispose()  # no connection may cross the fork into the workers
    bind_host, bind_port = host or settings.host, port or settings.port
    click.echo(f"serving on http://{bind_host}:{bind_port}/")
    warning = prepare_workers(current_settings().metrics.enabled, workers or settings.workers)
    if warning:
        click.echo(f"warning: {warning}", err=True)
    ticker = start_scheduler_process() if current_settings().reminders.enabled else None
    try:
        serve(app, bind_host, bind_port, workers or settings.workers)
    finally:
        if ticker is not None:
            stop_process(ticker)


def development_warnings(settings: Settings, workers: int) -> list[str]:
    """What a development default would do wrong on a public site, one line each."""
    found = []
    limits = settings.limits
    if limits.enabled and limits.storage_uri.startswith("memory://") and workers > 1:
        found.append(
            f"[limits] storage_uri is memory://: each of the {workers} workers counts its "
            "own rate limits and e-mail budgets; use Redis (docs/DEPLOY.md)"
        )
    try:
        _check_production_secret(settings.secret_key)
    except ConfigError:
        found.append(
            "CALENDAR_APP_SECRET_KEY is a development key: anyone who guesses it can forge "
            "sessions and feed links; set a random one"
        )
    return found
