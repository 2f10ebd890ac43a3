"""`calendar-app mail` (dkim-dns, suppressions, unsuppress) and `calendar-app inbound`."""

from __future__ import annotations

import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from calendar_app.app_settings import current_settings
from calendar_app.data import suppressions
from calendar_app.extensions import db
from calendar_app.logs import configure_logging
from calendar_app.mail import dkim_signing, inbound


@click.group("mail")
def mail_group() -> None:
    """Outgoing mail: the DKIM record to publish, the suppression list."""


@mail_group.command("dkim-dns")
@with_appcontext
def dkim_dns_command() -> None:
    """Print the DKIM TXT record for [mail] dkim_selector and dkim_domain."""
    dkim = current_settings().mail.dkim
    if dkim is None:
        raise click.ClickException(
            "DKIM signing is off: set [mail] dkim_selector (and a key in "
            "instance/dkim.key or [mail] dkim_key_file)"
        )
    click.echo(f"; publish at {dkim_signing.record_name(dkim)} (key {dkim.key_file})")
    click.echo(dkim_signing.zone_line(dkim))


@mail_group.command("suppressions")
@with_appcontext
def suppressions_command() -> None:
    """List the addresses no mail goes to: since when, and why."""
    rows = suppressions.listing(db.session)
    for row in rows:
        when = row.created_dt.strftime("%Y-%m-%d %H:%M")
        click.echo(f"{row.email}\t{row.reason}\t{when} UTC\t{row.detail}")
    click.echo(f"{len(rows)} suppressed", err=True)


@mail_group.command("unsuppress")
@click.argument("address")
@with_appcontext
def unsuppress_command(address: str) -> None:
    """Take ADDRESS off the suppression list: it can sign up and be written to again."""
    if not suppressions.lift(db.session, address):
        raise click.ClickException(f"{suppressions.address_key(address)} is not suppressed")
    db.session.commit()
    click.echo(f"{suppressions.address_key(address)} is no longer suppressed")


@click.command("inbound")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8025, show_default=True)
@click.option("--lmtp", is_flag=True, help="Speak LMTP instead of SMTP.")
@with_appcontext
def inbound_command(host: str, port: int, lmtp: bool) -> None:
    """Receive bounces, complaints and unsubscribes that the MTA hands over."""
    settings = current_settings().mail
    if not settings.bounce_domain:
        raise click.ClickException("set [mail] bounce_domain: the domain the MTA hands over")
    configure_logging()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        controller = inbound.start(app, host, port, lmtp)
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror}") from None
    protocol = "LMTP" if lmtp else "SMTP"
    click.echo(f"{protocol} for {settings.bounce_domain} on {host}:{port}; Ctrl+C stops it")
    try:
        while not stopping.wait(1):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
