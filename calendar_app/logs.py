"""Logging for the long-running commands: one line per event on standard error.

Reminder outcomes are logged as JSON objects (calendar_app.reminders), so a
log shipper can count what was sent and what failed without parsing prose.
Every line, the web app's included, has the secrets of links redacted
(``RedactSecrets``; gunicorn's access log: web/wsgi_server.py).
"""

from __future__ import annotations

import logging
import sys

from calendar_app.core.secret_paths import redact_secrets

# Loggers whose lines may hold a request's path: Flask's (the app's name), the
# development server's, and the package's own.
WEB_LOGGERS = ("calendar_app", "calendar_app.app", "werkzeug")


class RedactSecrets(logging.Filter):
    """Replaces the secret of every secret link in a record's message and traceback."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_secrets(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_secrets(record.exc_text)
        return True


def redact_web_logs() -> None:
    """Put the redaction on the loggers a web request may write to (idempotent)."""
    for name in WEB_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())


def configure_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.addFilter(RedactSecrets())
    for name in ("calendar_app", "apscheduler"):
        logger = logging.getLogger(name)
        logger.setLevel(level if name == "calendar_app" else logging.WARNING)
        logger.handlers[:] = [handler]
        logger.propagate = False
