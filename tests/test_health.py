"""Liveness and readiness."""

from __future__ import annotations

from flask import Flask
from flask_migrate import downgrade

from calendar_app.resources import resource_dir


def test_ready_when_migrated(app: Flask) -> None:
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"ready": True, "database": "reachable", "migrations": "current"}
    assert app.test_client().get("/healthz").status_code == 200


def test_not_ready_when_migrations_are_behind(app: Flask) -> None:
    with app.app_context():
        downgrade(directory=str(resource_dir("migrations")), revision="0001")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["migrations"] == "not current" and body["current"] == ["0001"]


def test_not_ready_on_an_empty_database(empty_app: Flask) -> None:
    response = empty_app.test_client().get("/readyz")
    assert response.status_code == 503 and response.get_json()["migrations"] == "not current"
