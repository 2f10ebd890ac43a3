"""Logging for the long-running commands: one line per event on standard error.

Reminder outcomes are logged as JSON objects (calendar_app.reminders), so a
log shipper can count what was sent and what failed without parsing prose.
"""

from __future__ import annotations

import logging
import sys


def configure_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    for name in ("calendar_app", "apscheduler"):
        logger = logging.getLogger(name)
        logger.setLevel(level if name == "calendar_app" else logging.WARNING)
        logger.handlers[:] = [handler]
        logger.propagate = False
