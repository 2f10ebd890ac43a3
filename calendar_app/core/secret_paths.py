"""Pure: the secret in a link's path replaced by ``[token]``, wherever the path is written.

The links that carry a secret: /confirm/<t>, /manage/<t>, /unsubscribe/<t>,
/remember/confirm/<t>, /remember/manage/<t> (and its /export.json),
/remember/feed/<t>.ics, /remember/family/<t>.ics and /remember/invitation/<t>.
Whoever reads a log line must not be able to open them.
deploy/nginx/calendar-app.conf's ``map`` rewrites the same paths in nginx's log.
"""

from __future__ import annotations

import re

REDACTED = "[token]"
# The secret is the whole segment after the route's name, up to "/", "?", "#", white
# space, a quote or the end; a private feed keeps its ".ics".
_SECRET = re.compile(
    r"(?P<route>/(?:remember/)?(?:confirm|manage|unsubscribe)/|/remember/(?:feed|family|invitation)/)"
    r"(?P<secret>[^/?#\s\"'<>]+?)"
    r"(?P<end>\.ics)?(?=[/?#\s\"'<>]|$)"
)


def redact_secrets(text: str) -> str:
    """``text`` with the secret of every secret link replaced; anything else unchanged."""
    if "/" not in text:
        return text
    return _SECRET.sub(lambda m: f"{m['route']}{REDACTED}{m['end'] or ''}", text)


def holds_secret(path: str) -> bool:
    """Whether a request path is one of the secret links."""
    return redact_secrets(path) != path
