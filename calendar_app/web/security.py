"""Security headers on every response; only views marked ``frameable`` may be framed.

A page reached through a secret link (core/secret_paths.py) is private: no
referrer leaves it (its URL is the secret), no cache keeps it, no search engine
indexes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Response, current_app, request

from calendar_app.core.secret_paths import holds_secret

F = TypeVar("F", bound=Callable[..., object])

# No inline script or style anywhere: everything comes from /static.
_POLICY = (
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
)
CONTENT_SECURITY_POLICY = "; ".join((*_POLICY, "frame-ancestors 'none'"))
FRAMEABLE_CONTENT_SECURITY_POLICY = "; ".join((*_POLICY, "frame-ancestors *"))
REFERRER_POLICY = "strict-origin-when-cross-origin"
PRIVATE_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex, nofollow",
}


def keep_private(response: Response) -> Response:
    """For a blueprint whose every page is private (the remembrance pages): no referrer,
    no cache, no index, whatever the path."""
    response.headers.update(PRIVATE_HEADERS)
    return response


def frameable(view: F) -> F:
    """Mark a view as meant to be embedded in other sites' iframes."""
    view.frameable = True  # type: ignore[attr-defined]
    return view


def _is_frameable() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "frameable", False))


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    if holds_secret(request.path):
        headers.update(PRIVATE_HEADERS)
    headers.setdefault("Referrer-Policy", REFERRER_POLICY)
    if _is_frameable():
        headers.setdefault("Content-Security-Policy", FRAMEABLE_CONTENT_SECURITY_POLICY)
    else:
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
