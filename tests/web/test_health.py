"""Liveness and readiness, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_migrate import downgrade

from calendar_app.data.prepare import prepare_database
from calendar_app.resources import resource_dir
from tests.conftest import build_app


def test_ready_when_migrated(any_db_app: Flask) -> None:
    prepare_database(any_db_app)
    response = any_db_app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"ready": True, "database": "reachable", "migrations": "current"}
    assert any_db_app.test_client().get("/healthz").status_code == 200


def test_not_ready_when_migrations_are_behind(any_db_app: Flask) -> None:
    prepare_database(any_db_app)
    with any_db_app.app_context():
        downgrade(directory=str(resource_dir("migrations")), revision="0001")
    response = any_db_app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["migrations"] == "not current" and body["current"] == ["0001"]
    assert any_db_app.test_client().get("/healthz").status_code == 200  # alive, not ready


def test_not_ready_on_an_empty_database(any_db_app: Flask) -> None:
    response = any_db_app.test_client().get("/readyz")
    assert response.status_code == 503 and response.get_json()["migrations"] == "not current"


def test_not_ready_when_the_database_is_unreachable(tmp_path: Path) -> None:
    app = build_app(tmp_path, "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body == {"ready": False, "database": "unreachable"}  # no host, port or driver text
    assert "127.0.0.1" not in response.get_data(as_text=True)
