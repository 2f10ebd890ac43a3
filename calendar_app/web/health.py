"""Readiness for load balancers and orchestrators (liveness is /healthz in pages)."""

from __future__ import annotations

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Response, jsonify
from sqlalchemy.exc import SQLAlchemyError

from calendar_app.extensions import db
from calendar_app.resources import resource_dir

health = Blueprint("health", __name__)


def _expected_heads() -> set[str]:
    return set(ScriptDirectory(str(resource_dir("migrations"))).get_heads())


@health.get("/readyz")
def readyz() -> tuple[Response, int]:
    """200 when the database answers and its schema is at the latest migration."""
    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as error:
        problem = str(error).splitlines()[0][:200]
        return jsonify(ready=False, database="unreachable", detail=problem), 503
    expected = _expected_heads()
    if current != expected:
        return (
            jsonify(
                ready=False,
                database="reachable",
                migrations="not current",
                current=sorted(current),
                expected=sorted(expected),
            ),
            503,
        )
    return jsonify(ready=True, database="reachable", migrations="current"), 200
