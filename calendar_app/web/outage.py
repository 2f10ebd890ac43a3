"""A database outage answers 503 with a short message; the pool recovers by itself.

A ping at each check-out from the pool (``pool_pre_ping``; on PostgreSQL the
one of data/deadlines.py, under the request's deadline) replaces dead
connections on the next request, so when the database comes back the site does
too, without a restart.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, request
from flask_babel import gettext
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import ServiceUnavailable

from calendar_app.extensions import db
from calendar_app.web.errors import handle_http_error

log = logging.getLogger("calendar_app.web")
RETRY_AFTER_SECONDS = 30


def _database_unavailable(error: Exception) -> Response:
    if (
        isinstance(error, DBAPIError)
        and not error.connection_invalidated
        and not isinstance(error, OperationalError)
    ):
        raise error  # a real bug, not an outage: let it be a 500 and be logged
    log.warning("database unavailable: %s", str(error).splitlines()[0])
    db.session.rollback()
    message = gettext("The service is briefly unavailable. Please try again shortly.")
    if request.path.endswith(".ics"):  # calendar clients get a line of text, as feed errors do
        response = Response(message + "\n", status=503, mimetype="text/plain")
        response.headers["Access-Control-Allow-Origin"] = "*"
    else:  # a page, or JSON under /api/
        response = handle_http_error(ServiceUnavailable(description=message))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(DBAPIError, _database_unavailable)
