"""Readiness for load balancers and orchestrators (liveness is /healthz in pages).

/readyz answers within ``READY_SECONDS`` whatever the database does: the check
runs in a thread of its own under a statement deadline, and the answer does not
wait for it longer. The body names no host, port or driver message.
"""

from __future__ import annotations

import concurrent.futures
import threading

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, Response, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from calendar_app.data.deadlines import deadline
from calendar_app.extensions import db
from calendar_app.resources import resource_dir

health = Blueprint("health", __name__)
READY_SECONDS = 1.5  # the longest /readyz waits for the database
_checks = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="readyz")
_heads_lock = threading.Lock()
_heads: set[str] | None = None


def _expected_heads() -> set[str]:
    global _heads
    with _heads_lock:
        if _heads is None:
            _heads = set(ScriptDirectory(str(resource_dir("migrations"))).get_heads())
        return _heads


def _current_heads(app: Flask) -> set[str] | None:
    """The database's migration heads, or None if it cannot be read."""
    with app.app_context(), deadline(READY_SECONDS):
        try:
            with db.engine.connect() as connection:
                return set(MigrationContext.configure(connection).get_current_heads())
        except SQLAlchemyError:
            return None


@health.get("/readyz")
def readyz() -> tuple[Response, int]:
    """200 when the database answers and its schema is at the latest migration."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    check = _checks.submit(_current_heads, app)
    try:
        current = check.result(timeout=READY_SECONDS)
    except concurrent.futures.TimeoutError:
        return jsonify(ready=False, database="not answering"), 503
    if current is None:
        return jsonify(ready=False, database="unreachable"), 503
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
