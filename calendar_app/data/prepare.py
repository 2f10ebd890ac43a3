"""Bring a database to a working state: migrations applied, bundled data loaded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade

from calendar_app.clock import utc_now_naive
from calendar_app.data import queries
from calendar_app.data.dataset import DataFileError, Dataset, parse_dataset
from calendar_app.data.sync import SyncReport, apply_dataset
from calendar_app.extensions import db
from calendar_app.resources import DATA_FILE, resource_dir


def read_dataset(path: Path) -> Dataset:
    """Parse a data file; DataFileError names the file, key and reason."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError(str(path), "", "file not found") from None
    except UnicodeDecodeError as error:
        raise DataFileError(str(path), "", f"not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise DataFileError(str(path), "", f"cannot read: {error.strerror}") from None
    return parse_dataset(text, str(path))


def load_dataset(dataset: Dataset, now: dt.datetime | None = None) -> SyncReport:
    """Apply a dataset in one transaction: all of it, or nothing."""
    moment = now or utc_now_naive()
    try:
        report = apply_dataset(db.session, dataset, moment)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return report


def prepare_database(app: Flask) -> SyncReport | None:
    """Apply migrations; load the bundled data if no day is stored yet."""
    with app.app_context():
        upgrade(directory=str(resource_dir("migrations")))
        if queries.has_days(db.session):
            return None
        return load_dataset(read_dataset(DATA_FILE))
