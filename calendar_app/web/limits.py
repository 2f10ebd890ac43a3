"""Rate limits: per client address on every form, per e-mail address on sign-ups.

Storage is ``[limits] storage_uri``: ``memory://`` for one process, a Redis URL
when several web processes must share their counts.
"""

from __future__ import annotations

import math
import time

from flask import Blueprint, Flask, Response, render_template, request
from flask_babel import gettext, ngettext
from flask_limiter import RateLimitExceeded
from limits import parse

from calendar_app.config import Settings
from calendar_app.extensions import limiter
from calendar_app.web.errors import API_PREFIX, json_error

FORMS = "10 per minute; 60 per hour"  # sign-up, confirm, manage, unsubscribe: per client
READS = "300 per minute"  # pages and API: generous, per client
FEEDS = "1200 per minute"  # feeds: calendar services poll from a few shared addresses
PER_ADDRESS = (parse("1 per 10 minutes"), parse("3 per day"))  # confirmation e-mails


def address_allowed(email: str) -> tuple[bool, int]:
    """Count a confirmation e-mail to ``email``; (allowed, seconds until the next one)."""
    if not limiter.enabled:
        return True, 0
    strategy = limiter.limiter
    for item in PER_ADDRESS:
        if not strategy.test(item, "address", email):
            reset = strategy.get_window_stats(item, "address", email).reset_time
            return False, max(1, math.ceil(reset - time.time()))
    for item in PER_ADDRESS:
        strategy.hit(item, "address", email)
    return True, 0


def too_many(seconds: int) -> Response:
    """The localized 429 page (or JSON under /api/) with Retry-After."""
    minutes = max(1, math.ceil(seconds / 60))
    detail = ngettext(
        "Please try again in %(num)d minute.", "Please try again in %(num)d minutes.", minutes
    )
    if request.path.startswith(API_PREFIX):
        response = json_error(429, "too_many_requests", detail)
    elif request.path.endswith(".ics"):
        response = Response(detail + "\n", status=429, mimetype="text/plain")
    else:
        body = render_template(
            "errors/error.html", code=429, heading=gettext("Too many requests"), detail=detail
        )
        response = Response(body, status=429, mimetype="text/html")
    response.headers["Retry-After"] = str(seconds)
    return response


def _on_limit(error: RateLimitExceeded) -> Response:
    current = limiter.current_limit
    if current is not None:
        return too_many(max(1, math.ceil(current.reset_at - time.time())))
    return too_many(int(error.limit.limit.get_expiry()))


def init_app(app: Flask, settings: Settings) -> None:
    app.config["RATELIMIT_STORAGE_URI"] = settings.limits.storage_uri
    app.config["RATELIMIT_ENABLED"] = settings.limits.enabled
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, _on_limit)


def limit_blueprints(
    forms: list[Blueprint], reads: list[Blueprint], feeds: list[Blueprint]
) -> None:
    """Forms: strict per client on POST; pages and API generous; feeds more so."""
    for blueprint in forms:
        limiter.limit(FORMS, methods=["POST"])(blueprint)
    for blueprint in reads:
        limiter.limit(READS)(blueprint)
    for blueprint in feeds:
        limiter.limit(FEEDS)(blueprint)
