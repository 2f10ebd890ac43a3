"""Rate limits: per client on every form; budgets of e-mails a sign-up may cause.

A client is its IPv4 address or its IPv6 /64 (``extensions.client_key``). An
e-mail a sign-up form sends (a confirmation, or a manage link to a known address)
spends three budgets: its mailbox's (case and ``+tag`` ignored, whichever client
asks), its domain's and the asking client's. A spent mailbox budget is not told:
the form answers the ordinary "check your inbox" page and sends nothing, so a
stranger cannot learn that someone just signed that address up. A spent domain or
client budget answers 429. Every figure is listed in docs/RELIABILITY.md.

Storage is ``[limits] storage_uri``: ``memory://`` for one process, a Redis URL
when several web processes must share their counts.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, render_template, request
from flask_babel import gettext, ngettext
from flask_limiter import RateLimitExceeded
from limits import RateLimitItem, parse

from calendar_app.config import Settings
from calendar_app.core.mailbox import mail_domain, mailbox_key
from calendar_app.extensions import limiter
from calendar_app.web.errors import API_PREFIX, json_error

FORMS = "10 per minute; 60 per hour"  # sign-up, confirm, manage, unsubscribe: per client
READS = "300 per minute"  # pages and API: generous, per client
FEEDS = "1200 per minute"  # feeds: calendar services poll from a few shared addresses
# E-mails sent by the sign-up forms (/subscribe and /remember together):
PER_MAILBOX = (parse("1 per 10 minutes"), parse("3 per day"))  # one inbox, any client
PER_DOMAIN = (parse("60 per hour"), parse("300 per day"))  # one domain, any client
PER_CLIENT = (parse("20 per hour"), parse("50 per day"))  # one IPv4 address or IPv6 /64


@dataclass(frozen=True)
class MailBudget:
    """May a sign-up send its e-mail? ``quiet``: no, and say nothing (the mailbox's own
    budget is spent); otherwise ``retry_after`` > 0 means no, answer 429."""

    quiet: bool = False
    retry_after: int = 0

    @property
    def allowed(self) -> bool:
        return not self.quiet and self.retry_after == 0


def spend_mail_budget(email: str, client: str) -> MailBudget:
    """Count one sign-up e-mail to ``email`` asked for by ``client``, if every budget allows."""
    if not limiter.enabled:
        return MailBudget()
    budgets = [
        (PER_CLIENT, "client-mail", client),
        (PER_DOMAIN, "domain-mail", mail_domain(email)),
        (PER_MAILBOX, "mailbox-mail", mailbox_key(email)),
    ]
    for items, namespace, key in budgets:
        wait = _wait(items, namespace, key)
        if wait:
            return MailBudget(quiet=namespace == "mailbox-mail", retry_after=wait)
    for items, namespace, key in budgets:
        for item in items:
            limiter.limiter.hit(item, namespace, key)
    return MailBudget()


def _wait(items: tuple[RateLimitItem, ...], namespace: str, key: str) -> int:
    """0 if every window has room; else the seconds until the fullest one has."""
    strategy = limiter.limiter
    for item in items:
        if not strategy.test(item, namespace, key):
            reset = strategy.get_window_stats(item, namespace, key).reset_time
            return max(1, math.ceil(reset - time.time()))
    return 0


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


def _retry_after_only_when_refused(response: Response) -> Response:
    """The limiter adds Retry-After to every counted answer; it means something on 429
    and 503 only (RFC 9110, 10.2.3)."""
    if response.status_code not in (429, 503):
        response.headers.pop("Retry-After", None)
    return response


def init_app(app: Flask, settings: Settings) -> None:
    app.config["RATELIMIT_STORAGE_URI"] = settings.limits.storage_uri
    app.config["RATELIMIT_ENABLED"] = settings.limits.enabled
    # registered before the limiter's own hook, so it runs after it (Flask runs them reversed)
    app.after_request(_retry_after_only_when_refused)
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
