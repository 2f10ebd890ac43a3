"""The application factory: ``create_app(overrides, instance_path)`` builds the Flask app."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from calendar_app.config import load_settings
from calendar_app.data import deadlines
from calendar_app.extensions import compress, csrf, db, migrate
from calendar_app.logs import redact_web_logs
from calendar_app.resources import resource_dir
from calendar_app.web import (
    errors,
    formatting,
    i18n,
    limits,
    metrics,
    outage,
    register_blueprints,
    security,
)

# A database that stops answering must not hold the site (docs/RELIABILITY.md, "Limits").
DATABASE_CONNECT_TIMEOUT = 3  # seconds to connect (libpq's minimum is 2)
WEB_STATEMENT_SECONDS = 3.0  # a statement of a web request (data/deadlines.py)
POOL_TIMEOUT = 5  # seconds a request waits for a pooled connection
KEEPALIVES = {  # a link that drops packets is noticed in about 10 s
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
    "tcp_user_timeout": 10_000,  # ms: unacknowledged data for longer drops the connection
}
SQLITE_BUSY_TIMEOUT = 5  # seconds a writer waits for another's lock
MAX_REQUEST_BYTES = 64 * 1024  # forms are small; anything larger is refused with 413
COMPRESSION = {
    "COMPRESS_ALGORITHM": "gzip",  # the feeds carry their own gzip form: one encoding everywhere
    "COMPRESS_MIN_SIZE": 1024,  # below, the headers cost more than the bytes saved
    "COMPRESS_STREAMS": False,  # static files and streams pass as they are
}


def create_app(
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    instance_path: str | Path | None = None,
) -> Flask:
    """Build the application. Raises config.ConfigError on bad configuration."""
    app = Flask(
        __name__,
        instance_path=str(instance_path) if instance_path else None,
        template_folder=str(resource_dir("templates")),
    )
    settings = load_settings(Path(app.instance_path), overrides=overrides)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database.url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings.database.url),
        SETTINGS=settings,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        MAX_FORM_MEMORY_SIZE=MAX_REQUEST_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.server.base_url.startswith("https://"),
    )
    if settings.server.trusted_proxies:
        hops = settings.server.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    if settings.database.url.startswith("sqlite:///"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    redact_web_logs()  # before anything logs a request's path
    # Registered before the session's own teardown, so it runs after it (Flask runs them
    # reversed): the session's rollback at the end of a request has the deadline too.
    app.teardown_appcontext(lambda _error: deadlines.set_deadline(None))
    db.init_app(app)
    migrate.init_app(app, db, directory=str(resource_dir("migrations")), render_as_batch=True)
    with app.app_context():
        event.listen(db.engine, "connect", _enforce_sqlite_foreign_keys)
        if db.engine.dialect.name == "postgresql":
            deadlines.install(db.engine)
    app.before_request(lambda: deadlines.set_deadline(WEB_STATEMENT_SECONDS))

    csrf.init_app(app)
    limits.init_app(app, settings)
    outage.init_app(app)
    i18n.init_app(app)
    formatting.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    if settings.server.compress:  # otherwise the proxy in front compresses
        app.config.update(COMPRESSION)
        compress.init_app(app)
    register_blueprints(app)
    metrics.init_app(app, settings.metrics.enabled)
    return app


def _engine_options(url: str) -> dict[str, Any]:
    """Recover after a database restart; never hang on one that stops answering.

    PostgreSQL: the check-out ping is data/deadlines.py's (under the request's deadline)
    instead of ``pool_pre_ping``, which would wait for ever on a frozen link.
    """
    if url.startswith("postgresql"):
        return {
            "pool_pre_ping": False,
            "pool_timeout": POOL_TIMEOUT,
            "connect_args": {"connect_timeout": DATABASE_CONNECT_TIMEOUT, **KEEPALIVES},
        }
    options: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT}
    return options


def _enforce_sqlite_foreign_keys(connection: Any, _record: Any) -> None:
    if isinstance(connection, sqlite3.Connection):
        cursor = connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


__all__ = ["create_app"]
