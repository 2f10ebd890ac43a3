"""`calendar-app data load|check|export`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from calendar_app.data.dataset import DataFileError, Dataset
from calendar_app.data.dataset_toml import dump_dataset
from calendar_app.data.prepare import load_dataset, read_dataset
from calendar_app.data.sync import dataset_from_database
from calendar_app.extensions import db
from calendar_app.resources import DATA_FILE

FILE = click.Path(dir_okay=False, path_type=Path)


@click.group("data")
def data_group() -> None:
    """Load, check and export the memorial-day data file."""


def _read(path: Path) -> Dataset:
    try:
        return read_dataset(path)
    except DataFileError as error:
        raise click.ClickException(str(error)) from None


@data_group.command("check")
@click.argument("file", type=FILE)
def check_command(file: Path) -> None:
    """Validate FILE without writing anything."""
    dataset = _read(file)
    counts = {
        "facts": sum(len(d.facts) for d in dataset.days),
        "legal acts": sum(len(d.legal_acts) for d in dataset.days),
        "moments": sum(len(d.moments) for d in dataset.days),
        "timeline entries": sum(len(d.timeline) for d in dataset.days),
    }
    summary = ", ".join(f"{n} {kind}" for kind, n in counts.items())
    click.echo(f"{file}: ok: {len(dataset.days)} days, {len(dataset.sources)} sources, {summary}")


@data_group.command("load")
@click.argument("file", type=FILE, required=False)
@with_appcontext
def load_command(file: Path | None) -> None:
    """Upsert FILE (default: the bundled data file) in one transaction."""
    path = file or DATA_FILE
    report = load_dataset(_read(path))
    click.echo(f"loaded {path}")
    for line in report.lines():
        click.echo(f"  {line}")


@data_group.command("export")
@click.option("--out", "out", type=FILE, help="Write to this file instead of standard output.")
@with_appcontext
def export_command(out: Path | None) -> None:
    """Print what the database holds, in the data-file format."""
    text = dump_dataset(dataset_from_database(db.session))
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}")
