"""Fixtures: an app on a real SQLite file, a fresh PostgreSQL database, a CLI runner."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from calendar_app.app import create_app
from calendar_app.cli import data as data_command
from calendar_app.data import prepare
from calendar_app.data.prepare import prepare_database
from calendar_app.extensions import db
from tests.support.data_files import TEST_DATA_FILE
from tests.support.smtp_sink import SmtpSink

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_ADMIN_URL = os.environ.get(
    "CALENDAR_APP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's config.toml or CALENDAR_APP_* variables."""
    for name in list(os.environ):
        if name.startswith("CALENDAR_APP_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def data_file() -> Path:
    """The data file the apps of a test module load: the tests' own (tests/data/).

    A module about the bundled file's texts overrides it with BUNDLED_DATA_FILE."""
    return TEST_DATA_FILE


@pytest.fixture(scope="module", autouse=True)
def _apps_load_data_file(data_file: Path) -> Iterator[None]:
    """`prepare_database` and `calendar-app data load` without FILE read ``data_file``
    (module-scoped, so that module-scoped servers load it too)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(prepare, "DATA_FILE", data_file)
        patch.setattr(data_command, "DATA_FILE", data_file)
        yield


def build_app(tmp_path: Path, url: str | None = None, **sections: dict[str, Any]) -> Flask:
    overrides: dict[str, dict[str, Any]] = {"database": {"url": url}} if url else {}
    overrides.update(sections)
    return create_app(overrides, instance_path=tmp_path / "instance")


@pytest.fixture
def empty_app(tmp_path: Path) -> Flask:
    """An app on a new SQLite file with no tables yet."""
    return build_app(tmp_path, f"sqlite:///{tmp_path / 'calendar.db'}")


@pytest.fixture
def app(empty_app: Flask) -> Flask:
    """An app on SQLite with migrations applied and ``data_file`` loaded."""
    prepare_database(empty_app)
    return empty_app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of ``app`` (the migrated, loaded SQLite app)."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A real SMTP server on a free loopback port, stopped after the test."""
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


def build_smtp_app(tmp_path: Path, sink: SmtpSink, **sections: dict[str, Any]) -> Flask:
    """A migrated, loaded app on SQLite sending through ``sink``; ``sections`` override."""
    settings: dict[str, dict[str, Any]] = {
        "mail": {"backend": "smtp", "host": "127.0.0.1", "port": sink.port},
        "server": {"base_url": "https://calendar.example.az"},
        "site": {"default_language": "en"},
        "limits": {"enabled": False},  # flows repeat requests; web/test_limits.py turns them on
    }
    settings.update(sections)
    application = build_app(tmp_path, f"sqlite:///{tmp_path / 'calendar.db'}", **settings)
    prepare_database(application)
    return application


@pytest.fixture
def smtp_app(tmp_path: Path, smtp_sink: SmtpSink) -> Flask:
    """The migrated, loaded app sending through the SMTP sink."""
    return build_smtp_app(tmp_path, smtp_sink)


def _postgres_reachable() -> str | None:
    try:
        engine = sa.create_engine(POSTGRES_ADMIN_URL)
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
        engine.dispose()
    except Exception as error:  # any failure to connect means "not here"
        return str(error).splitlines()[0]
    return None


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    problem = _postgres_reachable()
    if problem is not None:
        message = f"PostgreSQL at {POSTGRES_ADMIN_URL} is not reachable: {problem}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return POSTGRES_ADMIN_URL


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"calendar_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(postgres_admin_url).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_app(postgres_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on a fresh PostgreSQL database, migrated and loaded with ``data_file``."""
    app = build_app(tmp_path, postgres_url)
    prepare_database(app)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """An empty app (no tables) on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'calendar.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    application = build_app(tmp_path, url)
    yield application
    with application.app_context():
        db.engine.dispose()
